package ai.seamstream.core.synth;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;

/** Paints a composed {@link Scene} into its RGB image and its ground-truth label mask. */
final class ScenePainter {
    /** Amplitude (grey levels, ±) of a body's per-pixel noise: low, so bodies stay coherent for pixel affinity. */
    static final double BODY_NOISE = 4.0;

    private ScenePainter() {
    }

    /**
     * Background, then context bands in order, then objects in order (later on top), each marking over its body: in
     * its class colour mixed with the body's by {@code markingTint}, or, when {@code markingShade} is above 0, in the
     * body's own colour times {@code markingShade}.
     */
    static RgbImage image(Scene scene, int width, int height, double markingTint, double markingShade) {
        var rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                Colour c = scene.background().colourAt(x, y, width, height);
                for (ContextBand band : scene.contexts()) {
                    if (band.covers(x, y, width, height)) {
                        c = band.colourAt(x, y, width, height);
                    }
                }
                for (Scene.PlacedObject o : scene.objects()) {
                    int p = y * width + x;
                    if (o.markingPixels()[p]) {
                        c = markingShade > 0 ? bodyColour(o, x, y).times(markingShade)
                                : markingTint >= 1.0 ? o.marking().colour : bodyColour(o, x, y).lerp(o.marking().colour, markingTint);
                    } else if (o.body()[p]) {
                        c = bodyColour(o, x, y);
                    }
                }
                put(rgb, 3 * (y * width + x), c);
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /**
     * The mask: each object's body pixels carry its class index, later objects over earlier ones; context bands and
     * the plain background are 0; then the ignore band of the given width (0 for none).
     */
    static LabelMask mask(Scene scene, int width, int height, int ignoreBand) {
        var labels = new byte[width * height];
        for (Scene.PlacedObject o : scene.objects()) {
            for (int p = 0; p < labels.length; p++) {
                if (o.body()[p]) {
                    labels[p] = (byte) o.classIndex();
                }
            }
        }
        return new LabelMask(width, height, Morphology.ignoreBand(labels, width, height, ignoreBand, (byte) LabelMask.IGNORE));
    }

    /** The body's flat colour with linear shading along its shade direction and grey noise. */
    private static Colour bodyColour(Scene.PlacedObject o, int x, int y) {
        double dx = x + 0.5 - (o.centreX() + 0.5);
        double dy = y + 0.5 - (o.centreY() + 0.5);
        double along = dx * StrictMath.cos(o.shadeAngle()) + dy * StrictMath.sin(o.shadeAngle());
        double shade = 1.0 + o.shadeStrength() * along / o.shape().a();
        double noise = (SplitMix64.hashUnit(o.noiseKey(), x, y) - 0.5) * 2.0 * BODY_NOISE;
        return o.colour().times(shade).plus(noise);
    }

    private static void put(byte[] rgb, int offset, Colour c) {
        rgb[offset] = quantise(c.r());
        rgb[offset + 1] = quantise(c.g());
        rgb[offset + 2] = quantise(c.b());
    }

    private static byte quantise(double v) {
        long q = Math.round(v);
        return (byte) (q < 0 ? 0 : Math.min(255, q));
    }
}
