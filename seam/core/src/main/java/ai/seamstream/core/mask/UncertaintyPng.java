package ai.seamstream.core.mask;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Stores a per-pixel map of values in [0, 1] (uncertainty, confidence) as an 8-bit greyscale PNG, value v becoming
 * grey level {@code round(255 * clamp(v, 0, 1))} and grey level g reading back as {@code g / 255}.
 *
 * <p>The quantisation error is therefore at most 1/510 for values inside [0, 1].
 */
public final class UncertaintyPng {
    private UncertaintyPng() {
    }

    /** A decoded map: {@code values[y*width+x]} in [0, 1]. The array is shared, not copied. */
    public record Decoded(int width, int height, float[] values) {
        public Decoded {
            Objects.requireNonNull(values, "values");
            if (values.length != (long) width * height) {
                throw new IllegalArgumentException("expected " + ((long) width * height) + " values for " + width + "x"
                        + height + ", got " + values.length);
            }
        }
    }

    /**
     * Encodes a row-major map as an 8-bit greyscale PNG.
     *
     * @throws IllegalArgumentException if the size is not positive, the array length is not width*height, or a
     *     value is NaN
     */
    public static byte[] encode(float[] values, int width, int height) {
        Objects.requireNonNull(values, "values");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("map size must be positive, got " + width + "x" + height);
        }
        if (values.length != (long) width * height) {
            throw new IllegalArgumentException("expected " + ((long) width * height) + " values for " + width + "x"
                    + height + ", got " + values.length);
        }
        var grey = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            grey[i] = (byte) quantize(values[i], i);
        }
        var image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, width, height, grey);
        return PngHeader.write(image);
    }

    /**
     * Decodes an 8-bit greyscale PNG into values {@code g / 255}, row-major; {@link #decodeWithSize} also gives the
     * size.
     *
     * @throws MaskFormatException "sourceName: reason" if the bytes are not an intact 8-bit greyscale PNG
     */
    public static float[] decode(byte[] png, String sourceName) throws MaskFormatException {
        return decodeWithSize(png, sourceName).values();
    }

    /**
     * Decodes an 8-bit greyscale PNG into its size and values {@code g / 255}.
     *
     * @throws MaskFormatException "sourceName: reason" if the bytes are not an intact 8-bit greyscale PNG
     */
    public static Decoded decodeWithSize(byte[] png, String sourceName) throws MaskFormatException {
        PngHeader header = PngHeader.parse(png, sourceName);
        if (header.colorType() != PngHeader.GREYSCALE || header.bitDepth() != 8) {
            throw new MaskFormatException(sourceName, "a [0,1] map must be an 8-bit greyscale PNG, this is "
                    + header.describe());
        }
        int[] samples = PngHeader.samples(png, header, sourceName);
        var values = new float[samples.length];
        for (int i = 0; i < samples.length; i++) {
            values[i] = samples[i] / 255f;
        }
        return new Decoded(header.width(), header.height(), values);
    }

    /** The grey level of one value: {@code round(255 * clamp(v, 0, 1))}. */
    static int quantize(float v, int index) {
        if (Float.isNaN(v)) {
            throw new IllegalArgumentException("value " + index + " is NaN");
        }
        float clamped = Math.max(0f, Math.min(1f, v));
        return Math.round(255f * clamped);
    }
}
