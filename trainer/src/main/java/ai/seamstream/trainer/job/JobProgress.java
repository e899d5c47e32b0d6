package ai.seamstream.trainer.job;

import ai.seamstream.torch.train.SeamTrainer;
import ai.seamstream.trainer.dataset.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An immutable view of a job at one moment, what {@code GET /v1/jobs/{id}} shows.
 *
 * @param losses          the mean losses of the last reporting window; null before the first report
 * @param imagesPerSecond training throughput over the last window; 0 before the first report
 * @param eta             estimated time to the last step; null before the first report
 * @param message         why the job ended (or null while it runs)
 * @param skipped         images left out of this job's data, with the reason
 */
public record JobProgress(String jobId, JobState state, String snapshotId, long step, long totalSteps,
                          SeamTrainer.Losses losses, double imagesPerSecond, Duration eta, Instant startedAt,
                          Instant finishedAt, String message, List<Snapshot.Skipped> skipped) {
    public JobProgress {
        skipped = List.copyOf(skipped);
    }

    JobProgress with(JobState s, String msg, Instant finished) {
        return new JobProgress(jobId, s, snapshotId, step, totalSteps, losses, imagesPerSecond, eta, startedAt, finished,
                msg, skipped);
    }

    JobProgress with(SeamTrainer.Progress p) {
        return new JobProgress(jobId, state, snapshotId, p.step(), p.totalSteps(), p.losses(), p.imagesPerSecond(), p.eta(),
                startedAt, finishedAt, message, skipped);
    }
}
