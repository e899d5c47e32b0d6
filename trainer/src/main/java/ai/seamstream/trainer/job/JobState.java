package ai.seamstream.trainer.job;

/** The life of a training job. */
public enum JobState {
    QUEUED, RUNNING,
    /** Trained and saved a checkpoint: a candidate for the gate. */
    SUCCEEDED,
    /** Stopped on request between two steps; nothing is kept. */
    CANCELLED,
    /** The loss became NaN or infinite; stopped, nothing is kept or promoted. */
    DIVERGED,
    /** Could not run (no usable data, unreadable start weights, vocabulary mismatch, I/O). */
    FAILED;

    public boolean finished() {
        return this != QUEUED && this != RUNNING;
    }
}
