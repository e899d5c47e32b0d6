package ai.seamstream.core.image;

/**
 * An 8-bit RGB image, pixels interleaved row-major ({@code rgb[3*(y*width+x)+c]}, c = 0 red, 1 green, 2 blue).
 *
 * <p>The array is shared, not copied: treat it as read-only once the image is built.
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb == null || rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("expected " + (3L * width * height) + " RGB bytes for " + width + "x" + height
                    + ", got " + (rgb == null ? "null" : rgb.length));
        }
    }

    /** A black image of the given size. */
    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[3 * width * height]);
    }

    /** Channel value 0..255 at (x, y). */
    public int get(int x, int y, int channel) {
        return rgb[3 * (y * width + x) + channel] & 0xFF;
    }

    public void set(int x, int y, int channel, int value) {
        rgb[3 * (y * width + x) + channel] = (byte) Math.max(0, Math.min(255, value));
    }
}
