package ai.seamstream.core.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.seamstream.core.image.GoldenFiles;
import ai.seamstream.core.image.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ColorJitterTest {
    private static RgbImage pixels(int... rgb) {
        return new RgbImage(rgb.length / 3, 1, bytes(rgb));
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void lumaIsPilsRoundedFixedPoint() {
        // (r·19595 + g·38470 + b·7471 + 32768) >> 16: red 5029493 >> 16 = 76, green 150, blue 29.
        assertEquals(76, ColorJitter.luma(255, 0, 0));
        assertEquals(150, ColorJitter.luma(0, 255, 0));
        assertEquals(29, ColorJitter.luma(0, 0, 255));
        // 200·19595 + 100·38470 + 50·7471 + 32768 = 8172318 -> 124.
        assertEquals(124, ColorJitter.luma(200, 100, 50));
        assertEquals(255, ColorJitter.luma(255, 255, 255));
    }

    @Test
    void brightnessScalesAndTruncates() {
        // 0.75·(100, 150, 201) = (75, 112.5, 150.75) -> truncated (75, 112, 150).
        assertArrayEquals(bytes(75, 112, 150), ColorJitter.brightness(pixels(100, 150, 201), 0.75).rgb());
        // 1.25·(100, 150, 220) = (125, 187.5, 275) -> (125, 187, clipped 255).
        assertArrayEquals(bytes(125, 187, 255), ColorJitter.brightness(pixels(100, 150, 220), 1.25).rgb());
    }

    @Test
    void contrastBlendsWithTheMeanGrey() {
        // Lumas 0 and 255, mean 127.5 -> grey int(128.0) = 128; 128 + 0.5·(0 − 128) = 64, 128 + 0.5·127 = 191.5 -> 191.
        assertArrayEquals(bytes(64, 64, 64, 191, 191, 191),
                ColorJitter.contrast(pixels(0, 0, 0, 255, 255, 255), 0.5).rgb());
        // 1.5: 128 − 192 = −64 -> 0, 128 + 190.5 -> 255.
        assertArrayEquals(bytes(0, 0, 0, 255, 255, 255),
                ColorJitter.contrast(pixels(0, 0, 0, 255, 255, 255), 1.5).rgb());
    }

    @Test
    void saturationBlendsWithTheLuma() {
        // Luma of (200, 100, 50) is 124: 124 + 0.5·(76, −24, −74) = (162, 112, 87).
        assertArrayEquals(bytes(162, 112, 87), ColorJitter.saturation(pixels(200, 100, 50), 0.5).rgb());
        assertArrayEquals(bytes(124, 124, 124), ColorJitter.saturation(pixels(200, 100, 50), 0.0).rgb());
        // 1.5: (238, 88, 13).
        assertArrayEquals(bytes(238, 88, 13), ColorJitter.saturation(pixels(200, 100, 50), 1.5).rgb());
    }

    @Test
    void hueShiftsInPilsEightBitHsv() {
        // (200, 100, 50): s = 150/200 -> 191, h = ((1 − 2/3)/6 + 1) mod 1 = 0.0556 -> 14, v = 200.
        int[] hsv = new int[3];
        ColorJitter.rgbToHsv(200, 100, 50, hsv);
        assertArrayEquals(new int[] {14, 191, 200}, hsv);
        // −0.1·255 = −25.5 -> −25: hue 14 − 25 wraps to 245; i = 5, f = 0.7647, p = round(200·(1 − 0.749)) = 50,
        // q = round(200·(1 − 0.749·0.7647)) = 85 -> (v, p, q).
        assertArrayEquals(bytes(200, 50, 85), ColorJitter.hue(pixels(200, 100, 50), -0.1).rgb());
        // Pure red shifted by 127 of 256: i = 2, f = 0.988, t = round(255·0.988) = 252 -> (p, v, t).
        assertArrayEquals(bytes(0, 255, 252), ColorJitter.hue(pixels(255, 0, 0), 0.5).rgb());
        // Grey has no saturation and stays grey whatever the shift.
        assertArrayEquals(bytes(77, 77, 77), ColorJitter.hue(pixels(77, 77, 77), 0.3).rgb());
    }

    /** Golden bytes from PIL 9.4 ImageEnhance and torchvision's adjust_hue, written by make_golden.py. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"brightness, 0.7", "brightness, 1.3", "brightness, 0.0", "contrast, 0.7", "contrast, 1.3",
            "saturation, 0.7", "saturation, 1.3", "hue, -0.1", "hue, 0.07", "hue, 0.0"})
    void equalsPilBitForBit(String op, double factor) {
        RgbImage in = GoldenFiles.pattern(16, 12);
        RgbImage out = ColorJitter.Op.valueOf(op.toUpperCase(java.util.Locale.ROOT)).apply(in, factor);
        assertArrayEquals(GoldenFiles.bytes("jitter_" + op + "_" + factor + ".rgb"), out.rgb());
    }

    @Test
    void refusesBadFactors() {
        RgbImage img = pixels(1, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> ColorJitter.hue(img, 0.6));
        assertThrows(IllegalArgumentException.class, () -> ColorJitter.hue(img, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ColorJitter.brightness(img, Double.POSITIVE_INFINITY));
    }
}
