package ai.seamstream.core.synth;

/**
 * The outline of an object's body, drawn from one distribution shared by all classes: an ellipse, a rounded
 * rectangle (superellipse of degree 4) or a smooth blob, with half-axes {@code a ≥ b} and rotated by {@code angle}.
 */
record BodyShape(Kind kind, double a, double b, double angle, double wobble2, double wobble3, double phase2, double phase3) {

    /** The outline families. */
    enum Kind { ELLIPSE, ROUNDED, BLOB }

    /** Smallest minor-over-major axis ratio: thinner bodies could not hold a marking with its margin. */
    static final double MIN_ASPECT = 0.65;
    /** Largest amplitude of each blob harmonic, relative to the radius. */
    static final double MAX_WOBBLE = 0.12;

    /**
     * Draws a body whose long extent {@code 2a} is uniform in [minExtent, maxExtent) pixels; every parameter is
     * drawn whatever the kind, so the stream advances the same way for every outcome.
     */
    static BodyShape draw(SplitMix64 rng, double minExtent, double maxExtent) {
        Kind kind = Kind.values()[rng.nextInt(Kind.values().length)];
        double a = rng.uniform(minExtent, maxExtent) / 2.0;
        double b = a * rng.uniform(MIN_ASPECT, 1.0);
        double angle = rng.uniform(0.0, Math.PI);
        double w2 = rng.uniform(0.0, MAX_WOBBLE);
        double w3 = rng.uniform(0.0, MAX_WOBBLE);
        double p2 = rng.uniform(0.0, 2.0 * Math.PI);
        double p3 = rng.uniform(0.0, 2.0 * Math.PI);
        if (kind != Kind.BLOB) {
            w2 = 0.0;
            w3 = 0.0;
        }
        return new BodyShape(kind, a, b, angle, w2, w3, p2, p3);
    }

    /** A radius (pixels) that no point of the body exceeds, in any rotation. */
    int reach() {
        return (int) Math.ceil(Math.hypot(a, b) * (1.0 + wobble2 + wobble3)) + 1;
    }

    /** True if the offset (dx, dy) from the body's centre lies in the body. */
    boolean contains(double dx, double dy) {
        double c = StrictMath.cos(angle);
        double s = StrictMath.sin(angle);
        double x = (dx * c + dy * s) / a;
        double y = (-dx * s + dy * c) / b;
        return switch (kind) {
            case ELLIPSE -> x * x + y * y <= 1.0;
            case ROUNDED -> x * x * x * x + y * y * y * y <= 1.0;
            case BLOB -> {
                double r = Math.sqrt(x * x + y * y);
                double theta = StrictMath.atan2(y, x);
                yield r <= 1.0 + wobble2 * StrictMath.sin(2.0 * theta + phase2) + wobble3 * StrictMath.sin(3.0 * theta + phase3);
            }
        };
    }
}
