package ai.seamstream.core.postprocess;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.tensor.ClassMaps;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PseudoMasksTest {
    /** Rounds doubles to float32 the way numpy's {@code np.array(..., dtype=np.float32)} does. */
    static float[] f32(double... values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    @Test
    void maskAbsentZeroesUnlabelledChannelsInPlace() {
        var maps = new ClassMaps(3, 1, 2, f32(1, 2, 3, 4, 5, 6));
        ClassMaps out = PseudoMasks.maskAbsent(maps, new boolean[] {true, false, true});
        assertSame(maps, out);
        assertArrayEquals(f32(1, 2, 0, 0, 5, 6), maps.data());
        var e = assertThrows(IllegalArgumentException.class, () -> PseudoMasks.maskAbsent(maps, new boolean[2]));
        assertTrue(e.getMessage().contains("(3)") && e.getMessage().contains("2"), e.getMessage());
    }

    @Test
    void normalizeByHand() {
        // S = [-1, 0, 2, 4] → max(S,0) = [0, 0, 2, 4]; min 0, max 4; range = 4 + 1e-5
        // 0 → (0 - 0 - 1e-5)/4.00001 = -2.5e-6 ; 2 → (2 - 1e-5)/4.00001 = 0.49999625 ; 4 → 3.99999/4.00001 = 0.999995
        var s = new ClassMaps(1, 1, 4, f32(-1, 0, 2, 4));
        float[] n = PseudoMasks.normalizePerClass(s).data();
        assertEquals(-2.5e-6, n[0], 1e-10);
        assertEquals(-2.5e-6, n[1], 1e-10);
        assertEquals(0.49999625, n[2], 1e-7);
        assertEquals(0.999995, n[3], 1e-7);
        // the input is left alone
        assertArrayEquals(f32(-1, 0, 2, 4), s.data());
    }

    @Test
    void pixelsBelowMinPlusEpsilonAreZeroedBeforeNormalising() {
        // S = [1, 1.000005, 3]: min 1, max 3, floor 1 + 1e-5. Both 1 and 1.000005 are below the floor and become 0,
        // so N = (0 - 1 - 1e-5)/(2 + 1e-5) = -1.00001/2.00001 = -0.5000025 (not ≈ 0 as without the zeroing);
        // 3 → (3 - 1 - 1e-5)/2.00001 = 1.99999/2.00001 = 0.99999
        float[] n = PseudoMasks.normalizePerClass(new ClassMaps(1, 1, 3, f32(1, 1.000005, 3))).data();
        assertEquals(-0.5000025, n[0], 1e-6);
        assertEquals(-0.5000025, n[1], 1e-6);
        assertEquals(0.99999, n[2], 1e-6);
    }

    @Test
    void absentClassBecomesMinusOneEverywhere() {
        // all zero (or all negative, clamped to 0): min = max = 0, every pixel zeroed, N = (0 - 0 - 1e-5)/(0 + 1e-5) = -1
        var s = new ClassMaps(2, 2, 2, f32(0, 0, 0, 0, -3, -0.5, -1e-9, 0));
        float[] n = PseudoMasks.normalizePerClass(s).data();
        for (float v : n) {
            assertEquals(-1f, v);
        }
    }

    @Test
    void normalizeMatchesNumpyFloat32BitForBit() {
        // Golden values from the reference's own lines run with numpy 2.4 on a float32 array of this shape:
        //   sum_cam[sum_cam < 0] = 0; cam_max = np.max(sum_cam, (1,2), keepdims=True); cam_min = np.min(...);
        //   sum_cam[sum_cam < cam_min+1e-5] = 0; norm_cam = (sum_cam-cam_min-1e-5) / (cam_max - cam_min + 1e-5)
        // Channel 1's second pixel (0.9000049 < 0.9 + 1e-5) is zeroed: -0.131.
        var s = new ClassMaps(2, 3, 4, f32(
                -0.5, 0.0, 0.3, 1.7, 2.25, 0.1, 3.9, 0.7, 1.1, 5.5, 0.05, 2.2,
                0.9, 0.9000049, 0.95, 1.3, 4.1, 0.91, 7.77, 1.0, 2.5, 0.93, 3.3, 6.01));
        int[] golden = {
                0xb5f40823, 0xb5f40823, 0x3d5f690b, 0x3e9e40da, 0x3ed17407, 0x3c94ee28, 0x3f3586c7, 0x3e02533e,
                0x3e4ccc3a, 0x3f7fffc3, 0x3c14ea58, 0x3ecccc78,
                0xbe062657, 0xbe062657, 0x3bee702d, 0x3d6e7ad7, 0x3eee7c2d, 0x3abe994d, 0x3f7fffcf, 0x3c6e7648,
                0x3e6e7bfe, 0x3b8f0b40, 0x3eb2dd17, 0x3f3e6a69};
        float[] n = PseudoMasks.normalizePerClass(s).data();
        for (int i = 0; i < golden.length; i++) {
            assertEquals(Float.intBitsToFloat(golden[i]), n[i], "value " + i);
        }
    }

    @Test
    void normalizeRejectsNonFiniteScores() {
        var s = new ClassMaps(2, 1, 2, f32(0, 1, 2, Double.NaN));
        var e = assertThrows(IllegalArgumentException.class, () -> PseudoMasks.normalizePerClass(s));
        assertTrue(e.getMessage().contains("channel 1") && e.getMessage().contains("x=1"), e.getMessage());
    }

    @Test
    void argmaxWithBackgroundByHand() {
        // five pixels, N_1 / N_2, t = 0.25:
        //   (0.125, 0.2)  → t wins                        → 0
        //   (0.5,   0.3)  → N_1                           → 1
        //   (0.4,   0.7)  → N_2                           → 2
        //   (0.25,  0.1)  → N_1 ties t: lower index wins  → 0
        //   (0.6,   0.6)  → N_1 ties N_2: lower wins      → 1
        var n = new ClassMaps(2, 1, 5, f32(0.125, 0.5, 0.4, 0.25, 0.6, 0.2, 0.3, 0.7, 0.1, 0.6));
        LabelMask m = PseudoMasks.argmaxWithBackground(n, 0.25f);
        assertEquals(5, m.width());
        assertEquals(1, m.height());
        assertArrayEquals(new byte[] {0, 1, 2, 0, 1}, m.labels());
    }

    @Test
    void absentClassNeverBeatsBackgroundEvenAtZero() {
        // class 1 absent (all -1 after normalisation); class 2 present with a zeroed pixel slightly below 0
        var summed = new ClassMaps(2, 1, 3, f32(5, 6, 7, 0, 1, 3));
        PseudoMasks.maskAbsent(summed, new boolean[] {false, true});
        ClassMaps n = PseudoMasks.normalizePerClass(summed);
        // class 2: min 0, max 3 → N = [-3.3e-6, (1 - 1e-5)/3.00001 = 0.33333, 0.99999]
        assertArrayEquals(new byte[] {0, 2, 2}, PseudoMasks.argmaxWithBackground(n, 0f).labels());
        assertArrayEquals(new byte[] {0, 0, 2}, PseudoMasks.argmaxWithBackground(n, 0.34f).labels());
    }

    @Test
    void powerBackgroundByHand() {
        // pixel 0: N = (0.5, 0.25) → (1 - 0.5)^4 = 0.0625
        // pixel 1: N = (-1, -1)    → (1 + 1)^4   = 16 (not clamped above, as the reference)
        // pixel 2: N = (1.5, 0)    → base 1 - 1.5 < 0 clamped to 0 → 0
        // pixel 3: N = (0, 0.75)   → 0.25^4 = 0.00390625
        var n = new ClassMaps(2, 2, 2, f32(0.5, -1, 1.5, 0, 0.25, -1, 0, 0.75));
        ClassMaps low = PseudoMasks.powerBackground(n, 4);
        assertEquals(3, low.channels());
        assertArrayEquals(f32(0.0625, 16, 0, 0.00390625, 0.5, -1, 1.5, 0, 0.25, -1, 0, 0.75), low.data());
        // α = 24: 0.5^24 = 5.9604645e-8, 2^24 = 16777216, 0, 0.25^24 = 2^-48 = 3.5527137e-15
        ClassMaps high = PseudoMasks.powerBackground(n, 24);
        assertEquals((float) Math.scalb(1.0, -24), high.data()[0]);
        assertEquals(16777216f, high.data()[1]);
        assertEquals(0f, high.data()[2]);
        assertEquals((float) Math.scalb(1.0, -48), high.data()[3]);
        // the higher α shrinks the background where some class is active: more foreground after argmax
        assertArrayEquals(new byte[] {1, 0, 1, 2}, PseudoMasks.argmax(high).labels());
        assertThrows(IllegalArgumentException.class, () -> PseudoMasks.powerBackground(n, -1));
        assertThrows(IllegalArgumentException.class, () -> PseudoMasks.powerBackground(n, Double.NaN));
    }

    @Test
    void argmaxByHandWithTiesToTheLowerIndex() {
        // three channels, four pixels (channel-major):
        //   (0.2, 0.1, 0.3) → 2 ; (0.5, 0.5, 0.1) → 0 (tie) ; (0, 0.4, 0.4) → 1 (tie) ; (-1, -2, -0.5) → 2
        var maps = new ClassMaps(3, 2, 2, f32(0.2, 0.5, 0, -1, 0.1, 0.5, 0.4, -2, 0.3, 0.1, 0.4, -0.5));
        LabelMask m = PseudoMasks.argmax(maps);
        assertArrayEquals(new byte[] {2, 0, 1, 2}, m.labels());
        assertEquals(1, m.get(0, 1));
        assertEquals(2, m.get(1, 1));
    }

    @Test
    void argmaxWithBackgroundEqualsArgmaxOverAConstantBackgroundChannel() {
        // a second, independent route: prepend a constant channel t and take the plain argmax
        var rnd = new java.util.Random(7);
        var n = ClassMaps.zeros(4, 5, 6);
        for (int i = 0; i < n.data().length; i++) {
            n.data()[i] = rnd.nextInt(5) / 4f; // coarse values make ties with t and between classes common
        }
        float t = 0.5f;
        float[] withBg = new float[5 * 30];
        java.util.Arrays.fill(withBg, 0, 30, t);
        System.arraycopy(n.data(), 0, withBg, 30, n.data().length);
        assertArrayEquals(PseudoMasks.argmax(new ClassMaps(5, 5, 6, withBg)).labels(),
                PseudoMasks.argmaxWithBackground(n, t).labels());
    }

    @Test
    void tooManyClassesForAMaskAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PseudoMasks.argmaxWithBackground(ClassMaps.zeros(255, 1, 1), 0f));
        assertThrows(IllegalArgumentException.class, () -> PseudoMasks.argmax(ClassMaps.zeros(256, 1, 1)));
        assertEquals(0, PseudoMasks.argmax(ClassMaps.zeros(255, 1, 1)).get(0, 0));
    }
}
