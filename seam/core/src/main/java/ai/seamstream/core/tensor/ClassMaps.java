package ai.seamstream.core.tensor;

import java.util.Arrays;

/**
 * A stack of per-class score maps (one image's CAM): {@code channels × height × width} floats, channel-major
 * ({@code data[(c*height + y)*width + x]}).
 *
 * <p>The array is shared, not copied.
 */
public record ClassMaps(int channels, int height, int width, float[] data) {
    public ClassMaps {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("map dimensions must be positive, got " + channels + "x" + height + "x" + width);
        }
        if (data == null || data.length != (long) channels * height * width) {
            throw new IllegalArgumentException("expected " + ((long) channels * height * width) + " values for "
                    + channels + "x" + height + "x" + width + ", got " + (data == null ? "null" : data.length));
        }
    }

    /** All-zero maps of the given size. */
    public static ClassMaps zeros(int channels, int height, int width) {
        return new ClassMaps(channels, height, width, new float[channels * height * width]);
    }

    public int planeSize() {
        return height * width;
    }

    /** Offset of channel c's plane in {@link #data()}. */
    public int offset(int c) {
        return c * height * width;
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    public void set(int c, int y, int x, float v) {
        data[(c * height + y) * width + x] = v;
    }

    /** A deep copy. */
    public ClassMaps copy() {
        return new ClassMaps(channels, height, width, Arrays.copyOf(data, data.length));
    }
}
