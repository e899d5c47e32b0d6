package ai.seamstream.trainer.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * When to start a training job, as a predicate over the {@link RetrainState}; compose with {@link #or} and
 * {@link #and}, e.g. {@code everyNewLabels(500).or(every(Duration.ofHours(1), 20)).or(onDemand())}.
 * Whatever the policy says, {@link RetrainDecision#decide} never trains twice on the same snapshot.
 */
@FunctionalInterface
public interface RetrainPolicy {

    /** True if a job should start now. */
    boolean shouldTrain(RetrainState state);

    /** At least {@code n} (≥ 1) images added, relabelled or removed since the last job. */
    static RetrainPolicy everyNewLabels(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("everyNewLabels needs n >= 1, got " + n);
        }
        return s -> s.changedLabels() >= n;
    }

    /**
     * At least {@code period} since the last job (or no job yet) and at least {@code minNew} (≥ 0) changes since.
     */
    static RetrainPolicy every(Duration period, long minNew) {
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero() || minNew < 0) {
            throw new IllegalArgumentException("every needs a positive period and minNew >= 0, got " + period + ", " + minNew);
        }
        return s -> (s.sinceLastJob() == null || s.sinceLastJob().compareTo(period) >= 0) && s.changedLabels() >= minNew;
    }

    /** Only when a person asked. */
    static RetrainPolicy onDemand() {
        return RetrainState::demanded;
    }

    /** Never (a trainer that only serves its registry). */
    static RetrainPolicy never() {
        return s -> false;
    }

    default RetrainPolicy or(RetrainPolicy other) {
        Objects.requireNonNull(other, "other");
        return s -> shouldTrain(s) || other.shouldTrain(s);
    }

    default RetrainPolicy and(RetrainPolicy other) {
        Objects.requireNonNull(other, "other");
        return s -> shouldTrain(s) && other.shouldTrain(s);
    }
}
