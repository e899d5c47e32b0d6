package ai.seamstream.core.image;

import java.util.Arrays;

/**
 * Per-channel image normalisation {@code x' = (x/255 − mean)/std} (SEAM-METHOD §0), between 8-bit RGB images and
 * channel-major float arrays.
 *
 * <p>The arithmetic is the reference's: {@code x/255}, the subtraction and the division in double with the
 * constants' decimal values (0.485, not the float nearest to it), then one rounding to float.
 *
 * @param mean the per-channel mean (R, G, B) on the 0..1 scale; copied
 * @param std  the per-channel standard deviation (R, G, B), each positive; copied
 */
public record Normalization(float[] mean, float[] std) {
    /** ImageNet statistics: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225). */
    public static final Normalization IMAGENET = new Normalization(
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    public Normalization {
        if (mean == null || mean.length != 3 || std == null || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (R, G, B), got "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        for (int c = 0; c < 3; c++) {
            if (!Float.isFinite(mean[c]) || !(std[c] > 0f) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("mean must be finite and std positive and finite, got mean "
                        + Arrays.toString(mean) + " std " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** A copy of the per-channel means. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the per-channel standard deviations. */
    @Override
    public float[] std() {
        return std.clone();
    }

    /** The normalised image as a {@code 3 × H × W} channel-major array. */
    public float[] toChw(RgbImage img) {
        return toChw(img, false);
    }

    /** The normalised image as a {@code 3 × H × W} channel-major array, mirrored left to right if asked. */
    public float[] toChw(RgbImage img, boolean flipHorizontal) {
        float[][] lut = lookupTable();
        int w = img.width();
        int h = img.height();
        int plane = w * h;
        byte[] rgb = img.rgb();
        float[] out = new float[3 * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int src = 3 * (y * w + (flipHorizontal ? w - 1 - x : x));
                int dst = y * w + x;
                out[dst] = lut[0][rgb[src] & 0xFF];
                out[plane + dst] = lut[1][rgb[src + 1] & 0xFF];
                out[2 * plane + dst] = lut[2][rgb[src + 2] & 0xFF];
            }
        }
        return out;
    }

    /**
     * The inverse, for visualisation: {@code round((x'·std + mean)·255)} clipped to 0..255, from a
     * {@code 3 × h × w} channel-major array.
     *
     * @throws IllegalArgumentException if a size is not positive or the array length is not 3·h·w
     */
    public RgbImage toImage(float[] chw, int h, int w) {
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + h + "x" + w);
        }
        if (chw == null || chw.length != 3L * h * w) {
            throw new IllegalArgumentException("expected " + (3L * h * w) + " values for 3x" + h + "x" + w
                    + ", got " + (chw == null ? "null" : chw.length));
        }
        int plane = h * w;
        byte[] rgb = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            double m = decimal(mean[c]);
            double s = decimal(std[c]);
            for (int i = 0; i < plane; i++) {
                double v = Math.rint((chw[c * plane + i] * s + m) * 255.0);
                // NaN compares false both ways and lands on 0.
                rgb[3 * i + c] = (byte) (v >= 255.0 ? 255 : v > 0.0 ? (int) v : 0);
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** The 256 normalised values of each channel. */
    private float[][] lookupTable() {
        float[][] lut = new float[3][256];
        for (int c = 0; c < 3; c++) {
            double m = decimal(mean[c]);
            double s = decimal(std[c]);
            for (int v = 0; v < 256; v++) {
                lut[c][v] = (float) ((v / 255.0 - m) / s);
            }
        }
        return lut;
    }

    /** The shortest decimal that reads back as this float, as a double: 0.485f gives 0.485, as Python has it. */
    private static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
