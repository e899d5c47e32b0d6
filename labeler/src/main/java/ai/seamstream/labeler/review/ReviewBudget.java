package ai.seamstream.labeler.review;

import java.util.function.LongSupplier;

/**
 * At most {@code budget} review requests per tumbling window of {@code windowMs} (windows start at multiples of
 * the window length since the epoch, so instances agree on where they start). Taken requests whose transaction is
 * aborted are given back.
 */
public final class ReviewBudget {
    private final int budget;
    private final long windowMs;
    private final LongSupplier clock;
    private long windowStart = Long.MIN_VALUE;
    private int used;

    public ReviewBudget(int budget, long windowMs, LongSupplier clock) {
        if (budget < 0 || windowMs < 1) {
            throw new IllegalArgumentException("budget must be ≥ 0 and window ≥ 1 ms, got " + budget + ", " + windowMs);
        }
        this.budget = budget;
        this.windowMs = windowMs;
        this.clock = clock;
    }

    private void roll() {
        long now = clock.getAsLong();
        long start = Math.floorDiv(now, windowMs) * windowMs;
        if (start != windowStart) {
            windowStart = start;
            used = 0;
        }
    }

    /** Takes up to {@code wanted} requests from this window's budget; returns how many were granted. */
    public synchronized int take(int wanted) {
        roll();
        int n = Math.max(0, Math.min(wanted, budget - used));
        used += n;
        return n;
    }

    /** Gives back requests taken in the current window (a batch that was aborted). */
    public synchronized void giveBack(int n, long takenInWindowStart) {
        if (takenInWindowStart == windowStart) {
            used = Math.max(0, used - n);
        }
    }

    /** Start of the current window. */
    public synchronized long windowStart() {
        roll();
        return windowStart;
    }

    public synchronized int remaining() {
        roll();
        return budget - used;
    }
}
