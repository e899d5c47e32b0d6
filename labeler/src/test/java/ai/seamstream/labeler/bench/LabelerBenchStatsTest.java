package ai.seamstream.labeler.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's nearest-rank percentile and median against hand-worked values. */
class LabelerBenchStatsTest {
    @Test
    void nearestRankPercentile() {
        double[] v = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
        assertEquals(50, LabelerBench.percentile(v, 50)); // rank ceil(5) = 5
        assertEquals(100, LabelerBench.percentile(v, 99)); // rank ceil(9.9) = 10
        assertEquals(10, LabelerBench.percentile(v, 1)); // rank ceil(0.1) = 1
        assertEquals(7, LabelerBench.percentile(new double[] {7}, 99));
        assertTrue(Double.isNaN(LabelerBench.percentile(new double[0], 50)));
    }

    @Test
    void median() {
        assertEquals(3, LabelerBench.median(List.of(5.0, 1.0, 3.0)));
        assertEquals(2.5, LabelerBench.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertTrue(Double.isNaN(LabelerBench.median(List.of())));
    }
}
