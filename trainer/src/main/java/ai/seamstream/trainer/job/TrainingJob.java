package ai.seamstream.trainer.job;

import ai.djl.ndarray.NDManager;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.train.SeamTrainer;
import ai.seamstream.torch.train.TrainingRun;
import ai.seamstream.trainer.dataset.TrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fine-tuning job of the full SEAM siamese objective on a materialised snapshot, through the existing
 * {@link TrainingRun}. {@link #run} blocks; {@link #progress()} and {@link #cancel()} may be called from any thread
 * meanwhile. Cancellation is cooperative: the run stops after the step in progress and its checkpoint is discarded.
 * A diverging run (non-finite loss) stops with {@link JobState#DIVERGED}; a job never throws for bad data.
 */
public final class TrainingJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);

    /**
     * A finished job.
     *
     * @param checkpoint the checkpoint directory written (only when SUCCEEDED)
     * @param manifest   its manifest (only when SUCCEEDED)
     * @param training   the trainer's outcome (null if training did not complete)
     */
    public record Result(JobProgress progress, Path checkpoint, CheckpointManifest manifest, SeamTrainer.Result training) {
        public JobState state() {
            return progress.state();
        }
    }

    private final String id;
    private final JobSpec spec;
    private final TrainingData.Materialised data;
    private final Path out;
    private volatile boolean cancelRequested;
    private volatile JobProgress progress;

    /**
     * @param out the checkpoint directory to write; it must not exist yet
     */
    public TrainingJob(String id, JobSpec spec, TrainingData.Materialised data, Path out) {
        this.id = Objects.requireNonNull(id, "id");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.data = Objects.requireNonNull(data, "data");
        this.out = Objects.requireNonNull(out, "out");
        this.progress = new JobProgress(id, JobState.QUEUED, data.snapshotId(), 0, spec.trainer().steps(), null, 0, null,
                null, null, null, data.skipped());
    }

    public String id() {
        return id;
    }

    public JobSpec spec() {
        return spec;
    }

    public JobProgress progress() {
        return progress;
    }

    /** Asks the job to stop after the step in progress (or not to start). */
    public void cancel() {
        cancelRequested = true;
    }

    /** Runs the job to its end in {@code manager}; never throws for bad data, divergence or cancellation. */
    public Result run(NDManager manager) {
        synchronized (this) {
            if (progress.state() != JobState.QUEUED) {
                throw new IllegalStateException("job " + id + " already ran (" + progress.state() + ")");
            }
            progress = new JobProgress(id, JobState.RUNNING, data.snapshotId(), 0, spec.trainer().steps(), null, 0, null,
                    Instant.now(), null, null, data.skipped());
        }
        if (cancelRequested) {
            return end(JobState.CANCELLED, "cancelled before it started", null);
        }
        if (data.train() == null) {
            return end(JobState.FAILED, "no usable training image in snapshot " + data.snapshotId() + " ("
                    + data.skipped().size() + " skipped, " + data.unlabelled() + " unlabelled, " + data.holdOut().size()
                    + " held out)", null);
        }
        if (Files.exists(out)) {
            return end(JobState.FAILED, "output " + out + " already exists", null);
        }
        LOG.info("job {} starts: {} training images, {} held out, {} skipped, snapshot {}, start {}", id,
                data.trainSize(), data.holdOut().size(), data.skipped().size(), data.snapshotId(), spec.start().kind());
        TrainingRun.Outcome outcome;
        try (NDManager m = manager.newSubManager()) {
            var req = new TrainingRun.Request(startingNet(), spec.trainer(), spec.start().path(), out,
                    spec.inferenceScales(), spec.backgroundThreshold());
            // PyTorch's grad mode is per thread and on in a new thread; DJL only turns it off when a gradient collector
            // closes. Loading start weights writes into parameters in place, which fails with grad mode on ("a leaf
            // Variable that requires grad is being used in an in-place operation"): a job in a fresh worker thread
            // that starts from a checkpoint needs it off.
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
            outcome = TrainingRun.execute(req, data.train(), m, () -> cancelRequested, p -> progress = progress.with(p));
        } catch (SeamTrainer.DivergedException e) {
            deleteQuietly(out);
            return end(JobState.DIVERGED, e.getMessage(), null);
        } catch (IOException | RuntimeException e) {
            LOG.warn("job {} failed", id, e);
            deleteQuietly(out);
            return end(JobState.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        }
        if (cancelRequested && outcome.result().steps() < spec.trainer().steps()) {
            deleteQuietly(out);
            return end(JobState.CANCELLED, "cancelled after step " + outcome.result().steps() + " of "
                    + spec.trainer().steps(), outcome.result());
        }
        Result r = end(JobState.SUCCEEDED, "trained " + outcome.result().steps() + " steps", outcome.result());
        return new Result(r.progress(), out, outcome.manifest(), outcome.result());
    }

    /**
     * The job's network; continuing from the promoted checkpoint it keeps that checkpoint's PCM head width (its heads'
     * weights must fit), so changing {@code seam.trainer.job.head-width} takes effect from the next scratch or
     * pretrained start, not by failing every later job.
     */
    private NetConfig startingNet() throws IOException {
        NetConfig net = spec.net();
        if (spec.start().kind() == JobSpec.Start.Kind.PROMOTED) {
            OptionalDouble promoted = Checkpoint.seamHeadWidth(spec.start().path());
            if (promoted.isPresent() && promoted.getAsDouble() != net.headWidth()) {
                LOG.info("job {}: PCM head width {} as the promoted checkpoint has it (configured: {})", id,
                        promoted.getAsDouble(), net.headWidth());
                net = net.withHeadWidth(promoted.getAsDouble());
            }
        }
        return net;
    }

    private Result end(JobState state, String message, SeamTrainer.Result training) {
        progress = progress.with(state, message, Instant.now());
        if (state == JobState.SUCCEEDED) {
            LOG.info("job {} {}: {}", id, state, message);
        } else {
            LOG.warn("job {} {}: {}", id, state, message);
        }
        return new Result(progress, null, null, training);
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.getMessage());
        }
    }
}
