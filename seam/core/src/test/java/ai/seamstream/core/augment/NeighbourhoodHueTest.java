package ai.seamstream.core.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import org.junit.jupiter.api.Test;

class NeighbourhoodHueTest {
    private static final Normalization N = Normalization.IMAGENET;

    private static void fill(RgbImage img, int x0, int y0, int x1, int y1, int r, int g, int b) {
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                img.set(x, y, 0, r);
                img.set(x, y, 1, g);
                img.set(x, y, 2, b);
            }
        }
    }

    @Test
    void hueFollowsTheHsvFormula() {
        // Independent values: pure primaries and secondaries, and (255, 64, 0) = 60·(64/255) ≈ 15.06°.
        assertEquals(0, NeighbourhoodHue.hueDegrees(1, 0, 0, 1, 1), 1e-9);
        assertEquals(60, NeighbourhoodHue.hueDegrees(1, 1, 0, 1, 1), 1e-9);
        assertEquals(120, NeighbourhoodHue.hueDegrees(0, 1, 0, 1, 1), 1e-9);
        assertEquals(180, NeighbourhoodHue.hueDegrees(0, 1, 1, 1, 1), 1e-9);
        assertEquals(240, NeighbourhoodHue.hueDegrees(0, 0, 1, 1, 1), 1e-9);
        assertEquals(300, NeighbourhoodHue.hueDegrees(1, 0, 1, 1, 1), 1e-9);
        assertEquals(15.0588, NeighbourhoodHue.hueDegrees(1, 64 / 255.0, 0, 1, 1), 1e-3);
    }

    @Test
    void aUniformColourGivesItsBinEverywhere() {
        var img = RgbImage.blank(20, 12);
        fill(img, 0, 0, 20, 12, 255, 64, 0); // 15.06°
        var s36 = new NeighbourhoodHue.Settings(36, 1, 0.1);
        int[] t = NeighbourhoodHue.targets(N.toChw(img), 12, 20, N, 8, s36);
        assertEquals(2 * 3, t.length, "ceil(12/8) × ceil(20/8) cells");
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1}, t, "10° bins: 15° is bin 1");
        int[] t12 = NeighbourhoodHue.targets(N.toChw(img), 12, 20, N, 8, new NeighbourhoodHue.Settings(12, 0, 0.1));
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0}, t12, "30° bins: bin 0");
    }

    @Test
    void aSmallMarkingTakesTheHueOfTheBodyAroundIt() {
        // A 24×24 orange body (hue 30°, mid-bin) with a 6×6 blue marking (hue 240°) inside the centre cell.
        var img = RgbImage.blank(24, 24);
        fill(img, 0, 0, 24, 24, 255, 128, 0);
        fill(img, 9, 9, 15, 15, 0, 0, 255);
        var s = new NeighbourhoodHue.Settings(6, 1, 0.1); // 60° bins: orange 0, blue 4
        int[] wide = NeighbourhoodHue.targets(N.toChw(img), 24, 24, N, 8, s);
        for (int v : wide) {
            assertEquals(0, v, "with a 3×3-cell neighbourhood every cell, the marking's included, is orange");
        }
        int[] alone = NeighbourhoodHue.targets(N.toChw(img), 24, 24, N, 8, new NeighbourhoodHue.Settings(6, 0, 0.1));
        // Centre cell (8..15): 36 blue pixels and 28 orange ones (chroma 1 each): the sum points at about 290°.
        assertEquals(4, alone[4], "the cell alone sees the marking's hue");
        assertEquals(0, alone[0]);
    }

    @Test
    void greyOrCancellingNeighbourhoodsAreIgnored() {
        var img = RgbImage.blank(16, 8);
        fill(img, 0, 0, 8, 8, 128, 128, 128); // grey: no chroma
        fill(img, 8, 0, 12, 8, 255, 0, 0); // red and cyan cancel in the second cell
        fill(img, 12, 0, 16, 8, 0, 255, 255);
        int[] t = NeighbourhoodHue.targets(N.toChw(img), 8, 16, N, 8, new NeighbourhoodHue.Settings(6, 0, 0.1));
        assertArrayEquals(new int[] {NeighbourhoodHue.IGNORE, NeighbourhoodHue.IGNORE}, t);
        // A weak tint: chroma 20/255 ≈ 0.078 is below 0.1, above 0.05.
        var tint = RgbImage.blank(8, 8);
        fill(tint, 0, 0, 8, 8, 140, 120, 120);
        assertEquals(NeighbourhoodHue.IGNORE,
                NeighbourhoodHue.targets(N.toChw(tint), 8, 8, N, 8, new NeighbourhoodHue.Settings(6, 0, 0.1))[0]);
        assertEquals(0, NeighbourhoodHue.targets(N.toChw(tint), 8, 8, N, 8, new NeighbourhoodHue.Settings(6, 0, 0.05))[0]);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new NeighbourhoodHue.Settings(1, 1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new NeighbourhoodHue.Settings(6, -1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new NeighbourhoodHue.Settings(6, 1, 1.5));
        var s = new NeighbourhoodHue.Settings(6, 1, 0.1);
        assertThrows(IllegalArgumentException.class, () -> NeighbourhoodHue.targets(new float[10], 2, 2, N, 8, s));
        assertThrows(IllegalArgumentException.class, () -> NeighbourhoodHue.targets(new float[0], 0, 2, N, 8, s));
    }
}
