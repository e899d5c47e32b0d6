package ai.seamstream.core.refine;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.tensor.ClassMaps;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskRefinerTest {
    static final int W = 48;
    static final int H = 40;

    /** A bright square object (x, y in 12..35) on a dark background. */
    static RgbImage squareImage() {
        var img = RgbImage.blank(W, H);
        var rnd = new java.util.Random(1);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean in = x >= 12 && x < 36 && y >= 12 && y < 36;
                for (int c = 0; c < 3; c++) {
                    img.set(x, y, c, (in ? 210 : 50) + rnd.nextInt(7) - 3);
                }
            }
        }
        return img;
    }

    /**
     * Three foreground classes; class 1 (vocabulary index 2) is a cone whose disc above 0.28 (radius 14.4) misses
     * the square's corners and spills over its sides, as a blurry CAM does.
     */
    static ClassMaps underActivatedMaps() {
        var n = ClassMaps.zeros(3, H, W);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                double d = Math.hypot(x - 23.5, y - 23.5);
                n.set(1, y, x, (float) Math.max(0, 1 - d / 20));
                n.set(0, y, x, -1f); // absent classes after normalisation
                n.set(2, y, x, -1f);
            }
        }
        return n;
    }

    @Test
    void parsesModes() {
        assertEquals(MaskRefiner.Mode.RW_CRF, MaskRefiner.Mode.parse("rw+crf"));
        assertEquals(MaskRefiner.Mode.CRF, MaskRefiner.Mode.parse(" CRF "));
        assertEquals("rw+crf", MaskRefiner.Mode.RW_CRF.toString());
        assertTrue(MaskRefiner.Mode.RW.needsAffinity());
        assertThrows(IllegalArgumentException.class, () -> MaskRefiner.Mode.parse("dense"));
    }

    @Test
    void noneLeavesTheMaskToTheCaller() {
        assertNull(MaskRefiner.refine(squareImage(), underActivatedMaps(), new boolean[] {false, true, false}, null,
                MaskRefiner.Options.reference(MaskRefiner.Mode.NONE)));
    }

    @Test
    void crfSnapsABlurryMapToTheObjectsColourEdge() {
        boolean[] tags = {false, true, false};
        LabelMask m = MaskRefiner.refine(squareImage(), underActivatedMaps(), tags, null,
                MaskRefiner.Options.reference(MaskRefiner.Mode.CRF));
        int inside = 0;
        int wrong = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean in = x >= 12 && x < 36 && y >= 12 && y < 36;
                int label = m.get(x, y);
                assertTrue(label == 0 || label == 2, "only background and the tagged class, got " + label);
                inside += in && label == 2 ? 1 : 0;
                wrong += in != (label == 2) ? 1 : 0;
            }
        }
        // the plain disc gets 120 pixels wrong (corners missed, sides spilled); the CRF must do far better
        int plainWrong = 0;
        ClassMaps n = underActivatedMaps();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean in = x >= 12 && x < 36 && y >= 12 && y < 36;
                plainWrong += in != (n.get(1, y, x) > 0.28f) ? 1 : 0;
            }
        }
        assertTrue(plainWrong > 100, "plain wrong " + plainWrong);
        assertTrue(inside > 24 * 24 * 0.95, "inside " + inside);
        assertTrue(wrong < 24, "wrong " + wrong);
    }

    @Test
    void crfModeIsTheCrfOfTheBackgroundPowerInput() {
        // independent construction: [ (1 − N_1)^4 ; N_1 ] for the single tagged class, CRF, argmax, index 1 → 2
        ClassMaps n = underActivatedMaps();
        int plane = W * H;
        float[] in = new float[2 * plane];
        for (int i = 0; i < plane; i++) {
            float v = n.data()[plane + i];
            in[i] = (float) Math.pow(Math.max(0, 1 - v), 4);
            in[plane + i] = v;
        }
        LabelMask direct = DenseCrf.refine(squareImage(), new ClassMaps(2, H, W, in), DenseCrf.Config.reference());
        byte[] expected = direct.labels().clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) (expected[i] == 1 ? 2 : 0);
        }
        LabelMask m = MaskRefiner.refine(squareImage(), n, new boolean[] {false, true, false}, null,
                MaskRefiner.Options.reference(MaskRefiner.Mode.CRF));
        assertArrayEquals(expected, m.labels());
    }

    static MaskRefiner.AffinityFeatures squareFeatures() {
        // grid 6×5: cells inside the object (pixels 12..35 → cells 1..4) one value, the rest another
        float[] f = new float[5 * 6];
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 6; x++) {
                f[y * 6 + x] = x >= 2 && x < 5 && y >= 2 && y < 5 ? 0f : 4f;
            }
        }
        return new MaskRefiner.AffinityFeatures(f, 1, 5, 6);
    }

    @Test
    void walkModesUseTheFeaturesAndMapClassIndices() {
        boolean[] tags = {false, true, false};
        var f = squareFeatures();
        LabelMask rw = MaskRefiner.refine(squareImage(), underActivatedMaps(), tags, f, MaskRefiner.Options.reference(MaskRefiner.Mode.RW));
        LabelMask direct = RandomWalk.walk(underActivatedMaps(), tags, f.data(), 1, RandomWalk.Config.reference());
        assertArrayEquals(direct.labels(), rw.labels());
        assertEquals(2, rw.get(24, 24));
        LabelMask both = MaskRefiner.refine(squareImage(), underActivatedMaps(), tags, f, MaskRefiner.Options.reference(MaskRefiner.Mode.RW_CRF));
        for (byte b : both.labels()) {
            assertTrue(b == 0 || b == 2, "label " + b);
        }
        assertEquals(2, both.get(24, 24));
        assertEquals(0, both.get(2, 2));
    }

    @Test
    void walkModesNeedFeaturesOfTheGridSize() {
        boolean[] tags = {false, true, false};
        var e = assertThrows(IllegalArgumentException.class, () -> MaskRefiner.refine(squareImage(), underActivatedMaps(), tags, null,
                MaskRefiner.Options.reference(MaskRefiner.Mode.RW)));
        assertTrue(e.getMessage().contains("affinity"), e.getMessage());
        var wrong = new MaskRefiner.AffinityFeatures(new float[4 * 4], 1, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> MaskRefiner.refine(squareImage(), underActivatedMaps(), tags, wrong,
                MaskRefiner.Options.reference(MaskRefiner.Mode.RW)));
        assertThrows(IllegalArgumentException.class, () -> MaskRefiner.refine(squareImage(), underActivatedMaps(), new boolean[2], null,
                MaskRefiner.Options.reference(MaskRefiner.Mode.CRF)));
    }
}
