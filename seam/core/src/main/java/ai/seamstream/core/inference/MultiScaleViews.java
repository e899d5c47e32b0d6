package ai.seamstream.core.inference;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.resample.Bicubic;
import ai.seamstream.core.resample.Rounding;

/** The scaled inputs of multi-scale inference (SEAM-METHOD §3), shared by every engine so that all see one image. */
public final class MultiScaleViews {
    private MultiScaleViews() {
    }

    /**
     * The image at scale {@code s}: PIL-exact bicubic to {@code round_half_even(side·s)} (at least 1 pixel) per side;
     * scale 1 is the image itself.
     */
    public static RgbImage scaled(RgbImage image, double s) {
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("scale must be positive and finite, got " + s);
        }
        if (s == 1.0) {
            return image;
        }
        return Bicubic.resize(image, Math.max(1, (int) Rounding.roundHalfEven(image.width() * s)),
                Math.max(1, (int) Rounding.roundHalfEven(image.height() * s)));
    }

    /** The scale whose class scores give the probabilities: the one closest to 1 (the first of a tie). */
    public static double probabilityScale(double[] scales) {
        if (scales.length == 0) {
            throw new IllegalArgumentException("no scales");
        }
        double best = scales[0];
        for (double s : scales) {
            if (Math.abs(s - 1) < Math.abs(best - 1)) {
                best = s;
            }
        }
        return best;
    }
}
