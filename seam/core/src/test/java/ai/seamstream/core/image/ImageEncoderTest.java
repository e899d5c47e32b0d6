package ai.seamstream.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageEncoderTest {
    @TempDir
    Path tmp;

    private static RgbImage noise(int w, int h, long seed) {
        byte[] rgb = new byte[3 * w * h];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) rng.nextInt(256);
        }
        rgb[0] = 0;
        rgb[1] = (byte) 255;
        return new RgbImage(w, h, rgb);
    }

    private static RgbImage gradient(int w, int h) {
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.set(x, y, 0, 3 * x);
                img.set(x, y, 1, 255 - 4 * y);
                img.set(x, y, 2, 64 + x + 2 * y);
            }
        }
        return img;
    }

    private static int maxError(RgbImage a, RgbImage b) {
        int worst = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            worst = Math.max(worst, Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF)));
        }
        return worst;
    }

    @Test
    void pngRoundTripIsExact() throws Exception {
        for (int[] size : new int[][] {{1, 1}, {37, 19}, {64, 3}}) {
            RgbImage img = noise(size[0], size[1], size[0] * 31L + size[1]);
            byte[] png = ImageEncoder.png(img);
            assertEquals((byte) 0x89, png[0]);
            assertArrayEquals(img.rgb(), ImageDecoder.decode(png, "roundtrip.png").rgb());
        }
    }

    @Test
    void jpegRoundTripIsCloseAndQualityMatters() throws Exception {
        RgbImage img = gradient(48, 40);
        byte[] best = ImageEncoder.jpeg(img, 0.95f);
        byte[] worst = ImageEncoder.jpeg(noise(48, 40, 1), 0.05f);
        byte[] bestNoise = ImageEncoder.jpeg(noise(48, 40, 1), 0.95f);
        assertEquals((byte) 0xFF, best[0]);
        assertEquals((byte) 0xD8, best[1]);
        assertTrue(maxError(img, ImageDecoder.decode(best, "q95.jpg")) <= 8);
        assertTrue(worst.length < bestNoise.length, worst.length + " vs " + bestNoise.length);
    }

    @Test
    void filesRoundTrip() throws Exception {
        RgbImage img = noise(13, 7, 3);
        Path png = tmp.resolve("a.png");
        ImageEncoder.writePng(img, png);
        assertArrayEquals(img.rgb(), ImageDecoder.read(png).rgb());
        Path jpg = tmp.resolve("a.jpg");
        RgbImage smooth = gradient(16, 16);
        ImageEncoder.writeJpeg(smooth, jpg, 0.95f);
        assertTrue(Files.size(jpg) > 0);
        assertTrue(maxError(smooth, ImageDecoder.read(jpg)) <= 8);
    }

    @Test
    void refusesQualityOutsideZeroToOne() {
        RgbImage img = RgbImage.blank(2, 2);
        assertThrows(IllegalArgumentException.class, () -> ImageEncoder.jpeg(img, 1.5f));
        assertThrows(IllegalArgumentException.class, () -> ImageEncoder.jpeg(img, -0.1f));
        assertThrows(IllegalArgumentException.class, () -> ImageEncoder.jpeg(img, Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> ImageEncoder.writeJpeg(img, tmp.resolve("x.jpg"), 2f));
    }
}
