package ai.seamstream.core.resample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.seamstream.core.image.GoldenFiles;
import ai.seamstream.core.tensor.ClassMaps;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BilinearTest {
    /**
     * A direct per-pixel bilinear interpolation written from PyTorch's definition (SEAM-METHOD §0), independent of
     * InterpolationMatrix.
     */
    static float[] naive(float[] in, int channels, int inH, int inW, int outH, int outW, boolean alignCorners) {
        float[] out = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < outH; oy++) {
                double sy = source(oy, inH, outH, alignCorners);
                int y0 = (int) Math.floor(sy);
                int y1 = y0 < inH - 1 ? y0 + 1 : y0;
                float ly = (float) (sy - y0);
                for (int ox = 0; ox < outW; ox++) {
                    double sx = source(ox, inW, outW, alignCorners);
                    int x0 = (int) Math.floor(sx);
                    int x1 = x0 < inW - 1 ? x0 + 1 : x0;
                    float lx = (float) (sx - x0);
                    int base = c * inH * inW;
                    float top = (1 - lx) * in[base + y0 * inW + x0] + lx * in[base + y0 * inW + x1];
                    float bottom = (1 - lx) * in[base + y1 * inW + x0] + lx * in[base + y1 * inW + x1];
                    out[(c * outH + oy) * outW + ox] = (1 - ly) * top + ly * bottom;
                }
            }
        }
        return out;
    }

    /** PyTorch's source coordinate: the scale in float32, the position in double (SEAM-METHOD §0). */
    private static double source(int dst, int in, int out, boolean alignCorners) {
        if (alignCorners) {
            return out == 1 ? 0.0 : (double) ((float) (in - 1) / (out - 1)) * dst;
        }
        return Math.max(0.0, (double) ((float) in / out) * (dst + 0.5) - 0.5);
    }

    @ParameterizedTest(name = "{0}x{1}x{2} -> {3}x{4}")
    @CsvSource({"2, 97, 131, 13, 17", "2, 5, 7, 12, 9", "1, 5, 7, 1, 1", "1, 5, 7, 1, 4", "3, 3, 4, 8, 10",
            "1, 6, 6, 6, 6", "1, 1, 5, 3, 9", "1, 13, 17, 97, 131", "2, 1, 1, 4, 3"})
    void matchesDirectPerPixelInterpolation(int c, int inH, int inW, int outH, int outW) {
        float[] in = GoldenFiles.ramp(c, inH, inW);
        for (boolean ac : new boolean[] {true, false}) {
            float[] expected = naive(in, c, inH, inW, outH, outW, ac);
            assertArrayEquals(expected, Bilinear.resize(in, c, inH, inW, outH, outW, ac), 1e-6f,
                    "align_corners=" + ac);
        }
    }

    /** Golden values from torch 1.13 {@code F.interpolate(size=..., mode='bilinear')}, written by make_golden.py. */
    @ParameterizedTest(name = "{0}x{1}x{2} -> {3}x{4}")
    @CsvSource({"2, 97, 131, 13, 17", "2, 5, 7, 12, 9", "1, 5, 7, 1, 1", "1, 5, 7, 1, 4", "3, 3, 4, 8, 10",
            "1, 6, 6, 6, 6", "1, 1, 5, 3, 9"})
    void matchesPyTorch(int c, int inH, int inW, int outH, int outW) {
        float[] in = GoldenFiles.ramp(c, inH, inW);
        for (boolean ac : new boolean[] {true, false}) {
            String name = "bilinear_" + c + "x" + inH + "x" + inW + "_to_" + outH + "x" + outW + "_"
                    + (ac ? "ac" : "nac") + ".f32";
            float[] torch = GoldenFiles.floats(name);
            assertEquals(c * outH * outW, torch.length, name);
            // torch 1.13 keeps the source coordinate (float scale)·(i+0.5)−0.5 in double, as InterpolationMatrix does;
            // what remains is summation order (at most 3e-8 measured). A float coordinate would be off by 2.6e-6.
            assertArrayEquals(torch, Bilinear.resize(in, c, inH, inW, outH, outW, ac), 5e-7f, name);
        }
    }

    @Test
    void sameSizeWithoutAlignCornersIsIdentity() {
        float[] in = GoldenFiles.ramp(2, 6, 5);
        assertArrayEquals(in, Bilinear.resize(in, 2, 6, 5, 6, 5, false));
        assertArrayEquals(in, Bilinear.resize(in, 2, 6, 5, 6, 5, true));
    }

    @Test
    void handWorkedUpscaleOfTwoPixels() {
        // 1x2 -> 1x3, align_corners=true: samples at x = 0, 0.5, 1.
        assertArrayEquals(new float[] {2f, 3f, 4f}, Bilinear.resize(new float[] {2f, 4f}, 1, 1, 2, 1, 3, true));
        // align_corners=false: src = (i+0.5)·2/3 − 0.5 = −1/6 (clamped to 0), 0.5, 7/6 (past the end: x1 = x0 = 1).
        float[] nac = Bilinear.resize(new float[] {2f, 4f}, 1, 1, 2, 1, 3, false);
        assertArrayEquals(new float[] {2f, 3f, 4f}, nac, 1e-6f);
    }

    @Test
    void classMapsResizeAndFlip() {
        ClassMaps maps = new ClassMaps(2, 3, 4, GoldenFiles.ramp(2, 3, 4));
        ClassMaps big = Bilinear.resize(maps, 7, 9, false);
        assertEquals(2, big.channels());
        assertEquals(7, big.height());
        assertEquals(9, big.width());
        assertArrayEquals(Bilinear.resize(maps.data(), 2, 3, 4, 7, 9, false), big.data());

        ClassMaps flipped = Bilinear.flipHorizontal(maps);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    assertEquals(maps.get(c, y, 3 - x), flipped.get(c, y, x));
                }
            }
        }
        assertArrayEquals(maps.data(), Bilinear.flipHorizontal(flipped).data());
    }

    @Test
    void scaledSizeIsFloorOfTheDoubleProduct() {
        assertEquals(134, Bilinear.scaledSize(448, 0.3));
        assertEquals(250, Bilinear.scaledSize(500, 0.5));
        assertEquals(562, Bilinear.scaledSize(375, 1.5));
        assertEquals(1000, Bilinear.scaledSize(500, 2.0));
        // 100 * 0.29 is 28.999999999999996 in double: Python's floor gives 28, and so must we.
        assertEquals(28, Bilinear.scaledSize(100, 0.29));
        assertThrows(IllegalArgumentException.class, () -> Bilinear.scaledSize(3, 0.1));
        assertThrows(IllegalArgumentException.class, () -> Bilinear.scaledSize(0, 2.0));
        assertThrows(IllegalArgumentException.class, () -> Bilinear.scaledSize(10, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Bilinear.scaledSize(10, -1));
    }

    @Test
    void refusesBadSizes() {
        float[] in = new float[12];
        assertThrows(IllegalArgumentException.class, () -> Bilinear.resize(in, 1, 3, 4, 0, 2, true));
        assertThrows(IllegalArgumentException.class, () -> Bilinear.resize(in, 1, 3, 5, 2, 2, true));
        assertThrows(IllegalArgumentException.class, () -> Bilinear.resize(null, 1, 3, 4, 2, 2, true));
    }
}
