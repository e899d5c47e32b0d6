package ai.seamstream.trainer.policy;

import java.util.Optional;

/**
 * Admits at most one training job at a time. {@link LocalJobGuard} guards one process; the service's guard across
 * instances (leadership by a Kafka consumer group of one) implements the same interface.
 */
public interface JobGuard {

    /** A held admission; closing it lets the next job in. Closing twice is harmless. */
    interface Lease extends AutoCloseable {
        String jobId();

        @Override
        void close();
    }

    /** Admits {@code jobId} if no other job holds the guard; empty otherwise. Never blocks. */
    Optional<Lease> tryAcquire(String jobId);

    /** The job holding the guard, if any. */
    Optional<String> holder();
}
