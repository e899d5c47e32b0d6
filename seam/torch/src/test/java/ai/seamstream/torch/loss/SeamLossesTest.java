package ai.seamstream.torch.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each SEAM-METHOD §2 loss function against a naive Java loop or hand-computed values. */
class SeamLossesTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static float[] random(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    @Test
    void maxNormMatchesNaiveLoop() {
        int n = 2, c = 3, hw = 20;
        float[] v = random(1, n * c * hw, 2.0);
        float[] got = SeamLosses.maxNorm(manager.create(v, new Shape(n, c, 4, 5))).toFloatArray();
        for (int b = 0; b < n * c; b++) {
            float mn = Float.MAX_VALUE, mx = -Float.MAX_VALUE;
            for (int i = 0; i < hw; i++) {
                float r = Math.max(v[b * hw + i], 0f);
                mn = Math.min(mn, r);
                mx = Math.max(mx, r);
            }
            for (int i = 0; i < hw; i++) {
                float r = Math.max(v[b * hw + i], 0f);
                float want = Math.max(r - mn - 1e-5f, 0f) / (mx - mn + 1e-5f);
                assertEquals(want, got[b * hw + i], 1e-6f, "element " + (b * hw + i));
            }
        }
    }

    @Test
    void maxNormGradientFlowsThroughMinAndMax() {
        // p = [1, 2, 4]: min at 0, max at 2, D = 3 + e, L = Σ out = (4 − 2e)/D.
        double e = 1e-5;
        NDArray p = manager.create(new double[] {1, 2, 4}, new Shape(1, 1, 1, 3));
        p.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(SeamLosses.maxNorm(p).sum());
        }
        double d = 3 + e;
        double l = (4 - 2 * e) / d;
        double[] want = {-2 / d + l / d, 1 / d, 1 / d - l / d};
        double[] got = p.getGradient().toDoubleArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(want[i], got[i], 1e-6, "d/dp" + i);
        }
    }

    @Test
    void maxOneHotKeepsBackgroundAndEveryTiedMaximum() {
        // 1×4×1×3: background [0.5, 0.2, 0.9]; foreground pixels [0.3,0.7,0.7], [0.1,0,0.05], [0,0,0].
        float[] t = {
            0.5f, 0.2f, 0.9f,
            0.3f, 0.1f, 0f,
            0.7f, 0f, 0f,
            0.7f, 0.05f, 0f,
        };
        float[] want = {
            0.5f, 0.2f, 0.9f,
            0f, 0.1f, 0f,
            0.7f, 0f, 0f,
            0.7f, 0f, 0f,
        };
        assertArrayEquals(want, SeamLosses.maxOneHot(manager.create(t, new Shape(1, 4, 1, 3))).toFloatArray());
    }

    @Test
    void backgroundBecomesOneMinusForegroundMaximum() {
        float[] t = {9f, 9f, 0.25f, 0.5f, 0.75f, 0.1f};
        float[] got = SeamLosses.backgroundFromForeground(manager.create(t, new Shape(1, 3, 1, 2))).toFloatArray();
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f, 0.5f, 0.75f, 0.1f}, got, 1e-7f);
    }

    @Test
    void globalAveragePoolIsThePlaneMean() {
        float[] v = random(2, 2 * 3 * 12, 1.0);
        float[] got = SeamLosses.globalAveragePool(manager.create(v, new Shape(2, 3, 3, 4))).toFloatArray();
        assertEquals(6, got.length);
        for (int b = 0; b < 6; b++) {
            double s = 0;
            for (int i = 0; i < 12; i++) {
                s += v[b * 12 + i];
            }
            assertEquals(s / 12, got[b], 1e-6);
        }
    }

    @Test
    void classificationIsMultilabelSoftMarginMeanOverBatch() {
        int n = 3, c = 4;
        float[] s = random(3, n * c, 5.0);
        s[0] = 30f; // large magnitudes must not overflow
        s[1] = -30f;
        float[] y = {1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0};
        double want = 0;
        for (int b = 0; b < n; b++) {
            double row = 0;
            for (int k = 0; k < c; k++) {
                double x = s[b * c + k];
                double logSig = -Math.log1p(Math.exp(-x));
                double logSigNeg = -Math.log1p(Math.exp(x));
                row += y[b * c + k] * logSig + (1 - y[b * c + k]) * logSigNeg;
            }
            want += -row / c;
        }
        want /= n;
        NDArray got = SeamLosses.classification(manager.create(s, new Shape(n, c)), manager.create(y, new Shape(n, c)));
        assertEquals(new Shape(), got.getShape());
        assertEquals(want, got.getFloat(), 1e-5);
    }

    @Test
    void classificationRejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class, () -> SeamLosses.classification(
                manager.zeros(new Shape(2, 3)), manager.zeros(new Shape(2, 4))));
    }

    @Test
    void minPoolKIsAQuarterOfThePixelsRoundedDown() {
        assertEquals(15, SeamLosses.minPoolK(7, 9));
        assertEquals(50176, SeamLosses.minPoolK(448, 448));
        assertEquals(1, SeamLosses.minPoolK(2, 2));
        assertThrows(IllegalArgumentException.class, () -> SeamLosses.minPoolK(1, 3));
    }

    @Test
    void minPoolMatchesNaiveLoop() {
        int n = 2, c = 3, h = 5, w = 6;
        float[] v = random(4, n * c * h * w, 1.0);
        int k = h * w / 4;
        double total = 0;
        for (int b = 0; b < n; b++) {
            float[] m = new float[h * w];
            for (int p = 0; p < h * w; p++) {
                float best = -Float.MAX_VALUE;
                for (int ch = 0; ch < c; ch++) {
                    best = Math.max(best, v[(b * c + ch) * h * w + p]);
                }
                m[p] = best;
            }
            Arrays.sort(m);
            for (int i = 0; i < k; i++) {
                total += Math.max(m[i], 0f);
            }
        }
        double want = total / ((double) k * n);
        NDArray got = SeamLosses.minPool(manager.create(v, new Shape(n, c, h, w)));
        assertEquals(want, got.getFloat(), 1e-6);
        // Mostly positive maps make the ReLU'd K smallest non-zero, so this is not a trivial 0 = 0.
        float[] shifted = v.clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 2f;
        }
        assertEquals(2f, SeamLosses.minPool(manager.create(shifted, new Shape(n, c, h, w))).getFloat(), 0.6f);
    }

    @Test
    void equivarianceIsMeanAbsoluteForegroundDifference() {
        int n = 2, c = 4, hw = 6;
        float[] a = random(5, n * c * hw, 1.0);
        float[] b = random(6, n * c * hw, 1.0);
        double s = 0;
        for (int bn = 0; bn < n; bn++) {
            for (int ch = 1; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    int i = (bn * c + ch) * hw + p;
                    s += Math.abs(a[i] - b[i]);
                }
            }
        }
        double want = s / (n * (c - 1) * hw);
        NDArray got = SeamLosses.equivariance(manager.create(a, new Shape(n, c, 2, 3)), manager.create(b, new Shape(n, c, 2, 3)));
        assertEquals(want, got.getFloat(), 1e-6);
    }

    @Test
    void ohemKFollowsPythonArithmetic() {
        assertEquals(13171, SeamLosses.ohemK(21, 56, 56, 0.2)); // 13171.2
        assertEquals(75415, SeamLosses.ohemK(21, 134, 134, 0.2)); // 75415.2
        assertEquals(1, SeamLosses.ohemK(5, 1, 1, 0.2)); // 5·0.2 is 1.0000000000000000555 in double
        assertEquals(2, SeamLosses.ohemK(3, 1, 4, 0.2)); // 2.4
        assertThrows(IllegalArgumentException.class, () -> SeamLosses.ohemK(2, 1, 1, 0.2));
        assertThrows(IllegalArgumentException.class, () -> SeamLosses.ohemK(2, 1, 1, 1.5));
    }

    @Test
    void ecrIsMeanOfTopKErrorsPerSample() {
        assertEquals(naiveEcr(0.2), ecrOf(SeamLosses.OHEM_RATIO, false), 1e-6);
        assertEquals(naiveEcr(0.2), ecrOf(0.2, true), 1e-6);
        assertEquals(naiveEcr(0.5), ecrOf(0.5, true), 1e-6);
        assertEquals(naiveEcr(1.0), ecrOf(1.0, true), 1e-6);
        // at ratio 1 every entry counts: the plain mean of |t − p|
        double mean = 0;
        float[] t = random(7, 120, 1.0);
        float[] p = random(8, 120, 1.0);
        for (int i = 0; i < t.length; i++) {
            mean += Math.abs(t[i] - p[i]) / t.length;
        }
        assertEquals(mean, ecrOf(1.0, true), 1e-6);
        NDArray a = manager.create(t, new Shape(2, 3, 4, 5));
        assertThrows(IllegalArgumentException.class, () -> SeamLosses.ecr(a, a, 0));
        assertThrows(IllegalArgumentException.class, () -> SeamLosses.ecr(a, a, 1.01));
    }

    private float ecrOf(double ratio, boolean explicit) {
        NDArray t = manager.create(random(7, 120, 1.0), new Shape(2, 3, 4, 5));
        NDArray p = manager.create(random(8, 120, 1.0), new Shape(2, 3, 4, 5));
        return (explicit ? SeamLosses.ecr(t, p, ratio) : SeamLosses.ecr(t, p)).getFloat();
    }

    /** Sorts each sample's |t − p| and averages its k = floor(60·ratio) largest entries, then the samples. */
    private static double naiveEcr(double ratio) {
        int n = 2, c = 3, h = 4, w = 5;
        float[] t = random(7, n * c * h * w, 1.0);
        float[] p = random(8, n * c * h * w, 1.0);
        int per = c * h * w;
        int k = (int) Math.floor(per * ratio);
        double want = 0;
        for (int b = 0; b < n; b++) {
            float[] e = new float[per];
            for (int i = 0; i < per; i++) {
                e[i] = Math.abs(t[b * per + i] - p[b * per + i]);
            }
            Arrays.sort(e);
            double s = 0;
            for (int i = 0; i < k; i++) {
                s += e[per - 1 - i];
            }
            want += s / k;
        }
        return want / n;
    }

    @Test
    void lossesFreeTheirIntermediates() {
        NDArray a = manager.create(random(9, 2 * 3 * 16, 1.0), new Shape(2, 3, 4, 4));
        NDArray b = manager.create(random(10, 2 * 3 * 16, 1.0), new Shape(2, 3, 4, 4));
        int before = manager.getManagedArrays().size();
        NDArray[] outs = {
            SeamLosses.maxNorm(a), SeamLosses.maxOneHot(a), SeamLosses.minPool(a), SeamLosses.ecr(a, b),
            SeamLosses.equivariance(a, b), SeamLosses.backgroundFromForeground(a), SeamLosses.globalAveragePool(a),
        };
        assertEquals(before + outs.length, manager.getManagedArrays().size());
    }

    @Test
    void denseCrossEntropyMatchesNaiveLoopAndIgnoresEmptyCells() {
        int n = 2, b = 3, h = 2, w = 3, hw = h * w;
        float[] z = random(41, n * b * hw, 3.0);
        int[] target = {0, 2, -1, 1, 1, 0, 2, -1, -1, 0, 1, 2}; // per (sample, cell); -1: no target
        float[] t = new float[n * b * hw];
        double sum = 0;
        int cells = 0;
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < hw; i++) {
                int k = target[s * hw + i];
                if (k < 0) {
                    continue;
                }
                t[(s * b + k) * hw + i] = 1;
                double max = -Double.MAX_VALUE;
                for (int c = 0; c < b; c++) {
                    max = Math.max(max, z[(s * b + c) * hw + i]);
                }
                double den = 0;
                for (int c = 0; c < b; c++) {
                    den += Math.exp(z[(s * b + c) * hw + i] - max);
                }
                sum += -(z[(s * b + k) * hw + i] - max - Math.log(den));
                cells++;
            }
        }
        float got = SeamLosses.denseCrossEntropy(manager.create(z, new Shape(n, b, h, w)),
                manager.create(t, new Shape(n, b, h, w))).getFloat();
        assertEquals(sum / cells, got, 1e-5);
        float none = SeamLosses.denseCrossEntropy(manager.create(z, new Shape(n, b, h, w)),
                manager.zeros(new Shape(n, b, h, w))).getFloat();
        assertEquals(0f, none, 0f, "no target cell: zero, not NaN");
        assertThrows(IllegalArgumentException.class, () -> SeamLosses.denseCrossEntropy(
                manager.create(z, new Shape(n, b, h, w)), manager.zeros(new Shape(n, b, w, h))));
    }
}
