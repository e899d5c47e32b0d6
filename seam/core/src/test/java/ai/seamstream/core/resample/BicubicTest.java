package ai.seamstream.core.resample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.seamstream.core.image.GoldenFiles;
import ai.seamstream.core.image.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BicubicTest {
    /** Golden bytes from PIL 9.4 {@code Image.resize((w, h), Image.BICUBIC)}, written by make_golden.py. */
    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
    @CsvSource({"23, 17, 11, 7", "23, 17, 5, 3", "23, 17, 41, 29", "23, 17, 30, 9", "23, 17, 1, 1", "23, 17, 23, 9",
            "23, 17, 15, 17", "97, 131, 13, 17", "5, 7, 12, 9"})
    void equalsPilBitForBit(int inW, int inH, int outW, int outH) {
        byte[] pil = GoldenFiles.bytes("bicubic_" + inW + "x" + inH + "_to_" + outW + "x" + outH + ".rgb");
        RgbImage out = Bicubic.resize(GoldenFiles.pattern(inW, inH), outW, outH);
        assertEquals(outW, out.width());
        assertEquals(outH, out.height());
        assertArrayEquals(pil, out.rgb());
    }

    @Test
    void kernelValuesByHand() {
        // a = −0.5: 1.5|x|³ − 2.5|x|² + 1 on [0, 1), −0.5|x|³ + 2.5|x|² − 4|x| + 2 on [1, 2).
        assertEquals(1.0, Bicubic.filter(0.0));
        assertEquals(0.5625, Bicubic.filter(0.5));
        assertEquals(0.5625, Bicubic.filter(-0.5));
        assertEquals(0.0, Bicubic.filter(1.0), 0.0);
        assertEquals(-0.0625, Bicubic.filter(1.5));
        assertEquals(0.0, Bicubic.filter(2.0), 0.0);
        assertEquals(0.0, Bicubic.filter(-3.0), 0.0);
    }

    @Test
    void fixedPointWeightsOfAnExactHalvingByHand() {
        // 4 -> 2: scale 2 stretches the support to 4; output 0 is centred on 1.0, so xmin = max(0, int(−2.5)) = 0,
        // xmax = min(4, int(5.5)) = 4, and taps x = 0..3 sit at (x + 0.5 − 1)/2 = −0.25, 0.25, 0.75, 1.25:
        // k(0.25) = 1.5·0.25³ − 2.5·0.25² + 1 = 0.8671875, k(0.75) = 0.2265625,
        // k(1.25) = −0.5·1.25³ + 2.5·1.25² − 4·1.25 + 2 = −0.0703125; they sum to 1.890625.
        Bicubic.Coefficients co = Bicubic.coefficients(4, 2);
        assertEquals(0, co.first()[0]);
        assertEquals(4, co.count()[0]);
        double[] w = {0.8671875, 0.8671875, 0.2265625, -0.0703125};
        for (int x = 0; x < 4; x++) {
            // None of these lands on an exact half step, where PIL (away from zero) and Math.round could differ.
            int expected = (int) Math.round(w[x] / 1.890625 * (1 << 22));
            assertEquals(expected, co.k()[x], "tap " + x);
        }
        // Output 1 is centred on 3.0: xmin = int(−0.5) = 0 (C truncates toward zero), the same taps mirrored.
        assertEquals(0, co.first()[1]);
        assertEquals(4, co.count()[1]);
        assertEquals(co.k()[0], co.k()[co.ksize() + 3]);
    }

    @Test
    void constantImagesStayConstant() {
        RgbImage flat = RgbImage.blank(19, 11);
        for (int y = 0; y < 11; y++) {
            for (int x = 0; x < 19; x++) {
                flat.set(x, y, 0, 200);
                flat.set(x, y, 1, 7);
                flat.set(x, y, 2, 128);
            }
        }
        for (int[] size : new int[][] {{5, 3}, {40, 23}, {19, 4}, {1, 1}}) {
            RgbImage out = Bicubic.resize(flat, size[0], size[1]);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    assertEquals(200, out.get(x, y, 0));
                    assertEquals(7, out.get(x, y, 1));
                    assertEquals(128, out.get(x, y, 2));
                }
            }
        }
    }

    @Test
    void sameSizeIsACopy() {
        RgbImage img = GoldenFiles.pattern(6, 4);
        RgbImage out = Bicubic.resize(img, 6, 4);
        assertArrayEquals(img.rgb(), out.rgb());
        assertNotSame(img.rgb(), out.rgb());
    }

    @Test
    void refusesNonPositiveSizes() {
        RgbImage img = RgbImage.blank(3, 3);
        assertThrows(IllegalArgumentException.class, () -> Bicubic.resize(img, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> Bicubic.resize(img, 3, -1));
    }
}
