package ai.seamstream.core.refine;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.tensor.ClassMaps;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomWalkTest {

    static RandomWalk.Config config(int radius, double beta, int logt, boolean referenceBorder) {
        return new RandomWalk.Config(radius, beta, logt, 6, 8, referenceBorder);
    }

    @Test
    void offsetsAreTheReferenceHalfDisc() {
        // radius 5: (0, 1..4) = 4; y = 1, 2: |x| ≤ 4 → 9 each; y = 3: |x| ≤ 3 → 7; y = 4: |x| ≤ 2 → 5
        assertEquals(34, RandomWalk.offsets(5).length);
        assertEquals(0, RandomWalk.offsets(5)[0][0]);
        assertEquals(1, RandomWalk.offsets(5)[0][1]);
        // radius 2: (0, 1), (1, -1), (1, 0), (1, 1)
        assertEquals(4, RandomWalk.offsets(2).length);
    }

    @Test
    void affinityAndTransitionByHand() {
        // a 1×3 grid, one feature channel f = (0, 1, 3), radius 2: pairs (0,1) and (1,2) only
        float[] f = {0, 1, 3};
        SparseMatrix w = RandomWalk.affinity(f, 1, 1, 3, config(2, 2, 0, false));
        assertEquals(1, w.get(0, 0));
        assertEquals(Math.exp(-1), w.get(0, 1), 1e-7);
        assertEquals(Math.exp(-1), w.get(1, 0), 1e-7);
        assertEquals(Math.exp(-2), w.get(2, 1), 1e-7);
        assertEquals(0, w.get(0, 2));
        // mean over channels: two channels with |Δ| 1 and 3 give exp(−2)
        SparseMatrix w2 = RandomWalk.affinity(new float[] {0, 1, 0, 3}, 2, 1, 2, config(2, 2, 0, false));
        assertEquals(Math.exp(-2), w2.get(0, 1), 1e-7);
        // T = W^∘2 / colsum: column 0 = (1, e^-2) / (1 + e^-2)
        SparseMatrix t = RandomWalk.transition(w, 2);
        assertEquals(1 / (1 + Math.exp(-2)), t.get(0, 0), 1e-6);
        assertEquals(Math.exp(-2) / (1 + Math.exp(-2)), t.get(1, 0), 1e-6);
        // column 1 = (e^-2, 1, e^-4) / (e^-2 + 1 + e^-4)
        assertEquals(Math.exp(-4) / (Math.exp(-2) + 1 + Math.exp(-4)), t.get(2, 1), 1e-6);
    }

    static float[] randomFeatures(int channels, int h, int w, long seed) {
        var rnd = new Random(seed);
        float[] f = new float[channels * h * w];
        for (int i = 0; i < f.length; i++) {
            f[i] = rnd.nextFloat() * 0.5f;
        }
        return f;
    }

    @Test
    void transitionColumnsSumToOne() {
        int h = 9;
        int w = 11;
        for (boolean ref : new boolean[] {false, true}) {
            SparseMatrix t = RandomWalk.transition(RandomWalk.affinity(randomFeatures(4, h, w, 1), 4, h, w, config(5, 8, 6, ref)), 8);
            for (int j = 0; j < h * w; j++) {
                assertEquals(1, t.columnSum(j), 1e-5, "column " + j);
            }
            assertTrue(t.nonZeros() > h * w, "some pairs");
        }
    }

    @Test
    void sparsePropagationEqualsDenseMatrixPower() {
        int h = 5;
        int w = 6;
        int p = h * w;
        int logt = 3;
        SparseMatrix t = RandomWalk.transition(RandomWalk.affinity(randomFeatures(3, h, w, 2), 3, h, w, config(3, 2, logt, false)), 2);
        // dense T^(2^logt) by repeated squaring, as the reference does, in double
        double[] m = t.toDense();
        for (int s = 0; s < logt; s++) {
            double[] sq = new double[p * p];
            for (int i = 0; i < p; i++) {
                for (int k = 0; k < p; k++) {
                    double a = m[i * p + k];
                    if (a != 0) {
                        for (int j = 0; j < p; j++) {
                            sq[i * p + j] += a * m[k * p + j];
                        }
                    }
                }
            }
            m = sq;
        }
        var rnd = new Random(3);
        int rows = 3;
        float[] v = new float[rows * p];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat();
        }
        float[] sparse = RandomWalk.propagate(t, v, rows, logt);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < p; j++) {
                double dense = 0;
                for (int i = 0; i < p; i++) {
                    dense += v[r * p + i] * m[i * p + j];
                }
                assertEquals(dense, sparse[r * p + j], 1e-5, "row " + r + ", column " + j);
            }
        }
    }

    @Test
    void referenceBorderDropsPairsInsideTheBorderStrips() {
        int h = 10;
        int w = 12;
        float[] f = randomFeatures(2, h, w, 4);
        SparseMatrix full = RandomWalk.affinity(f, 2, h, w, config(5, 8, 6, false));
        SparseMatrix ref = RandomWalk.affinity(f, 2, h, w, config(5, 8, 6, true));
        // two horizontal neighbours in the bottom row: paired only without the reference's crop
        int a = (h - 1) * w + 5;
        assertTrue(full.get(a, a + 1) > 0);
        assertEquals(0, ref.get(a, a + 1));
        // an interior pair is in both
        int b = 3 * w + 6;
        assertEquals(full.get(b, b + w), ref.get(b, b + w));
        assertTrue(ref.get(b, b + w) > 0);
    }

    @Test
    void walkSpreadsAClassOverItsFeatureRegionButNotAcrossIt() {
        // a 64×48 image, grid 8×6; features: left half of the grid (x < 4) one value, right half another
        int gw = 8;
        int gh = 6;
        int w = 64;
        int h = 48;
        float[] f = new float[gh * gw];
        for (int y = 0; y < gh; y++) {
            for (int x = 0; x < gw; x++) {
                f[y * gw + x] = x < 4 ? 0f : 5f;
            }
        }
        // class 1 (of two) is confident in the top two thirds of the left half only; class 0 is absent
        var n = ClassMaps.zeros(2, h, w);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                n.set(1, y, x, 1f);
            }
        }
        var cfg = new RandomWalk.Config(5, 8, 6, 6, 8, false);
        LabelMask m = RandomWalk.walk(n, new boolean[] {false, true}, f, 1, cfg);
        // the whole left half becomes class 2 (index = channel + 1), the right half stays background
        for (int y = 0; y < h; y++) {
            assertEquals(2, m.get(8, y), "left, y " + y);
            assertEquals(2, m.get(27, y), "left, y " + y);
            assertEquals(0, m.get(40, y), "right, y " + y);
            assertEquals(0, m.get(60, y), "right, y " + y);
        }
        // one step to the nearest neighbours leaves the bottom rows of the left half as background
        LabelMask once = RandomWalk.walk(n, new boolean[] {false, true}, f, 1, new RandomWalk.Config(2, 8, 0, 6, 8, false));
        assertEquals(0, once.get(27, 46));
        assertEquals(2, once.get(27, 10));
    }

    @Test
    void poolingPaddingAndCropKeepAConstantInterior() {
        // features so different that T is the identity: the walk reduces to pool → upsample → crop
        int w = 20;
        int h = 13;
        int gw = 3;
        int gh = 2;
        float[] f = new float[gw * gh];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1000f * i;
        }
        var cfg = new RandomWalk.Config(5, 8, 2, 6, 8, false);
        SparseMatrix t = RandomWalk.transition(RandomWalk.affinity(f, 1, gh, gw, cfg), 8);
        var s = ClassMaps.zeros(1, h, w);
        java.util.Arrays.fill(s.data(), 2f);
        ClassMaps out = RandomWalk.propagateScores(s, t, cfg);
        assertEquals(h, out.height());
        assertEquals(w, out.width());
        // the top-left grid cell is full: its pooled value is 2; cell (0, 2) holds 4 of 8 columns: 2·32/64 = 1
        assertEquals(2f, out.get(0, 0, 0), 1e-6);
        assertEquals(2f, out.get(0, 3, 3), 1e-6);
        assertTrue(out.get(0, 0, 19) < 1.5f, "padded cell is diluted: " + out.get(0, 0, 19));
        assertThrows(IllegalArgumentException.class, () -> RandomWalk.propagateScores(ClassMaps.zeros(1, 30, 30), t, cfg));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new RandomWalk.Config(0, 8, 6, 6, 8, false));
        assertThrows(IllegalArgumentException.class, () -> new RandomWalk.Config(5, 0, 6, 6, 8, false));
        assertThrows(IllegalArgumentException.class, () -> new RandomWalk.Config(5, 8, -1, 6, 8, false));
        assertThrows(IllegalArgumentException.class, () -> new RandomWalk.Config(5, 8, 6, -1, 8, false));
        assertThrows(IllegalArgumentException.class, () -> RandomWalk.affinity(new float[5], 1, 2, 3, RandomWalk.Config.reference()));
        assertThrows(IllegalArgumentException.class,
                () -> RandomWalk.affinity(new float[] {0, Float.NaN}, 1, 1, 2, RandomWalk.Config.reference()));
        assertThrows(IllegalArgumentException.class,
                () -> RandomWalk.walk(ClassMaps.zeros(2, 8, 8), new boolean[1], new float[1], 1, RandomWalk.Config.reference()));
    }
}
