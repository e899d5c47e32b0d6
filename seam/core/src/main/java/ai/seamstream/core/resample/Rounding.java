package ai.seamstream.core.resample;

/** Rounding the way the reference's Python computes sizes. */
public final class Rounding {
    private Rounding() {
    }

    /**
     * Python 3's {@code round(x)}: to the nearest integer, halves to the even neighbour ({@code round(562.5) == 562},
     * {@code round(563.5) == 564}), as the reference does in {@code int(round(...))} size computations (SEAM-METHOD §0).
     *
     * @throws IllegalArgumentException if {@code x} is NaN, infinite or outside the range of {@code long}
     */
    public static long roundHalfEven(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("cannot round " + x + " to an integer");
        }
        // Math.rint is IEEE round-to-nearest-even, exactly Python's round() for a double.
        double r = Math.rint(x);
        if (r < Long.MIN_VALUE || r >= 0x1p63) {
            throw new IllegalArgumentException("cannot round " + x + ": outside the range of long");
        }
        return (long) r;
    }
}
