package ai.seamstream.core.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UncertaintyPngTest {

    @Test
    void quantisesByHand() {
        float[] v = {0f, 1f, 0.5f, 0.2f, -3f, 7f, 0.001f, 0.999f, 1f / 255f, 0.3f};
        // round(255*clamp(v)): 0, 255, 127.5->128, 51, 0, 255, 0.255->0, 254.745->255, 1, 76.5->77
        int[] expected = {0, 255, 128, 51, 0, 255, 0, 255, 1, 77};
        byte[] png = UncertaintyPng.encode(v, 5, 2);
        byte[] ihdr = RawPng.chunks(png).get("IHDR");
        assertEquals(8, ihdr[8]);
        assertEquals(0, ihdr[9], "greyscale");
        assertArrayEquals(expected, RawPng.samples8(png));
    }

    @Test
    void decodesToGreyOver255WithSize() throws Exception {
        byte[][] rows = {{0, (byte) 255}, {51, (byte) 128}, {1, 2}};
        byte[] png = RawPng.build(2, 3, 8, 0, rows, null);
        var d = UncertaintyPng.decodeWithSize(png, "u.png");
        assertEquals(2, d.width());
        assertEquals(3, d.height());
        assertArrayEquals(new float[] {0f, 1f, 0.2f, 128f / 255f, 1f / 255f, 2f / 255f}, d.values(), 0f);
        assertArrayEquals(d.values(), UncertaintyPng.decode(png, "u.png"), 0f);
    }

    @Test
    void roundTripErrorIsAtMostHalfAStep() throws Exception {
        int w = 37;
        int h = 11;
        var v = new float[w * h];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((i * 0.6180339887) % 1.0);
        }
        float[] back = UncertaintyPng.decode(UncertaintyPng.encode(v, w, h), "rt");
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], back[i], 0.5f / 255f + 1e-6f, "pixel " + i);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> UncertaintyPng.encode(new float[5], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> UncertaintyPng.encode(new float[0], 0, 0));
        var e = assertThrows(IllegalArgumentException.class,
                () -> UncertaintyPng.encode(new float[] {0f, Float.NaN}, 2, 1));
        assertEquals("value 1 is NaN", e.getMessage());
    }

    @Test
    void rejectsPaletteRgbAndTruncated() throws Exception {
        byte[] palette = PaletteMaskCodec.encode(LabelMask.zeros(3, 3));
        var e = assertThrows(MaskFormatException.class, () -> UncertaintyPng.decode(palette, "p.png"));
        assertEquals("p.png: a [0,1] map must be an 8-bit greyscale PNG, this is 8-bit palette", e.getMessage());
        byte[] rgb = PaletteMaskCodecTest.imageIoPng(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB));
        assertThrows(MaskFormatException.class, () -> UncertaintyPng.decode(rgb, "rgb.png"));
        byte[] good = UncertaintyPng.encode(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 2, 2);
        byte[] cut = Arrays.copyOf(good, good.length - 5);
        e = assertThrows(MaskFormatException.class, () -> UncertaintyPng.decode(cut, "cut.png"));
        assertTrue(e.getMessage().startsWith("cut.png: truncated PNG"), e.getMessage());
    }
}
