package ai.seamstream.core.augment;

import ai.seamstream.core.image.Normalization;

/**
 * Settings of the training-time image transform (SEAM-METHOD §2).
 *
 * @param cropSize   side of the square output crop, in pixels
 * @param longMin    smallest long side of the random resize (inclusive)
 * @param longMax    largest long side of the random resize (inclusive)
 * @param flip       whether to mirror left to right with probability ½
 * @param brightness brightness jitter b: factor uniform in [max(0, 1−b), 1+b]; 0 disables it
 * @param contrast   contrast jitter, as brightness
 * @param saturation saturation jitter, as brightness
 * @param hue        hue jitter h ≤ 0.5: shift uniform in [−h, h] of the hue circle; 0 disables it
 * @param norm       the normalisation applied before cropping
 */
public record AugmentConfig(int cropSize, int longMin, int longMax, boolean flip, double brightness, double contrast,
        double saturation, double hue, Normalization norm) {

    public AugmentConfig {
        if (cropSize <= 0) {
            throw new IllegalArgumentException("cropSize must be positive, got " + cropSize);
        }
        if (longMin <= 0 || longMax < longMin) {
            throw new IllegalArgumentException("need 0 < longMin <= longMax, got longMin=" + longMin
                    + " longMax=" + longMax);
        }
        requireJitter("brightness", brightness);
        requireJitter("contrast", contrast);
        requireJitter("saturation", saturation);
        if (!(hue >= 0 && hue <= 0.5)) {
            throw new IllegalArgumentException("hue must be within [0, 0.5], got " + hue);
        }
        if (norm == null) {
            throw new IllegalArgumentException("norm must not be null");
        }
    }

    /**
     * The reference's training transform: crop 448, long side uniform in 448..768, flip, jitter (0.3, 0.3, 0.3, hue
     * 0.1), ImageNet normalisation.
     */
    public static AugmentConfig reference() {
        return new AugmentConfig(448, 448, 768, true, 0.3, 0.3, 0.3, 0.1, Normalization.IMAGENET);
    }

    /** A copy with the given crop size and long-side range (for small test images or a smaller network input). */
    public AugmentConfig withSizes(int cropSize, int longMin, int longMax) {
        return new AugmentConfig(cropSize, longMin, longMax, flip, brightness, contrast, saturation, hue, norm);
    }

    /** A copy without colour jitter. */
    public AugmentConfig withoutJitter() {
        return new AugmentConfig(cropSize, longMin, longMax, flip, 0, 0, 0, 0, norm);
    }

    private static void requireJitter(String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
        }
    }
}
