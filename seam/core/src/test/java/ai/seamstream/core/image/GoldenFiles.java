package ai.seamstream.core.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Inputs and outputs of {@code src/test/resources/image-golden/make_golden.py}: the inputs are recomputed here from
 * the same integer formulas, the outputs read from the files it wrote with PIL 9.4 and torch 1.13.
 */
public final class GoldenFiles {
    private GoldenFiles() {
    }

    /** make_golden.py's {@code pattern(w, h)}: checkerboard red, ramp green, hashed blue, grey first row. */
    public static RgbImage pattern(int w, int h) {
        byte[] data = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = ((x / 3) + (y / 2)) % 2 == 0 ? 255 : 0;
                int g = (x * 255 / Math.max(1, w - 1) + y * 7) % 256;
                int b = (x * x * 7 + y * y * 3 + x * y * 5 + ((x * 13 + y * 29) % 11) * 23) % 256;
                if (y == 0) {
                    r = (x * 37) % 256;
                    g = r;
                    b = r;
                }
                int i = 3 * (y * w + x);
                data[i] = (byte) r;
                data[i + 1] = (byte) g;
                data[i + 2] = (byte) b;
            }
        }
        return new RgbImage(w, h, data);
    }

    /** make_golden.py's {@code ramp(c, h, w)}: a C×H×W float array from an integer formula. */
    public static float[] ramp(int c, int h, int w) {
        float[] a = new float[c * h * w];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    a[(k * h + y) * w + x] = (float) (((k * 131 + y * 31 + x * 17 + x * y) % 97) / 97.0 - 0.5);
                }
            }
        }
        return a;
    }

    /** The bytes of a golden file. */
    public static byte[] bytes(String name) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/image-golden/" + name)) {
            if (in == null) {
                throw new IllegalStateException("golden file image-golden/" + name
                        + " is missing: run make_golden.py with /usr/bin/python3");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A golden file of little-endian float32 values. */
    public static float[] floats(String name) {
        byte[] b = bytes(name);
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }
}
