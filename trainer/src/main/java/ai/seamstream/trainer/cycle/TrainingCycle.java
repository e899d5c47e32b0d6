package ai.seamstream.trainer.cycle;

import ai.djl.ndarray.NDManager;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import ai.seamstream.trainer.dataset.HoldOutSplit;
import ai.seamstream.trainer.dataset.Snapshot;
import ai.seamstream.trainer.dataset.TrainingData;
import ai.seamstream.trainer.dataset.TrainingSetStore;
import ai.seamstream.trainer.gate.GateResult;
import ai.seamstream.trainer.gate.HoldOutEvaluator;
import ai.seamstream.trainer.gate.PromotionGate;
import ai.seamstream.trainer.job.JobProgress;
import ai.seamstream.trainer.job.JobSpec;
import ai.seamstream.trainer.job.JobState;
import ai.seamstream.trainer.job.TrainingJob;
import ai.seamstream.trainer.policy.JobGuard;
import ai.seamstream.trainer.policy.RetrainState;
import ai.seamstream.trainer.registry.ModelManifest;
import ai.seamstream.trainer.registry.ModelRegistry;
import ai.seamstream.trainer.registry.ModelStatus;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One retraining cycle end to end, without Kafka or HTTP: snapshot the store, train a candidate, score it and the
 * promoted model on the same hold-out, ask the gate, publish PROMOTED or REJECTED with every figure. The service
 * layer calls {@link #state} for its policy, {@link #run} when the policy says so, and publishes the returned
 * manifest on {@code seam.models.v1}.
 */
public final class TrainingCycle {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingCycle.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The cycle's settings.
     *
     * @param spec                 the job; its start is used when nothing is promoted or {@code continueFromPromoted}
     *                             is false
     * @param continueFromPromoted start from the promoted version's checkpoint when there is one
     * @param workDir              where jobs write their checkpoints before the registry copies them
     */
    public record Config(ClassVocabulary vocabulary, HoldOutSplit split, JobSpec spec, boolean continueFromPromoted,
                         HoldOutEvaluator.Options evaluation, PromotionGate gate, String codeVersion, Path workDir) {
        public Config {
            Objects.requireNonNull(vocabulary, "vocabulary");
            Objects.requireNonNull(split, "split");
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(evaluation, "evaluation");
            Objects.requireNonNull(gate, "gate");
            Objects.requireNonNull(codeVersion, "codeVersion");
            Objects.requireNonNull(workDir, "workDir");
        }

        public Config withGate(PromotionGate newGate) {
            return new Config(vocabulary, split, spec, continueFromPromoted, evaluation, newGate, codeVersion, workDir);
        }
    }

    /**
     * What a cycle did.
     *
     * @param job       the job's final progress (state, losses, skipped images, message)
     * @param gate      the gate's figures and verdict; null unless the job succeeded
     * @param published the registry version written; null unless the job succeeded
     */
    public record Outcome(JobProgress job, GateResult gate, ModelManifest published) {
    }

    private final TrainingSetStore store;
    private final ModelRegistry registry;
    private final JobGuard guard;
    private final Config config;
    private final Clock clock;
    private volatile TrainingJob current;

    public TrainingCycle(TrainingSetStore store, ModelRegistry registry, JobGuard guard, Config config, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The job running now, for progress and cancellation. */
    public Optional<TrainingJob> current() {
        return Optional.ofNullable(current);
    }

    /**
     * The policy's inputs, derived only from persistent state (the store and the registry's newest version), so a
     * restarted trainer sees what it saw before: the last trained snapshot is that of the newest published version.
     */
    public RetrainState state(boolean demanded) throws IOException {
        List<ModelManifest> all = registry.versions();
        ModelManifest last = all.isEmpty() ? null : all.get(all.size() - 1);
        String lastSnapshot = last == null ? null : last.snapshotId();
        Duration since = last == null ? null : Duration.between(Instant.parse(last.createdAt()), clock.instant());
        if (since != null && since.isNegative()) {
            since = Duration.ZERO;
        }
        String snapshot = store.size() == 0 ? null : store.snapshotId();
        return new RetrainState(store.changesSince(lastSnapshot), since, demanded, snapshot, lastSnapshot);
    }

    /** Runs one cycle as job {@code jobId} without status notifications; see {@link #run(String, NDManager, Consumer)}. */
    public Outcome run(String jobId, NDManager manager) throws IOException {
        return run(jobId, manager, m -> { });
    }

    /**
     * Runs one cycle as job {@code jobId}: trains, publishes the checkpoint as a CANDIDATE version, judges it with
     * the gate against the promoted version on the hold-out, and concludes it PROMOTED or REJECTED. {@code onStatus}
     * hears every status a version takes here, in order (the CANDIDATE, then its verdict; also REJECTED for
     * candidates an earlier trainer left unjudged), so the caller can publish each as a model event.
     *
     * @throws IllegalStateException if another job holds the guard
     * @throws IOException           if the registry cannot be written, or the candidate cannot be evaluated (it is
     *                               then concluded REJECTED with the error as the reason)
     */
    public Outcome run(String jobId, NDManager manager, Consumer<ModelManifest> onStatus) throws IOException {
        JobGuard.Lease lease = guard.tryAcquire(jobId).orElseThrow(() -> new IllegalStateException(
                "job " + guard.holder().orElse("?") + " is running; one training job at a time"));
        try (lease) {
            // Holding the lease, no other job is judging: a CANDIDATE now is one whose trainer stopped mid-gate.
            for (ModelManifest left : registry.candidates()) {
                LOG.warn("{} was left CANDIDATE by a trainer that stopped before its gate; rejecting it", left.version());
                onStatus.accept(registry.conclude(left.version(), false, Map.of(),
                        "not judged: the trainer stopped before the promotion gate decided"));
            }
            Snapshot snapshot = store.snapshot();
            store.recordSnapshot(snapshot);
            TrainingData.Materialised data = TrainingData.materialise(snapshot, config.vocabulary(), config.split(),
                    "trainingset-" + snapshot.id().substring(0, 12));
            Optional<String> promoted = registry.promotedVersion();
            JobSpec spec = config.spec();
            String parent = null;
            if (promoted.isPresent() && config.continueFromPromoted()) {
                spec = spec.withStart(JobSpec.Start.promoted(registry.checkpoint(promoted.get())));
                parent = promoted.get();
            }
            Path out = config.workDir().resolve(jobId);
            var job = new TrainingJob(jobId, spec, data, out);
            current = job;
            TrainingJob.Result r;
            try {
                r = job.run(manager);
            } finally {
                current = null;
            }
            if (r.state() != JobState.SUCCEEDED) {
                return new Outcome(r.progress(), null, null);
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (r.training().last() != null) {
                metrics.put("finalLoss", (double) r.training().last().total());
            }
            metrics.put("trainImages", (double) data.trainSize());
            metrics.put("skippedImages", (double) data.skipped().size());
            var pub = new ModelRegistry.Publication(r.checkpoint(), parent, snapshot.id(),
                    configuration(r.manifest(), spec), spec.trainer().seed(), config.codeVersion(), metrics,
                    ModelStatus.CANDIDATE, "trained; awaiting the promotion gate");
            ModelManifest candidate = registry.publish(pub);
            deleteTree(out);
            onStatus.accept(candidate);
            if (data.holdOut().isEmpty()) {
                LOG.warn("job {}: the hold-out is empty; the candidate is judged without figures", jobId);
            }
            GateResult gate;
            try {
                gate = judge(registry.checkpoint(candidate.version()), promoted.orElse(null), data, manager);
            } catch (IOException | RuntimeException e) {
                onStatus.accept(registry.conclude(candidate.version(), false, Map.of(),
                        "evaluation failed: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
                throw e;
            }
            ModelManifest judged = registry.conclude(candidate.version(), gate.promote(), gate.figures(),
                    gate.verdict().reason());
            onStatus.accept(judged);
            return new Outcome(r.progress(), gate, judged);
        }
    }

    private GateResult judge(Path candidateDir, String currentVersion, TrainingData.Materialised data, NDManager manager)
            throws IOException {
        if (data.holdOut().isEmpty()) {
            var empty = new ai.seamstream.trainer.gate.EvaluationReport(0, 0, null, null, null, null);
            var c = new PromotionGate.Comparison(empty, null, null);
            var verdict = currentVersion == null ? config.gate().judge(c)
                    : new PromotionGate.Verdict(false, "no hold-out images: a candidate cannot be compared");
            return new GateResult(c, currentVersion, verdict);
        }
        try (NDManager m = manager.newSubManager(); Checkpoint.Loaded cand = Checkpoint.load(candidateDir, m)) {
            var ce = HoldOutEvaluator.evaluate(cand.network(), data.holdOut(), config.evaluation());
            PromotionGate.Comparison c;
            if (currentVersion == null) {
                c = new PromotionGate.Comparison(ce.report(), null, null);
            } else {
                try (Checkpoint.Loaded cur = Checkpoint.load(registry.checkpoint(currentVersion), m)) {
                    var pe = HoldOutEvaluator.evaluate(cur.network(), data.holdOut(), config.evaluation());
                    double agreement = HoldOutEvaluator.agreement(ce.masks(), pe.masks(), cand.network().config().classes());
                    c = new PromotionGate.Comparison(ce.report(), pe.report(), agreement);
                }
            }
            PromotionGate.Verdict v = config.gate().judge(c);
            LOG.info("gate: {} ({})", v.promote() ? "promote" : "reject", v.reason());
            return new GateResult(c, currentVersion, v);
        }
    }

    private Map<String, Object> configuration(CheckpointManifest cm, JobSpec spec) {
        var m = new LinkedHashMap<String, Object>();
        m.put("network", cm.network());
        m.put("training", cm.training());
        m.put("inference", cm.inference());
        m.put("lossWeights", spec.trainer().lossWeights());
        m.put("start", spec.start().kind().name());
        m.put("holdOut", Map.of("fraction", config.split().fraction(), "salt", config.split().salt()));
        m.put("evaluation", Map.of("equivarianceScale", config.evaluation().equivarianceScale(),
                "tagThreshold", config.evaluation().tagThreshold()));
        return JSON.convertValue(m, new TypeReference<Map<String, Object>>() { });
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
