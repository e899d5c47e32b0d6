package ai.seamstream.labeler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The labeler's Prometheus metrics (names as Prometheus shows them in docs/labeler.md). */
public final class LabelerMetrics {
    private final MeterRegistry registry;
    private final Counter masks;
    private final Counter batches;
    private final Counter aborted;
    private final DistributionSummary batchSize;
    private final Timer endToEnd;
    private final Timer inference;
    private final Timer refine;
    private final Counter reviews;
    private final Counter swaps;
    private final Map<String, AtomicInteger> versionGauges = new ConcurrentHashMap<>();

    public LabelerMetrics(MeterRegistry registry) {
        this.registry = registry;
        masks = Counter.builder("seam.labeler.masks").description("masks committed").register(registry);
        batches = Counter.builder("seam.labeler.batches").description("batches committed").register(registry);
        aborted = Counter.builder("seam.labeler.batches.aborted").description("batches aborted and retried").register(registry);
        batchSize = DistributionSummary.builder("seam.labeler.batch.size").description("images per batch")
                .publishPercentileHistogram().register(registry);
        endToEnd = Timer.builder("seam.labeler.latency").description("from ingest accepting an image to its mask being produced")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        inference = Timer.builder("seam.labeler.inference").description("pipeline time per batch")
                .publishPercentileHistogram().register(registry);
        refine = Timer.builder("seam.labeler.refine").description("mask refinement time per batch (seam.labeler.refine)")
                .publishPercentileHistogram().register(registry);
        reviews = Counter.builder("seam.labeler.reviews").description("review requests committed").register(registry);
        swaps = Counter.builder("seam.labeler.model.swaps").description("models swapped in").register(registry);
    }

    public void batch(int size, long inferenceNanos) {
        batchSize.record(size);
        inference.record(Duration.ofNanos(inferenceNanos));
    }

    /** A batch's refinement time; nothing is recorded when the batch refined no mask (refinement off). */
    public void refine(long nanos, int masks) {
        if (nanos > 0 && masks > 0) {
            refine.record(Duration.ofNanos(nanos));
        }
    }

    public void committed(int maskCount, int reviewCount) {
        batches.increment();
        masks.increment(maskCount);
        reviews.increment(reviewCount);
    }

    public void latency(long ms) {
        endToEnd.record(Duration.ofMillis(Math.max(0, ms)));
    }

    public void aborted() {
        aborted.increment();
    }

    public void deadLetter(String code) {
        registry.counter("seam.labeler.deadletters", "code", code).increment();
    }

    public void modelFailure(String step) {
        registry.counter("seam.labeler.model.failures", "step", step).increment();
    }

    /** The serving model: {@code seam_labeler_model_info{version=…}} is 1 for it and 0 for earlier ones. */
    public void serving(String version) {
        swaps.increment();
        versionGauges.values().forEach(g -> g.set(0));
        if (version != null) {
            versionGauges.computeIfAbsent(version, v -> {
                var g = new AtomicInteger();
                Gauge.builder("seam.labeler.model.info", g, AtomicInteger::get).tag("version", v)
                        .description("1 for the model version serving now").register(registry);
                return g;
            }).set(1);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }
}
