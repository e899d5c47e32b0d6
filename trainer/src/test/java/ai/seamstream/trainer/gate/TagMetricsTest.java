package ai.seamstream.trainer.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.metrics.ConfusionMatrix;
import org.junit.jupiter.api.Test;

/** Each proxy formula against values worked out by hand (in the comments). */
class TagMetricsTest {

    @Test
    void averagePrecisionByHand() {
        // Ranks: 0.9 T (P 1, R .5), 0.8 F, 0.7 T (P 2/3, R 1): AP = .5·1 + .5·2/3 = 0.8333.
        assertEquals(0.5 + 0.5 * 2 / 3.0, TagMetrics.averagePrecision(new double[] {0.9, 0.8, 0.7, 0.6},
                new boolean[] {true, false, true, false}), 1e-12);
        // Perfect ranking.
        assertEquals(1.0, TagMetrics.averagePrecision(new double[] {0.9, 0.1}, new boolean[] {true, false}), 1e-12);
        // A tie enters as one threshold: (.5 T, .5 F) then .1 T: .5·.5 + .5·2/3 = 0.5833, whatever the tie order.
        double expected = 0.5 * 0.5 + 0.5 * 2 / 3.0;
        assertEquals(expected, TagMetrics.averagePrecision(new double[] {0.5, 0.5, 0.1}, new boolean[] {true, false, true}), 1e-12);
        assertEquals(expected, TagMetrics.averagePrecision(new double[] {0.5, 0.5, 0.1}, new boolean[] {false, true, true}), 1e-12);
        assertTrue(Double.isNaN(TagMetrics.averagePrecision(new double[] {0.3}, new boolean[] {false})));
        assertThrows(IllegalArgumentException.class, () -> TagMetrics.averagePrecision(new double[] {0.3}, new boolean[0]));
        assertThrows(IllegalArgumentException.class,
                () -> TagMetrics.averagePrecision(new double[] {Double.NaN}, new boolean[] {true}));
    }

    @Test
    void meanAveragePrecisionSkipsClassesWithoutPositives() {
        float[][] s = {{0.9f, 0.2f, 0.5f}, {0.8f, 0.7f, 0.4f}};
        boolean[][] t = {{true, false, false}, {false, true, false}};
        // class 0: ranks T, F → AP 1; class 1: ranks (0.7 T), (0.2 F) → AP 1; class 2 has no positive.
        assertEquals(1.0, TagMetrics.meanAveragePrecision(s, t), 1e-12);
        boolean[][] t2 = {{false, true, false}, {true, false, false}};
        // class 0: 0.9 F, 0.8 T → P 1/2 at R 1 → .5; class 1: 0.7 F, 0.2 T → .5.
        assertEquals(0.5, TagMetrics.meanAveragePrecision(s, t2), 1e-12);
    }

    @Test
    void microF1ByHand() {
        float[][] s = {{0.9f, 0.2f}, {0.6f, 0.7f}};
        boolean[][] t = {{true, false}, {false, true}};
        // Predicted (T,F),(T,T): TP 2, FP 1, FN 0 → 4/5.
        assertEquals(0.8, TagMetrics.microF1(s, t, 0.5), 1e-12);
        // Threshold 0.8: predicted (T,F),(F,F): TP 1, FN 1 → 2/3.
        assertEquals(2 / 3.0, TagMetrics.microF1(s, t, 0.8), 1e-12);
        assertEquals(1.0, TagMetrics.microF1(new float[][] {{0.1f}}, new boolean[][] {{false}}, 0.5));
    }

    @Test
    void overlapIouCountsOnlyOccurringClasses() {
        var m = new ConfusionMatrix(3);
        m.addPixel(0, 0);
        m.addPixel(0, 0);
        m.addPixel(1, 0);
        m.addPixel(1, 1);
        // IoU_0 = 2/(3+2−2) = 2/3, IoU_1 = 1/(1+2−1) = 1/2, class 2 absent: mean 7/12.
        assertEquals(7 / 12.0, TagMetrics.overlapIou(m), 1e-9);
        assertTrue(Double.isNaN(TagMetrics.overlapIou(new ConfusionMatrix(2))));
    }
}
