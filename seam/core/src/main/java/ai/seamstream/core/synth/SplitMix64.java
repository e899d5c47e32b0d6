package ai.seamstream.core.synth;

/**
 * The SplitMix64 generator (Steele, Lea and Flood 2014), written out so that a synthetic sample is the same on every
 * JVM and Java version ({@code java.util} generators do not promise their algorithm).
 */
final class SplitMix64 {
    /** The golden-ratio increment of SplitMix64. */
    static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** An odd constant that keeps the x and y coordinates of {@link #hashUnit} apart. */
    private static final long Y_STEP = 0xD1B54A32D192ED03L;

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    /** The stream of one sample: a function of (seed, index) alone, so samples can be made in any order or in parallel. */
    static SplitMix64 forSample(long seed, int index) {
        return new SplitMix64(mix(mix(seed) + GOLDEN * (index + 1L)));
    }

    /** The SplitMix64 output function (Stafford's variant 13 of the MurmurHash3 finaliser). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform value in [0, 1) that depends only on (key, x, y): per-pixel noise that needs no drawing order. */
    static double hashUnit(long key, long x, long y) {
        return toUnit(mix(mix(key + x * GOLDEN) + y * Y_STEP));
    }

    private static double toUnit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }

    long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextDouble() {
        return toUnit(nextLong());
    }

    /** Uniform in [lo, hi). */
    double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /** Uniform in 0..bound-1 without modulo bias. */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long bits;
        long value;
        do {
            bits = nextLong() >>> 1;
            value = bits % bound;
        } while (bits - value + (bound - 1) < 0);
        return (int) value;
    }

    /** Uniform in lo..hi, both included. */
    int between(int lo, int hi) {
        return lo + nextInt(hi - lo + 1);
    }

    /** True with probability p. */
    boolean chance(double p) {
        return nextDouble() < p;
    }
}
