package ai.seamstream.core.refine;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.tensor.ClassMaps;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DenseCrfTest {

    /** Left part (x < edge) one colour, the rest another, with a little noise. */
    static RgbImage twoColours(int w, int h, int edge, long seed) {
        var img = RgbImage.blank(w, h);
        var rnd = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] c = x < edge ? new int[] {200, 60, 50} : new int[] {40, 70, 190};
                for (int k = 0; k < 3; k++) {
                    img.set(x, y, k, c[k] + rnd.nextInt(9) - 4);
                }
            }
        }
        return img;
    }

    @Test
    void ambiguousUnaryAtAnEdgeSnapsToTheColourEdge() {
        int w = 48;
        int h = 32;
        int edge = 21;
        var img = twoColours(w, h, edge, 1);
        // label 0 sure on the far left, label 1 sure on the far right; in between (x 12..31) the unary is a coin
        // toss that leans the wrong way on each side of the colour edge.
        var p = ClassMaps.zeros(2, h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float p1;
                if (x < 12) {
                    p1 = 0.1f;
                } else if (x >= 32) {
                    p1 = 0.9f;
                } else {
                    p1 = x < edge ? 0.55f : 0.45f;
                }
                p.set(0, y, x, 1 - p1);
                p.set(1, y, x, p1);
            }
        }
        // without the CRF the argmax is wrong across the whole ambiguous band
        LabelMask before = ai.seamstream.core.postprocess.PseudoMasks.argmax(p);
        assertEquals(1, before.get(15, 5));
        LabelMask m = DenseCrf.refine(img, p, DenseCrf.Config.reference());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                assertEquals(x < edge ? 0 : 1, m.get(x, y), "pixel (" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void meanFieldEnergyDecreasesEveryIteration() {
        int w = 40;
        int h = 30;
        var rnd = new Random(7);
        var img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean inside = (x - 18) * (x - 18) + (y - 14) * (y - 14) < 90;
                for (int k = 0; k < 3; k++) {
                    img.set(x, y, k, (inside ? 180 : 60) + rnd.nextInt(31) - 15);
                }
            }
        }
        int labels = 3;
        var p = ClassMaps.zeros(labels, h, w);
        for (int i = 0; i < p.data().length; i++) {
            p.data()[i] = rnd.nextFloat();
        }
        var model = DenseCrf.model(img, p, DenseCrf.Config.reference());
        float[] q = model.initial();
        double e = model.energy(q);
        for (int it = 0; it < 10; it++) {
            q = model.step(q);
            double next = model.energy(q);
            assertTrue(next <= e + 1e-6 * Math.abs(e), "iteration " + it + ": " + e + " -> " + next);
            e = next;
        }
        // and it moved: the first step lowers the energy by a clear margin
        assertTrue(model.energy(model.initial()) - e > 1, "energy went from " + model.energy(model.initial()) + " to " + e);
    }

    /** Mean field with exact O(N²) kernels, symmetric normalisation and Potts, written independently of the lattice. */
    static float[] bruteForceMeanField(RgbImage img, ClassMaps p, DenseCrf.Config c) {
        int w = img.width();
        int h = img.height();
        int n = w * h;
        int labels = p.channels();
        double[][] k = new double[n][n];
        double[] ng = new double[n];
        double[] nb = new double[n];
        double[][] kg = new double[n][n];
        double[][] kb = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dx = (i % w) - (j % w);
                double dy = (i / w) - (j / w);
                double dc = 0;
                for (int ch = 0; ch < 3; ch++) {
                    double d = img.get(i % w, i / w, ch) - img.get(j % w, j / w, ch);
                    dc += d * d;
                }
                kg[i][j] = Math.exp(-0.5 * (dx * dx + dy * dy) / (c.gaussianSxy() * c.gaussianSxy()));
                kb[i][j] = Math.exp(-0.5 * (dx * dx + dy * dy) / (c.bilateralSxy() * c.bilateralSxy())
                        - 0.5 * dc / (c.bilateralSrgb() * c.bilateralSrgb()));
                ng[i] += kg[i][j];
                nb[i] += kb[i][j];
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                k[i][j] = c.gaussianWeight() * kg[i][j] / Math.sqrt(ng[i] * ng[j])
                        + c.bilateralWeight() * kb[i][j] / Math.sqrt(nb[i] * nb[j]);
            }
        }
        double[] u = new double[labels * n];
        for (int i = 0; i < u.length; i++) {
            u[i] = -Math.log(Math.min(1, Math.max(c.clip(), p.data()[i])));
        }
        double[] q = softmax(negate(u), labels, n);
        for (int it = 0; it < c.iterations(); it++) {
            double[] t = negate(u);
            for (int l = 0; l < labels; l++) {
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        s += k[i][j] * q[l * n + j];
                    }
                    t[l * n + i] += s;
                }
            }
            q = softmax(t, labels, n);
        }
        float[] out = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            out[i] = (float) q[i];
        }
        return out;
    }

    static double[] negate(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = -v[i];
        }
        return o;
    }

    static double[] softmax(double[] t, int labels, int n) {
        double[] q = new double[t.length];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int l = 0; l < labels; l++) {
                max = Math.max(max, t[l * n + i]);
            }
            double s = 0;
            for (int l = 0; l < labels; l++) {
                s += Math.exp(t[l * n + i] - max);
            }
            for (int l = 0; l < labels; l++) {
                q[l * n + i] = Math.exp(t[l * n + i] - max) / s;
            }
        }
        return q;
    }

    @Test
    void latticeMeanFieldAgreesWithExactKernels() {
        int w = 18;
        int h = 14;
        var img = twoColours(w, h, 8, 3);
        var rnd = new Random(9);
        // a noisy unary for a three-label truth: the left colour region, and the right one split in two rows
        var p = ClassMaps.zeros(3, h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int truth = x < 8 ? 0 : y < h / 2 ? 1 : 2;
                for (int l = 0; l < 3; l++) {
                    p.set(l, y, x, (l == truth ? 0.5f : 0.1f) + 0.4f * rnd.nextFloat());
                }
            }
        }
        // scaled-down spatial deviations so that a small image has structure at both scales
        var c = new DenseCrf.Config(5, 2, 3, 6, 13, 10, 1e-5);
        float[] exact = bruteForceMeanField(img, p, c);
        float[] lattice = DenseCrf.inference(img, p, c).data();
        double maxDiff = 0;
        int agree = 0;
        int n = w * h;
        for (int i = 0; i < exact.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(exact[i] - lattice[i]));
        }
        for (int i = 0; i < n; i++) {
            int a = 0;
            int b = 0;
            for (int l = 1; l < 3; l++) {
                if (exact[l * n + i] > exact[a * n + i]) {
                    a = l;
                }
                if (lattice[l * n + i] > lattice[b * n + i]) {
                    b = l;
                }
            }
            agree += a == b ? 1 : 0;
        }
        double meanDiff = 0;
        for (int i = 0; i < exact.length; i++) {
            meanDiff += Math.abs(exact[i] - lattice[i]) / exact.length;
        }
        // measured: mean 0.003, max 0.10, every label the same
        assertTrue(meanDiff < 0.01, "mean |Q_exact − Q_lattice| = " + meanDiff);
        assertTrue(maxDiff < 0.2, "max |Q_exact − Q_lattice| = " + maxDiff);
        assertTrue(agree >= n * 0.99, "labels agree at " + agree + " of " + n + " pixels");
    }

    @Test
    void zeroIterationsIsTheNormalisedClippedProbability() {
        var img = RgbImage.blank(2, 1);
        // pixel 0: p = (0.2, 0.6) → Q = (0.25, 0.75); pixel 1: p = (0, 0.5) → clip 1e-5 → Q0 = 1e-5/0.50001
        var p = new ClassMaps(2, 1, 2, new float[] {0.2f, 0f, 0.6f, 0.5f});
        float[] q = DenseCrf.inference(img, p, DenseCrf.Config.reference().withIterations(0)).data();
        assertEquals(0.25, q[0], 1e-6);
        assertEquals(0.75, q[2], 1e-6);
        assertEquals(1e-5 / 0.50001, q[1], 1e-9);
        assertEquals(1 - 1e-5 / 0.50001, q[3], 1e-6);
    }

    @Test
    void marginalsSumToOne() {
        var img = twoColours(12, 9, 5, 2);
        var rnd = new Random(4);
        var p = ClassMaps.zeros(4, 9, 12);
        for (int i = 0; i < p.data().length; i++) {
            p.data()[i] = rnd.nextFloat();
        }
        ClassMaps q = DenseCrf.inference(img, p, DenseCrf.Config.reference());
        for (int i = 0; i < q.planeSize(); i++) {
            double s = 0;
            for (int l = 0; l < 4; l++) {
                s += q.data()[l * q.planeSize() + i];
            }
            assertEquals(1, s, 1e-5);
        }
    }

    @Test
    void rejectsBadInput() {
        var img = RgbImage.blank(3, 2);
        assertThrows(IllegalArgumentException.class, () -> DenseCrf.inference(img, ClassMaps.zeros(2, 3, 2), DenseCrf.Config.reference()));
        var nan = ClassMaps.zeros(2, 2, 3);
        nan.data()[4] = Float.NaN;
        var e = assertThrows(IllegalArgumentException.class, () -> DenseCrf.inference(img, nan, DenseCrf.Config.reference()));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DenseCrf.Config(-1, 3, 3, 80, 13, 10, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> new DenseCrf.Config(10, 0, 3, 80, 13, 10, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> new DenseCrf.Config(10, 3, -1, 80, 13, 10, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> new DenseCrf.Config(10, 3, 3, 80, 13, 10, 0));
    }
}
