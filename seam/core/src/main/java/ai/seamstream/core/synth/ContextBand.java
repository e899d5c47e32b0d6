package ai.seamstream.core.synth;

/**
 * One context drawn in one image: a band along an image edge whose inner border waves gently, filled with its
 * kind's texture.
 */
record ContextBand(ContextKind kind, Edge edge, double thickness, double waveAmplitude, double waveLength,
        double wavePhase, ContextKind.BandTexture texture) {

    /** The image edges a band can lie on; an image never has two bands on one edge. */
    enum Edge {
        BOTTOM, TOP, LEFT, RIGHT;

        boolean horizontal() {
            return this == BOTTOM || this == TOP;
        }
    }

    /** Fraction of the image's depth span that a band covers, lower and upper bound. */
    static final double MIN_THICKNESS = 0.22;
    static final double MAX_THICKNESS = 0.32;

    static ContextBand draw(SplitMix64 rng, ContextKind kind, Edge edge, int width, int height) {
        int span = edge.horizontal() ? height : width;
        int length = edge.horizontal() ? width : height;
        double thickness = rng.uniform(MIN_THICKNESS, MAX_THICKNESS) * span;
        double amplitude = rng.uniform(0.0, 0.04) * span;
        double waveLength = rng.uniform(0.5, 1.2) * length;
        double phase = rng.uniform(0.0, 2.0 * Math.PI);
        return new ContextBand(kind, edge, thickness, amplitude, waveLength, phase, kind.draw(rng));
    }

    /** The coordinate parallel to the band's edge at the centre of pixel (x, y). */
    double along(int x, int y) {
        return edge.horizontal() ? x + 0.5 : y + 0.5;
    }

    /** The distance from the band's edge to the centre of pixel (x, y). */
    double depth(int x, int y, int width, int height) {
        return switch (edge) {
            case BOTTOM -> height - (y + 0.5);
            case TOP -> y + 0.5;
            case LEFT -> x + 0.5;
            case RIGHT -> width - (x + 0.5);
        };
    }

    /** True if pixel (x, y) lies in the band. */
    boolean covers(int x, int y, int width, int height) {
        double limit = thickness + waveAmplitude * StrictMath.sin(2.0 * Math.PI * along(x, y) / waveLength + wavePhase);
        return depth(x, y, width, height) < limit;
    }

    /** The band's colour at pixel (x, y) (meaningful where {@link #covers} holds). */
    Colour colourAt(int x, int y, int width, int height) {
        return texture.colourAt(along(x, y), depth(x, y, width, height), thickness);
    }
}
