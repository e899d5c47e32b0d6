package ai.seamstream.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NormalizationTest {
    private static final Normalization N = Normalization.IMAGENET;

    @Test
    void imagenetConstants() {
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, N.mean());
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, N.std());
    }

    @Test
    void handWorkedPixels() {
        // 2x1 image: (255, 0, 128), (0, 255, 64). Each value is (v/255 − mean)/std in double, rounded to float.
        RgbImage img = new RgbImage(2, 1, new byte[] {(byte) 255, 0, (byte) 128, 0, (byte) 255, 64});
        float[] chw = N.toChw(img);
        assertArrayEquals(new float[] {
            (float) ((1.0 - 0.485) / 0.229), (float) (-0.485 / 0.229),           // R plane: 2.2489, −2.1179
            (float) (-0.456 / 0.224), (float) ((1.0 - 0.456) / 0.224),           // G plane
            (float) ((128 / 255.0 - 0.406) / 0.225), (float) ((64 / 255.0 - 0.406) / 0.225)}, chw);
        assertEquals(2.2489083f, chw[0], 1e-6f);
        assertEquals(-2.1179039f, chw[1], 1e-6f);
    }

    @Test
    void usesTheDecimalConstantsLikeNumpy() {
        // (v/255 − 0.485)/0.229 with the double 0.485 differs from the float 0.485f for some v; numpy uses the former.
        RgbImage img = RgbImage.blank(256, 1);
        for (int v = 0; v < 256; v++) {
            img.set(v, 0, 0, v);
        }
        float[] chw = N.toChw(img);
        int differFromFloatConstants = 0;
        for (int v = 0; v < 256; v++) {
            assertEquals((float) ((v / 255.0 - 0.485) / 0.229), chw[v], "level " + v);
            if (chw[v] != (float) ((v / 255.0 - 0.485f) / 0.229f)) {
                differFromFloatConstants++;
            }
        }
        // The distinction is real: most levels would come out one float step off with the float constants.
        assertTrue(differFromFloatConstants > 50, "only " + differFromFloatConstants + " levels differ");
    }

    @Test
    void flipMirrorsEachRow() {
        RgbImage img = GoldenFiles.pattern(5, 3);
        float[] plain = N.toChw(img);
        float[] flipped = N.toChw(img, true);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 5; x++) {
                    assertEquals(plain[(c * 3 + y) * 5 + 4 - x], flipped[(c * 3 + y) * 5 + x]);
                }
            }
        }
    }

    @Test
    void toImageInvertsEveryLevelAndClips() {
        RgbImage img = GoldenFiles.pattern(16, 16);
        assertArrayEquals(img.rgb(), N.toImage(N.toChw(img), 16, 16).rgb());
        float[] extreme = {100f, -100f, Float.NaN};
        // 3x1x1: R far above 255, G far below 0, B NaN -> 255, 0, 0.
        assertArrayEquals(new byte[] {(byte) 255, 0, 0}, N.toImage(extreme, 1, 1).rgb());
        assertThrows(IllegalArgumentException.class, () -> N.toImage(new float[5], 1, 1));
        assertThrows(IllegalArgumentException.class, () -> N.toImage(new float[3], 0, 1));
    }

    @Test
    void valueSemanticsAndDefensiveCopies() {
        float[] mean = {0.5f, 0.5f, 0.5f};
        Normalization n = new Normalization(mean, new float[] {0.25f, 0.25f, 0.25f});
        mean[0] = 9f;
        assertEquals(0.5f, n.mean()[0]);
        n.mean()[1] = 9f;
        assertEquals(0.5f, n.mean()[1]);
        assertEquals(n, new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}));
        assertEquals(n.hashCode(),
                new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}).hashCode());
        assertNotEquals(n, N);
        // x' = (x/255 − 0.5)/0.25: 255 -> 2, 0 -> −2.
        RgbImage white = new RgbImage(1, 1, new byte[] {(byte) 255, 0, (byte) 255});
        assertArrayEquals(new float[] {2f, -2f, 2f}, n.toChw(white));
    }

    @Test
    void refusesBadStatistics() {
        float[] ok = {0.5f, 0.5f, 0.5f};
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[2], ok));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(ok, new float[] {0.2f, 0f, 0.2f}));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(ok, new float[] {0.2f, -1f, 0.2f}));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {Float.NaN, 0, 0}, ok));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(null, ok));
    }
}
