package ai.seamstream.core.mask;

/**
 * A per-pixel class-index mask: values 0..254 are class indices into a {@code ClassVocabulary}, {@link #IGNORE}
 * (255) marks pixels that count for nothing (object borders in VOC). Row-major, {@code labels[y*width+x]}.
 *
 * <p>The array is shared, not copied.
 */
public record LabelMask(int width, int height, byte[] labels) {
    /** The index of pixels excluded from evaluation. */
    public static final int IGNORE = 255;

    public LabelMask {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
        }
        if (labels == null || labels.length != width * height) {
            throw new IllegalArgumentException("expected " + (width * height) + " labels for " + width + "x" + height
                    + ", got " + (labels == null ? "null" : labels.length));
        }
    }

    /** An all-background mask. */
    public static LabelMask zeros(int width, int height) {
        return new LabelMask(width, height, new byte[width * height]);
    }

    /** Class index 0..255 at (x, y). */
    public int get(int x, int y) {
        return labels[y * width + x] & 0xFF;
    }

    public void set(int x, int y, int classIndex) {
        if (classIndex < 0 || classIndex > IGNORE) {
            throw new IllegalArgumentException("class index must be 0..255, got " + classIndex);
        }
        labels[y * width + x] = (byte) classIndex;
    }
}
