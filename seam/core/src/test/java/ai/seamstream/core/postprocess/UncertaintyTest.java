package ai.seamstream.core.postprocess;

import ai.seamstream.core.tensor.ClassMaps;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static ai.seamstream.core.postprocess.PseudoMasksTest.f32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UncertaintyTest {
    @Test
    void handComputedPixels() {
        // t = 0.25, both classes present; u = 1 - clamp(margin / (bg wins ? t : 1 - t), 0, 1)
        //   (0,     0)    bg wins, second 0,     margin 0.25,  / 0.25 = 1    → u = 0
        //   (0.125, 0)    bg wins, second 0.125, margin 0.125, / 0.25 = 0.5  → u = 0.5
        //   (0.25,  0)    tie with t: bg wins with margin 0                  → u = 1
        //   (1,     0.25) class 1 wins, second 0.25 (t and N_2), margin 0.75, / 0.75 = 1 → u = 0
        //   (0.625, 0.5)  class 1 wins, second 0.5, margin 0.125, / 0.75 = 1/6 → u = 5/6
        //   (0.5,   0.5)  classes tie: margin 0                              → u = 1
        //   (-1,   -0.5)  bg wins, second -0.5, margin 0.75 > t: clamped     → u = 0
        var n = new ClassMaps(2, 1, 7, f32(0, 0.125, 0.25, 1, 0.625, 0.5, -1, 0, 0, 0, 0.25, 0.5, 0.5, -0.5));
        float[] u = Uncertainty.map(n, new boolean[] {true, true}, 0.25f);
        assertArrayEquals(new float[] {0f, 0.5f, 1f, 0f, 5f / 6, 1f, 0f}, u, 1e-6f);
    }

    @Test
    void absentClassesAreNotCandidates() {
        // labels (present, absent), t = 0.25, N = (0.5, 0.9): candidates t and 0.5 only → class 1 wins over t,
        // margin 0.25, / 0.75 = 1/3 → u = 2/3 (with class 2 as a candidate it would be 1 - 0.4/0.75 = 0.4667)
        var n = new ClassMaps(2, 1, 1, f32(0.5, 0.9));
        assertEquals(2f / 3, Uncertainty.map(n, new boolean[] {true, false}, 0.25f)[0], 1e-6f);
        // no present class: t is the only candidate → u = 0
        assertArrayEquals(new float[] {0f}, Uncertainty.map(n, new boolean[] {false, false}, 0.25f));
    }

    @Test
    void valuesStayInTheUnitInterval() {
        var rnd = new Random(11);
        var summed = ClassMaps.zeros(5, 9, 11);
        for (int i = 0; i < summed.data().length; i++) {
            summed.data()[i] = (float) (rnd.nextGaussian() * 3);
        }
        boolean[] labels = {true, false, true, true, false};
        ClassMaps n = PseudoMasks.normalizePerClass(PseudoMasks.maskAbsent(summed, labels));
        for (float t : new float[] {0.01f, 0.26f, 0.59f, 0.99f}) {
            for (float v : Uncertainty.map(n, labels, t)) {
                assertTrue(v >= 0f && v <= 1f, "u = " + v + " at t = " + t);
            }
        }
    }

    @Test
    void oneClearObjectGivesALowMean() {
        // summed CAM: 10 inside a 4x4 block of an 8x8 image, 0 elsewhere; class 2 absent
        var summed = ClassMaps.zeros(2, 8, 8);
        for (int y = 2; y < 6; y++) {
            for (int x = 2; x < 6; x++) {
                summed.set(0, y, x, 10f);
                summed.set(1, y, x, 4f);
            }
        }
        boolean[] labels = {true, false};
        ClassMaps n = PseudoMasks.normalizePerClass(PseudoMasks.maskAbsent(summed, labels));
        // object: N ≈ 0.999998 vs t 0.26: u = 1 - 0.739998/0.74 ≈ 3e-6; background: N ≈ -1e-6, margin > t → u = 0
        Uncertainty.Score s = Uncertainty.score(Uncertainty.map(n, labels, 0.26f), 0.5);
        assertTrue(s.mean() < 1e-5, "mean " + s.mean());
        assertEquals(0.0, s.uncertainFraction());
    }

    @Test
    void anAmbiguousImageGivesAHighMean() {
        // every pixel sits near the threshold: N in [0.2, 0.32] against t = 0.26
        var rnd = new Random(3);
        var n = ClassMaps.zeros(1, 6, 6);
        for (int i = 0; i < 36; i++) {
            n.data()[i] = 0.2f + 0.12f * rnd.nextFloat();
        }
        Uncertainty.Score s = Uncertainty.score(Uncertainty.map(n, new boolean[] {true}, 0.26f), 0.5);
        // the worst margin is 0.06: bg side 0.06/0.26 → u ≥ 0.77; class side 0.06/0.74 → u ≥ 0.91
        assertTrue(s.mean() > 0.75, "mean " + s.mean());
        assertEquals(1.0, s.uncertainFraction());
    }

    @Test
    void scoreByHand() {
        // mean (0 + 0.5 + 1 + 0.25)/4 = 0.4375; above 0.4: {0.5, 1} → 2/4; above 0.5 (strictly): {1} → 1/4
        float[] u = {0f, 0.5f, 1f, 0.25f};
        assertEquals(new Uncertainty.Score(0.4375, 0.5), Uncertainty.score(u, 0.4));
        assertEquals(0.25, Uncertainty.score(u, 0.5).uncertainFraction());
    }

    @Test
    void rejectsBadArguments() {
        var n = ClassMaps.zeros(2, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> Uncertainty.map(n, new boolean[] {true}, 0.26f));
        assertThrows(IllegalArgumentException.class, () -> Uncertainty.map(n, new boolean[] {true, true}, 0f));
        assertThrows(IllegalArgumentException.class, () -> Uncertainty.map(n, new boolean[] {true, true}, 1f));
        assertThrows(IllegalArgumentException.class, () -> Uncertainty.map(n, new boolean[] {true, true}, Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> Uncertainty.score(new float[0], 0.5));
        assertThrows(IllegalArgumentException.class, () -> Uncertainty.score(new float[1], Double.NaN));
    }
}
