package ai.seamstream.labeler;

import ai.seamstream.core.onnx.OnnxSession;
import ai.seamstream.core.refine.MaskRefiner;
import ai.seamstream.schemas.TopicCatalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the labeler's worker, model watcher and reviewer need, as plain values (the Quarkus service fills it
 * from {@link LabelerSettings}; tests and the benchmark build it directly).
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param groupId          consumer group of the labeler instances (they share the labelled topic's partitions)
 * @param transactionalId  this instance's transactional id: stable across restarts of one instance, distinct between
 *                         instances, so a restarted instance fences its predecessor's open transaction
 * @param instance         this instance's name in lineage and dead letters
 * @param topics           topic names
 * @param batch            micro-batching bounds
 * @param modelCache       where fetched model directories are kept
 * @param intraOpThreads   ONNX Runtime intra-op threads (0 = one per core)
 * @param selfTestSize     side of the synthetic self-test image in pixels
 * @param maxImagePixels   decoded images above this are dead letters
 * @param review           active-learning budget and weights
 * @param kafkaOverrides   extra client properties (e.g. security), applied to every client
 * @param cuda             ask ONNX Runtime for its CUDA provider (the session falls back to CPU with a log line when
 *                         this ONNX Runtime has no CUDA provider or the device fails to start)
 * @param cudaDevice       the CUDA device index when {@code cuda}
 * @param refine           the refinement of every emitted mask ({@link #refinement}); mode none by default
 */
public record LabelerConfig(String bootstrapServers, String groupId, String transactionalId, String instance, Topics topics,
                            Batching batch, Path modelCache, int intraOpThreads, int selfTestSize, long maxImagePixels,
                            Review review, Map<String, String> kafkaOverrides, boolean cuda, int cudaDevice,
                            MaskRefiner.Options refine) {
    /** A configuration without refinement. */
    public LabelerConfig(String bootstrapServers, String groupId, String transactionalId, String instance, Topics topics,
                         Batching batch, Path modelCache, int intraOpThreads, int selfTestSize, long maxImagePixels,
                         Review review, Map<String, String> kafkaOverrides, boolean cuda, int cudaDevice) {
        this(bootstrapServers, groupId, transactionalId, instance, topics, batch, modelCache, intraOpThreads, selfTestSize,
                maxImagePixels, review, kafkaOverrides, cuda, cudaDevice, MaskRefiner.Options.reference(MaskRefiner.Mode.NONE));
    }

    /** A CPU-only configuration without refinement. */
    public LabelerConfig(String bootstrapServers, String groupId, String transactionalId, String instance, Topics topics,
                         Batching batch, Path modelCache, int intraOpThreads, int selfTestSize, long maxImagePixels,
                         Review review, Map<String, String> kafkaOverrides) {
        this(bootstrapServers, groupId, transactionalId, instance, topics, batch, modelCache, intraOpThreads, selfTestSize,
                maxImagePixels, review, kafkaOverrides, false, 0);
    }

    public LabelerConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(transactionalId, "transactionalId");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(modelCache, "modelCache");
        Objects.requireNonNull(review, "review");
        kafkaOverrides = kafkaOverrides == null ? Map.of() : Map.copyOf(kafkaOverrides);
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must not be negative, got " + intraOpThreads);
        }
        if (selfTestSize < 8 || selfTestSize > 1024) {
            throw new IllegalArgumentException("self-test image size must be in 8..1024, got " + selfTestSize);
        }
        if (maxImagePixels < 1) {
            throw new IllegalArgumentException("max image pixels must be positive, got " + maxImagePixels);
        }
        if (cudaDevice < 0) {
            throw new IllegalArgumentException("CUDA device must not be negative, got " + cudaDevice);
        }
        Objects.requireNonNull(refine, "refine");
    }

    /** This configuration with another refinement. */
    public LabelerConfig withRefine(MaskRefiner.Options r) {
        return new LabelerConfig(bootstrapServers, groupId, transactionalId, instance, topics, batch, modelCache, intraOpThreads,
                selfTestSize, maxImagePixels, review, kafkaOverrides, cuda, cudaDevice, r);
    }

    /**
     * The refinement of {@code seam.labeler.refine} ({@code none|crf|rw|rw+crf}) with the CRF's background power and
     * iterations; the other parameters are SEAM-METHOD §5's ({@link MaskRefiner.Options#reference}).
     *
     * @throws IllegalArgumentException naming the key for an unknown mode or an out-of-range number
     */
    public static MaskRefiner.Options refinement(String mode, double crfAlpha, int crfIterations) {
        MaskRefiner.Mode m;
        try {
            m = MaskRefiner.Mode.parse(mode == null ? "" : mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("seam.labeler.refine must be none, crf, rw or rw+crf, got '" + mode + "'", e);
        }
        if (!(crfAlpha >= 0) || crfAlpha > 1000) {
            throw new IllegalArgumentException("seam.labeler.refine-crf-alpha must be in 0..1000, got " + crfAlpha);
        }
        if (crfIterations < 1 || crfIterations > 1000) {
            throw new IllegalArgumentException("seam.labeler.refine-crf-iterations must be in 1..1000, got " + crfIterations);
        }
        var ref = MaskRefiner.Options.reference(m);
        return new MaskRefiner.Options(m, crfAlpha, ref.crf().withIterations(crfIterations), ref.walk(), ref.walkCrfIterations());
    }

    /** The ONNX Runtime session settings of every model this labeler loads. */
    public OnnxSession.Settings sessionSettings() {
        var cpu = OnnxSession.Settings.cpu(intraOpThreads);
        return cuda ? new OnnxSession.Settings(cpu.intraOpThreads(), cpu.interOpThreads(), true, cudaDevice, cpu.spinWait()) : cpu;
    }

    /** Topic names; {@link #catalog()} is the catalog's. */
    public record Topics(String labelled, String masks, String review, String models, String deadLetter) {
        public static Topics catalog() {
            return prefixed("");
        }

        /** The catalog's names under a prefix (tests that share one broker). */
        public static Topics prefixed(String prefix) {
            return new Topics(prefix + TopicCatalog.LABELLED, prefix + TopicCatalog.MASKS, prefix + TopicCatalog.REVIEW,
                    prefix + TopicCatalog.MODELS, prefix + TopicCatalog.DEAD_LETTER);
        }
    }

    /**
     * Micro-batching: a batch closes when it holds {@code maxSize} images or {@code maxWait} after its first image
     * arrived, whichever comes first; {@code inferenceBatch} bounds the views per ONNX Runtime run.
     */
    public record Batching(int maxSize, Duration maxWait, int inferenceBatch) {
        public Batching {
            if (maxSize < 1 || maxSize > 10_000) {
                throw new IllegalArgumentException("batch max size must be in 1..10000, got " + maxSize);
            }
            if (maxWait == null || maxWait.isNegative()) {
                throw new IllegalArgumentException("batch max wait must be zero or positive, got " + maxWait);
            }
            if (inferenceBatch < 1) {
                throw new IllegalArgumentException("inference batch must be at least 1, got " + inferenceBatch);
            }
        }
    }

    /**
     * Active learning: at most {@code budget} review requests per {@code window}, only for images scoring at least
     * {@code minScore}; the default strategy's weights (docs/labeler.md).
     */
    public record Review(int budget, Duration window, double minScore, double uncertaintyWeight,
                         double disagreementWeight, double predictedWeight) {
        public Review {
            if (budget < 0) {
                throw new IllegalArgumentException("review budget must not be negative, got " + budget);
            }
            if (window == null || window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("review window must be positive, got " + window);
            }
            for (double w : new double[] {uncertaintyWeight, disagreementWeight, predictedWeight}) {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("review weights must be finite and non-negative, got " + w);
                }
            }
            if (Double.isNaN(minScore)) {
                throw new IllegalArgumentException("review min score must be a number");
            }
        }

        public static Review defaults() {
            return new Review(100, Duration.ofMinutes(1), 0.2, 1.0, 1.0, 0.5);
        }
    }
}
