package ai.seamstream.core.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

class VocPaletteTest {

    @Test
    void handComputedColours() {
        // Worked out bit by bit: index bits b0, b1, b2 -> MSB of red, green, blue; bits b3, b4, b5 -> the next bit.
        // 15 = 0b001111: b0..b2 = 1,1,1 -> 128 each; b3 = 1 -> red += 64: (192,128,128).
        assertArrayEquals(new int[] {0, 0, 0}, VocPalette.rgb(0));
        assertArrayEquals(new int[] {128, 0, 0}, VocPalette.rgb(1));
        assertArrayEquals(new int[] {0, 128, 0}, VocPalette.rgb(2));
        assertArrayEquals(new int[] {128, 128, 0}, VocPalette.rgb(3));
        assertArrayEquals(new int[] {0, 0, 128}, VocPalette.rgb(4));
        assertArrayEquals(new int[] {64, 0, 0}, VocPalette.rgb(8));
        assertArrayEquals(new int[] {192, 128, 128}, VocPalette.rgb(15)); // person
        assertArrayEquals(new int[] {0, 64, 128}, VocPalette.rgb(20)); // tvmonitor
        assertArrayEquals(new int[] {224, 224, 192}, VocPalette.rgb(255)); // ignore
    }

    @Test
    void matchesASecondImplementationOfTheDevkitLoop() {
        for (int i = 0; i < 256; i++) {
            // labelcolormap.m: for j = 0..7, take bits 0/1/2 of c into bit 7-j of r/g/b, then c >>= 3.
            int r = 0;
            int g = 0;
            int b = 0;
            int c = i;
            for (int j = 0; j < 8; j++) {
                r |= ((c >> 0) & 1) << (7 - j);
                g |= ((c >> 1) & 1) << (7 - j);
                b |= ((c >> 2) & 1) << (7 - j);
                c >>= 3;
            }
            assertArrayEquals(new int[] {r, g, b}, VocPalette.rgb(i), "index " + i);
            assertEquals(r << 16 | g << 8 | b, VocPalette.packedRgb(i));
        }
    }

    @Test
    void colorModelHoldsTheMapAndAllColoursAreDistinct() {
        var cm = VocPalette.colorModel();
        assertEquals(256, cm.getMapSize());
        assertEquals(8, cm.getPixelSize());
        var seen = new HashSet<Integer>();
        for (int i = 0; i < 256; i++) {
            assertEquals(0xFF000000 | VocPalette.packedRgb(i), cm.getRGB(i));
            seen.add(VocPalette.packedRgb(i));
        }
        assertEquals(256, seen.size());
    }

    @Test
    void rejectsIndicesOutsideTheMap() {
        assertThrows(IllegalArgumentException.class, () -> VocPalette.rgb(256));
        assertThrows(IllegalArgumentException.class, () -> VocPalette.packedRgb(-1));
    }
}
