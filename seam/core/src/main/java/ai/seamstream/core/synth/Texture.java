package ai.seamstream.core.synth;

/** Scalar pattern fields in [0, 1] from which backgrounds and contexts are painted. */
final class Texture {
    private Texture() {
    }

    /** Hermite smoothstep {@code 3t² − 2t³}, so lattice noise has no visible grid creases. */
    static double smooth(double t) {
        return t * t * (3.0 - 2.0 * t);
    }

    static double clamp01(double t) {
        return t < 0.0 ? 0.0 : Math.min(1.0, t);
    }

    /** Value noise: random lattice values every {@code cell} pixels, interpolated with smoothstep weights. */
    static double valueNoise(long key, double x, double y, double cell) {
        double gx = x / cell;
        double gy = y / cell;
        long ix = (long) Math.floor(gx);
        long iy = (long) Math.floor(gy);
        double fx = smooth(gx - ix);
        double fy = smooth(gy - iy);
        double v00 = SplitMix64.hashUnit(key, ix, iy);
        double v10 = SplitMix64.hashUnit(key, ix + 1, iy);
        double v01 = SplitMix64.hashUnit(key, ix, iy + 1);
        double v11 = SplitMix64.hashUnit(key, ix + 1, iy + 1);
        double top = v00 + (v10 - v00) * fx;
        double bottom = v01 + (v11 - v01) * fx;
        return top + (bottom - top) * fy;
    }

    /** Straight stripes of the given period across direction {@code angle}; sharpness 0.5 is a sine, large is a square wave. */
    static double stripes(double x, double y, double period, double angle, double phase, double sharpness) {
        double s = (x * StrictMath.cos(angle) + y * StrictMath.sin(angle)) / period;
        return clamp01(0.5 + sharpness * StrictMath.sin(2.0 * Math.PI * s + phase));
    }

    /** A checkerboard of square cells, rotated by {@code angle}: 0 or 1. */
    static double checker(double x, double y, double cell, double angle) {
        double c = StrictMath.cos(angle);
        double s = StrictMath.sin(angle);
        long u = (long) Math.floor((x * c + y * s) / cell);
        long v = (long) Math.floor((-x * s + y * c) / cell);
        return ((u + v) & 1L) == 0 ? 0.0 : 1.0;
    }

    /** A linear ramp across the image along {@code angle}, 0 on one side, 1 on the other. */
    static double gradient(double x, double y, int width, int height, double angle) {
        double c = StrictMath.cos(angle);
        double s = StrictMath.sin(angle);
        double half = 0.5 * (Math.abs(c) * width + Math.abs(s) * height);
        double d = (x - 0.5 * width) * c + (y - 0.5 * height) * s;
        return clamp01(0.5 + 0.5 * d / half);
    }
}
