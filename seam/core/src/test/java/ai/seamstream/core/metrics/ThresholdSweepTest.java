package ai.seamstream.core.metrics;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.postprocess.PseudoMasks;
import ai.seamstream.core.tensor.ClassMaps;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThresholdSweepTest {
    private static final double TOL = 1e-9;

    /**
     * Two classes, three pixels (N_1, truth): A (0.5, 1), B (0.3, 0), C (0.1, 0). With ties going to background:
     * <pre>
     *   t 0.00..0.09: A B C → 1 1 1; bg TP 0 P 0 T 2 → 0;   fg TP 1 P 3 T 1 → 1/3; mIoU 1/6
     *   t 0.10..0.29: A B C → 1 1 0; bg TP 1 P 1 T 2 → 1/2; fg TP 1 P 2 T 1 → 1/2; mIoU 1/2
     *   t 0.30..0.49: A B C → 1 0 0; perfect (B ties 0.3f with t = 0.30 → background);  mIoU 1
     *   t 0.50..0.59: A B C → 0 0 0; bg TP 2 P 3 T 2 → 2/3; fg 0;                        mIoU 1/3
     * </pre>
     * so the best t is 0.30, the smallest of the tied 0.30..0.49.
     */
    static ThresholdSweep handMadeSweep() {
        var sweep = new ThresholdSweep(2);
        sweep.add(new ClassMaps(1, 1, 3, new float[] {0.5f, 0.3f, 0.1f}), new LabelMask(3, 1, new byte[] {1, 0, 0}));
        return sweep;
    }

    @Test
    void bestThresholdAndCurveByHand() {
        ThresholdSweep sweep = handMadeSweep();
        ThresholdSweep.Best best = sweep.best();
        assertEquals(0.30, best.threshold());
        assertEquals(1.0, best.meanIou(), TOL);
        assertEquals(sweep.at(0.30), best.matrix());
        double[] curve = sweep.meanIouCurve();
        assertEquals(60, curve.length);
        assertEquals(1.0 / 6, curve[0], TOL);
        assertEquals(1.0 / 6, curve[9], TOL);
        assertEquals(0.5, curve[10], TOL);
        assertEquals(0.5, curve[29], TOL);
        assertEquals(1.0, curve[30], TOL);
        assertEquals(1.0, curve[49], TOL);
        assertEquals(1.0 / 3, curve[50], TOL);
        assertEquals(1.0 / 3, curve[59], TOL);
        ConfusionMatrix at29 = sweep.at(0.29);
        assertEquals(1, at29.count(1, 0));
        assertEquals(1, at29.count(0, 0));
    }

    @Test
    void emptySweepTiesEverywhereAndPicksTheSmallestT() {
        ThresholdSweep.Best best = new ThresholdSweep(3).best();
        assertEquals(0.0, best.threshold());
        assertEquals(0.0, best.meanIou());
    }

    @Test
    void matchesANaiveSweepThatBuildsEveryMask() {
        var rnd = new Random(2020);
        int classes = 4;
        var sweep = new ThresholdSweep(classes);
        var half = new ThresholdSweep(classes);
        var rest = new ThresholdSweep(classes);
        var naive = new ConfusionMatrix[ThresholdSweep.STEPS];
        for (int i = 0; i < naive.length; i++) {
            naive[i] = new ConfusionMatrix(classes);
        }
        // values that sit exactly on thresholds, between them, and beyond the grid
        float[] edges = {0f, 0.01f, 0.26f, (float) 0.29, 0.3f, 0.59f, 0.6f, 0.595f, 0.255f, -1f, 1f};
        for (int image = 0; image < 6; image++) {
            int w = 5 + rnd.nextInt(9);
            int h = 3 + rnd.nextInt(7);
            var summed = ClassMaps.zeros(classes - 1, h, w);
            for (int i = 0; i < summed.data().length; i++) {
                summed.data()[i] = (float) (rnd.nextGaussian() * 2);
            }
            boolean[] labels = new boolean[classes - 1];
            for (int c = 0; c < labels.length; c++) {
                labels[c] = rnd.nextBoolean();
            }
            ClassMaps n = PseudoMasks.normalizePerClass(PseudoMasks.maskAbsent(summed, labels));
            for (int i = 0; i < n.data().length; i++) {
                if (rnd.nextInt(4) == 0) {
                    n.data()[i] = edges[rnd.nextInt(edges.length)];
                }
            }
            byte[] truth = new byte[w * h];
            for (int p = 0; p < truth.length; p++) {
                truth[p] = (byte) (rnd.nextInt(8) == 0 ? 255 : rnd.nextInt(classes));
            }
            var gt = new LabelMask(w, h, truth);
            sweep.add(n, gt);
            (image % 2 == 0 ? half : rest).add(n, gt);
            for (int i = 0; i < ThresholdSweep.STEPS; i++) {
                naive[i].add(PseudoMasks.argmaxWithBackground(n, (float) ThresholdSweep.threshold(i)), gt);
            }
        }
        double[] curve = sweep.meanIouCurve();
        int naiveBest = 0;
        for (int i = 0; i < ThresholdSweep.STEPS; i++) {
            double t = ThresholdSweep.threshold(i);
            assertEquals(naive[i], sweep.at(t), "t = " + t);
            assertEquals(naive[i].meanIou(), curve[i], 0.0);
            if (naive[i].meanIou() > naive[naiveBest].meanIou()) {
                naiveBest = i;
            }
        }
        assertEquals(ThresholdSweep.threshold(naiveBest), sweep.best().threshold());
        assertTrue(sweep.at(0.0).total() > 100, "the random images must count some pixels");
        // the even and the odd images, swept apart and merged, give the sweep over all images
        half.merge(rest);
        for (int i = 0; i < ThresholdSweep.STEPS; i++) {
            assertEquals(sweep.at(ThresholdSweep.threshold(i)), half.at(ThresholdSweep.threshold(i)));
        }
    }

    @Test
    void mergeOfTwoSweepsEqualsOneSweepOverBoth() {
        var a = handMadeSweep();
        var b = new ThresholdSweep(2);
        b.add(new ClassMaps(1, 1, 2, new float[] {0.05f, 0.7f}), new LabelMask(2, 1, new byte[] {1, (byte) 255}));
        var both = handMadeSweep();
        both.add(new ClassMaps(1, 1, 2, new float[] {0.05f, 0.7f}), new LabelMask(2, 1, new byte[] {1, (byte) 255}));
        a.merge(b);
        for (int i = 0; i < ThresholdSweep.STEPS; i++) {
            assertEquals(both.at(ThresholdSweep.threshold(i)), a.at(ThresholdSweep.threshold(i)));
        }
        // the added pixel (0.05, truth 1) is foreground only for t ≤ 0.04
        assertEquals(2, a.at(0.04).truePositives(1));
        assertEquals(1, a.at(0.05).truePositives(1));
        assertThrows(IllegalArgumentException.class, () -> a.merge(new ThresholdSweep(3)));
    }

    @Test
    void thresholdsAreTheGridAndOffGridValuesAreRejected() {
        assertEquals(0.0, ThresholdSweep.threshold(0));
        assertEquals(0.26, ThresholdSweep.threshold(26));
        assertEquals(0.59, ThresholdSweep.threshold(59));
        assertThrows(IllegalArgumentException.class, () -> ThresholdSweep.threshold(60));
        var sweep = handMadeSweep();
        assertEquals(sweep.at(0.26), sweep.at(0.13 * 2)); // 0.26000000000000001 is still grid point 26
        for (double bad : new double[] {0.255, 0.6, -0.01, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> sweep.at(bad));
            assertTrue(e.getMessage().contains("0.59"), e.getMessage());
        }
    }

    @Test
    void rejectsMismatchedInput() {
        var sweep = new ThresholdSweep(3);
        var channels = assertThrows(IllegalArgumentException.class,
                () -> sweep.add(ClassMaps.zeros(3, 2, 2), LabelMask.zeros(2, 2)));
        assertTrue(channels.getMessage().contains("2 foreground channels"), channels.getMessage());
        var size = assertThrows(IllegalArgumentException.class,
                () -> sweep.add(ClassMaps.zeros(2, 2, 3), LabelMask.zeros(2, 3)));
        assertTrue(size.getMessage().contains("3x2") && size.getMessage().contains("2x3"), size.getMessage());
        var cls = assertThrows(IllegalArgumentException.class,
                () -> sweep.add(ClassMaps.zeros(2, 1, 2), new LabelMask(2, 1, new byte[] {0, 3})));
        assertTrue(cls.getMessage().contains("class 3") && cls.getMessage().contains("x=1"), cls.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ThresholdSweep(1));
    }
}
