package ai.seamstream.core.metrics;

import ai.seamstream.core.mask.LabelMask;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfusionMatrixTest {
    private static final double TOL = 1e-9;

    /**
     * A hand-made 3-class confusion, (predicted, truth) → count:
     * <pre>
     *              truth 0  truth 1  truth 2
     *   pred 0        5        2        0
     *   pred 1        1        3        0
     *   pred 2        0        1        4
     * </pre>
     * plus three pixels with truth 255 (one of them predicted as the invalid class 7), which must be skipped.
     */
    static LabelMask[] handMadeMasks() {
        int[][] pairs = {{0, 0, 5}, {0, 1, 2}, {1, 0, 1}, {1, 1, 3}, {2, 1, 1}, {2, 2, 4}, {0, 255, 1}, {2, 255, 1},
                {7, 255, 1}};
        byte[] pred = new byte[19];
        byte[] truth = new byte[19];
        int i = 0;
        for (int[] p : pairs) {
            for (int n = 0; n < p[2]; n++, i++) {
                pred[i] = (byte) p[0];
                truth[i] = (byte) p[1];
            }
        }
        return new LabelMask[] {new LabelMask(19, 1, pred), new LabelMask(19, 1, truth)};
    }

    static ConfusionMatrix handMade() {
        var m = new ConfusionMatrix(3);
        LabelMask[] masks = handMadeMasks();
        m.add(masks[0], masks[1]);
        return m;
    }

    @Test
    void countsOfTheHandMadeConfusion() {
        ConfusionMatrix m = handMade();
        // TP = diagonal; P = row sums; T = column sums (truth 255 skipped): 16 pixels in all.
        assertEquals(5, m.truePositives(0));
        assertEquals(3, m.truePositives(1));
        assertEquals(4, m.truePositives(2));
        assertEquals(5 + 2 + 0, m.predicted(0));
        assertEquals(1 + 3 + 0, m.predicted(1));
        assertEquals(0 + 1 + 4, m.predicted(2));
        assertEquals(5 + 1 + 0, m.truth(0));
        assertEquals(2 + 3 + 1, m.truth(1));
        assertEquals(0 + 0 + 4, m.truth(2));
        assertEquals(16, m.total());
        assertEquals(2, m.count(0, 1));
        assertEquals(0, m.count(LabelMask.IGNORE, 1));
    }

    @Test
    void iouFalsePositiveFalseNegativeByHand() {
        ConfusionMatrix m = handMade();
        // class 0: TP 5, P 7, T 6, union 6+7-5 = 8: IoU 5/8, FP (7-5)/8, FN (6-5)/8
        assertEquals(0.625, m.iou(0), TOL);
        assertEquals(0.25, m.falsePositive(0), TOL);
        assertEquals(0.125, m.falseNegative(0), TOL);
        // class 1: TP 3, P 4, T 6, union 6+4-3 = 7: IoU 3/7, FP 1/7, FN 3/7
        assertEquals(3.0 / 7, m.iou(1), TOL);
        assertEquals(1.0 / 7, m.falsePositive(1), TOL);
        assertEquals(3.0 / 7, m.falseNegative(1), TOL);
        // class 2: TP 4, P 5, T 4, union 4+5-4 = 5: IoU 4/5, FP 1/5, FN 0
        assertEquals(0.8, m.iou(2), TOL);
        assertEquals(0.2, m.falsePositive(2), TOL);
        assertEquals(0.0, m.falseNegative(2), TOL);
        // IoU + FP + FN = 1 for every class that occurs: the three parts of the union.
        for (int c = 0; c < 3; c++) {
            assertEquals(1.0, m.iou(c) + m.falsePositive(c) + m.falseNegative(c), TOL);
        }
    }

    @Test
    void meanIouIncludesBackgroundAndMeanFpFnDoNot() {
        ConfusionMatrix m = handMade();
        // mIoU = (5/8 + 3/7 + 4/5)/3 = (0.625 + 0.4285714 + 0.8)/3 = 0.6178571
        assertEquals((0.625 + 3.0 / 7 + 0.8) / 3, m.meanIou(), TOL);
        // the foreground-only mean (3/7 + 4/5)/2 = 0.6142857 would be a different number
        assertNotEquals((3.0 / 7 + 0.8) / 2, m.meanIou(), 1e-3);
        // m_FP = (1/7 + 1/5)/2 = 0.1714286 ; m_FN = (3/7 + 0)/2 = 0.2142857 (background's 0.25, 0.125 left out)
        assertEquals((1.0 / 7 + 0.2) / 2, m.meanFalsePositive(), TOL);
        assertEquals((3.0 / 7) / 2, m.meanFalseNegative(), TOL);
    }

    @Test
    void addPixelAgreesWithAdd() {
        var byPixel = new ConfusionMatrix(3);
        LabelMask[] masks = handMadeMasks();
        for (int x = 0; x < masks[1].width(); x++) {
            byPixel.addPixel(masks[0].get(x, 0), masks[1].get(x, 0));
        }
        assertEquals(handMade(), byPixel);
    }

    @Test
    void ignorePixelsAreSkippedWhateverTheirPrediction() {
        var m = new ConfusionMatrix(2);
        m.addPixel(1, 255);
        m.addPixel(200, 255);
        m.add(new LabelMask(2, 1, new byte[] {(byte) 9, 1}), new LabelMask(2, 1, new byte[] {(byte) 255, (byte) 255}));
        assertEquals(0, m.total());
        assertEquals(0, m.predicted(1));
    }

    @Test
    void predictedIgnoreIsAMissForTheTrueClass() {
        var m = new ConfusionMatrix(2);
        m.addPixel(1, 1);
        m.addPixel(LabelMask.IGNORE, 1);
        // T_1 = 2, P_1 = 1, TP_1 = 1: IoU 1/2, FN 1/2, FP 0
        assertEquals(2, m.truth(1));
        assertEquals(1, m.predicted(1));
        assertEquals(0.5, m.iou(1), TOL);
        assertEquals(0.5, m.falseNegative(1), TOL);
        assertEquals(0.0, m.falsePositive(1), TOL);
        assertEquals(1, m.count(LabelMask.IGNORE, 1));
        assertEquals(2, m.total());
    }

    @Test
    void classAbsentFromPredictionAndTruthHasZeroIouLikeTheReference() {
        var m = new ConfusionMatrix(3);
        m.addPixel(0, 0);
        m.addPixel(1, 1);
        // class 2: 0/(0 + 1e-10) = 0, not NaN; it still counts: mIoU = (1 + 1 + 0)/3 up to the 1e-10 guard
        assertEquals(0.0, m.iou(2));
        assertEquals(0.0, m.falsePositive(2));
        assertEquals(0.0, m.falseNegative(2));
        assertEquals(2.0 / 3, m.meanIou(), TOL);
        // the guard is the reference's: 1/(1 + 1e-10), not exactly 1
        assertEquals(1.0 / (1.0 + 1e-10), m.iou(0));
        // an empty matrix is all zeros, not NaN
        assertEquals(0.0, new ConfusionMatrix(4).meanIou());
        assertEquals(0.0, new ConfusionMatrix(4).meanFalseNegative());
    }

    @Test
    void mergeAddsCounts() {
        ConfusionMatrix a = handMade();
        ConfusionMatrix b = handMade();
        b.addPixel(2, 0);
        a.merge(b);
        assertEquals(10, a.truePositives(0));
        assertEquals(5 + 5 + 1, a.predicted(2));
        assertEquals(16 + 17, a.total());
        // merging doubles every count, so the ratios of the doubled part are unchanged: class 1 IoU 6/14
        assertEquals(6.0 / 14, a.iou(1), TOL);
        var other = new ConfusionMatrix(4);
        var e = assertThrows(IllegalArgumentException.class, () -> a.merge(other));
        assertTrue(e.getMessage().contains("4-class") && e.getMessage().contains("3-class"), e.getMessage());
    }

    @Test
    void copyIsIndependent() {
        ConfusionMatrix a = handMade();
        ConfusionMatrix b = a.copy();
        assertEquals(a, b);
        b.addPixel(0, 0);
        assertNotEquals(a, b);
        assertEquals(16, a.total());
    }

    @Test
    void longCountersGoBeyondTheIntRange() {
        var a = new ConfusionMatrix(2);
        a.addCount(1, 1, 3_000_000_000L);
        a.addCount(0, 1, 2_000_000_000L);
        a.addCount(0, 0, 4_000_000_000L);
        var b = a.copy();
        a.merge(b);
        // T_1 = 2·(3e9 + 2e9) = 1e10 > 2^32; TP_1 = 6e9; P_1 = 6e9; IoU_1 = 6e9/1e10 = 0.6
        assertEquals(10_000_000_000L, a.truth(1));
        assertEquals(6_000_000_000L, a.truePositives(1));
        assertEquals(0.6, a.iou(1), TOL);
        // class 0: TP 8e9, P 8e9 + 4e9 = 1.2e10, T 8e9: IoU 8/12, FP 4/12
        assertEquals(12_000_000_000L, a.predicted(0));
        assertEquals(8.0 / 12, a.iou(0), TOL);
        assertEquals(4.0 / 12, a.falsePositive(0), TOL);
        assertEquals(18_000_000_000L, a.total());
        var full = new ConfusionMatrix(2);
        full.addCount(0, 0, Long.MAX_VALUE);
        // bulk counts and merges check for overflow rather than wrapping
        assertThrows(ArithmeticException.class, () -> full.addCount(0, 0, 1));
        assertThrows(ArithmeticException.class, () -> full.merge(full.copy()));
    }

    @Test
    void rejectsBadInputWithClearMessages() {
        var m = new ConfusionMatrix(3);
        var size = assertThrows(IllegalArgumentException.class,
                () -> m.add(LabelMask.zeros(3, 2), LabelMask.zeros(2, 3)));
        assertTrue(size.getMessage().contains("3x2") && size.getMessage().contains("2x3"), size.getMessage());
        var pred = assertThrows(IllegalArgumentException.class,
                () -> m.add(new LabelMask(2, 1, new byte[] {0, 3}), LabelMask.zeros(2, 1)));
        assertTrue(pred.getMessage().contains("predicted class 3") && pred.getMessage().contains("x=1"),
                pred.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> m.add(LabelMask.zeros(1, 1), new LabelMask(1, 1, new byte[] {5})));
        assertThrows(IllegalArgumentException.class, () -> m.addPixel(3, 0));
        assertThrows(IllegalArgumentException.class, () -> m.addPixel(0, 3));
        assertThrows(IllegalArgumentException.class, () -> m.addPixel(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> m.iou(3));
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(1));
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(256));
        assertThrows(IllegalArgumentException.class, () -> m.addCount(0, 0, -1));
        // a rejected mask leaves the matrix untouched (pixel 0 was valid, pixel 1 was not)
        assertEquals(0, m.total());
    }
}
