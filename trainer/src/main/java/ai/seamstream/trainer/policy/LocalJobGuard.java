package ai.seamstream.trainer.policy;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** The in-process {@link JobGuard}: one job at a time in this JVM. */
public final class LocalJobGuard implements JobGuard {
    private final AtomicReference<String> holder = new AtomicReference<>();

    @Override
    public Optional<Lease> tryAcquire(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        if (!holder.compareAndSet(null, jobId)) {
            return Optional.empty();
        }
        return Optional.of(new Lease() {
            private boolean closed;

            @Override
            public String jobId() {
                return jobId;
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    holder.compareAndSet(jobId, null);
                }
            }
        });
    }

    @Override
    public Optional<String> holder() {
        return Optional.ofNullable(holder.get());
    }
}
