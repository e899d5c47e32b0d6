package ai.seamstream.trainer.policy;

import java.time.Duration;

/**
 * What a {@link RetrainPolicy} decides on.
 *
 * @param changedLabels       images added, relabelled or removed since the last job's snapshot
 * @param sinceLastJob        time since the last job started; null if no job ever ran
 * @param demanded            a person asked for a job ({@code POST /v1/train})
 * @param currentSnapshot     the training set's snapshot id now
 * @param lastTrainedSnapshot the snapshot id the last job trained on; null if none
 */
public record RetrainState(long changedLabels, Duration sinceLastJob, boolean demanded, String currentSnapshot,
                           String lastTrainedSnapshot) {
    public RetrainState {
        if (changedLabels < 0) {
            throw new IllegalArgumentException("changed labels must be >= 0, got " + changedLabels);
        }
        if (sinceLastJob != null && sinceLastJob.isNegative()) {
            throw new IllegalArgumentException("time since the last job must not be negative, got " + sinceLastJob);
        }
    }

    /** Whether the current snapshot is the one the last job already trained on. */
    public boolean alreadyTrained() {
        return currentSnapshot != null && currentSnapshot.equals(lastTrainedSnapshot);
    }
}
