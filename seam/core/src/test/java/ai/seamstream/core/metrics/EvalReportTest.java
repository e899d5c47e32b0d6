package ai.seamstream.core.metrics;

import ai.seamstream.schemas.ClassVocabulary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalReportTest {
    private static final double TOL = 1e-9;
    private static final ClassVocabulary PETS = ClassVocabulary.ofForeground(List.of("cat", "dog"));

    @Test
    void rowsAndMeansComeFromTheMatrix() {
        EvalReport r = EvalReport.of(PETS, ConfusionMatrixTest.handMade());
        assertEquals(3, r.classes().size());
        EvalReport.ClassRow cat = r.classes().get(1);
        // class 1 of the hand-made confusion: TP 3, P 4, T 6; IoU 3/7, FP 1/7, FN 3/7
        assertEquals(new EvalReport.ClassRow(1, "cat", cat.iou(), cat.falsePositive(), cat.falseNegative(), 3, 4, 6), cat);
        assertEquals(3.0 / 7, cat.iou(), TOL);
        assertEquals(1.0 / 7, cat.falsePositive(), TOL);
        assertEquals(3.0 / 7, cat.falseNegative(), TOL);
        assertEquals((0.625 + 3.0 / 7 + 0.8) / 3, r.meanIou(), TOL);
        assertEquals((1.0 / 7 + 0.2) / 2, r.meanFalsePositive(), TOL);
        assertEquals((3.0 / 7) / 2, r.meanFalseNegative(), TOL);
        assertEquals(16, r.pixels());
        assertNull(r.sweep());
    }

    @Test
    void tableIsFixedWidthWithPercentages() {
        String table = EvalReport.of(PETS, ConfusionMatrixTest.handMade()).toTable();
        String[] lines = table.split("\n");
        assertEquals(5, lines.length, table);
        // header and class rows share one width
        for (int i = 1; i < 4; i++) {
            assertEquals(lines[0].length(), lines[i].length(), table);
        }
        // background: IoU 5/8 = 62.50 %, FP 2/8 = 25.00 %, FN 1/8 = 12.50 %, TP 5, P 7, T 6
        assertTrue(lines[1].matches("background\\s+62\\.50\\s+25\\.00\\s+12\\.50\\s+5\\s+7\\s+6"), lines[1]);
        // cat: 3/7 = 42.86 %, 1/7 = 14.29 %, 3/7 = 42.86 %
        assertTrue(lines[2].matches("cat\\s+42\\.86\\s+14\\.29\\s+42\\.86\\s+3\\s+4\\s+6"), lines[2]);
        // dog: 4/5 = 80.00 %, 1/5 = 20.00 %, 0
        assertTrue(lines[3].matches("dog\\s+80\\.00\\s+20\\.00\\s+0\\.00\\s+4\\s+5\\s+4"), lines[3]);
        // mIoU (0.625 + 0.428571 + 0.8)/3 = 61.79 %; m_FP (0.142857 + 0.2)/2 = 17.14 %; m_FN 0.428571/2 = 21.43 %
        assertEquals("mIoU 61.79%  m_FP 17.14%  m_FN 21.43%  pixels 16", lines[4]);
    }

    @Test
    void jsonHasEveryFieldAsFractions() throws Exception {
        String json = EvalReport.of(PETS, ConfusionMatrixTest.handMade()).toJson();
        JsonNode root = new ObjectMapper().readTree(json);
        assertEquals(3, root.get("classes").size());
        JsonNode dog = root.get("classes").get(2);
        assertEquals("dog", dog.get("name").asText());
        assertEquals(2, dog.get("index").asInt());
        assertEquals(0.8, dog.get("iou").asDouble(), TOL);
        assertEquals(0.2, dog.get("falsePositive").asDouble(), TOL);
        assertEquals(0.0, dog.get("falseNegative").asDouble(), TOL);
        assertEquals(4, dog.get("truePositives").asLong());
        assertEquals(5, dog.get("predicted").asLong());
        assertEquals(4, dog.get("truth").asLong());
        assertEquals((0.625 + 3.0 / 7 + 0.8) / 3, root.get("meanIou").asDouble(), TOL);
        assertEquals((1.0 / 7 + 0.2) / 2, root.get("meanFalsePositive").asDouble(), TOL);
        assertEquals((3.0 / 7) / 2, root.get("meanFalseNegative").asDouble(), TOL);
        assertEquals(16, root.get("pixels").asLong());
        assertFalse(root.has("sweep"), json);
    }

    @Test
    void sweepReportUsesTheBestThreshold() throws Exception {
        var vocabulary = ClassVocabulary.ofForeground(List.of("cat"));
        EvalReport r = EvalReport.of(vocabulary, ThresholdSweepTest.handMadeSweep());
        // the hand-made sweep is perfect at its best t = 0.30: IoU 1 for both classes
        assertEquals(0.30, r.sweep().bestThreshold());
        assertEquals(1.0, r.sweep().bestMeanIou(), TOL);
        assertEquals(1.0, r.meanIou(), TOL);
        assertEquals(60, r.sweep().curve().size());
        assertEquals(new EvalReport.CurvePoint(0.0, r.sweep().curve().get(0).meanIou()), r.sweep().curve().get(0));
        assertEquals(1.0 / 6, r.sweep().curve().get(0).meanIou(), TOL);
        String table = r.toTable();
        assertTrue(table.contains("best t 0.30  mIoU 100.00%\n"), table);
        assertTrue(table.contains("\n0.00    16.67\n"), table); // 1/6
        assertTrue(table.contains("\n0.59    33.33\n"), table); // 1/3
        JsonNode sweep = new ObjectMapper().readTree(r.toJson()).get("sweep");
        assertEquals(0.30, sweep.get("bestThreshold").asDouble());
        assertEquals(60, sweep.get("curve").size());
        assertEquals(0.26, sweep.get("curve").get(26).get("threshold").asDouble());
        assertEquals(1.0, sweep.get("curve").get(40).get("meanIou").asDouble(), TOL);
    }

    @Test
    void vocabularyMustMatchTheClassCount() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> EvalReport.of(ClassVocabulary.VOC2012, ConfusionMatrixTest.handMade()));
        assertTrue(e.getMessage().contains("21") && e.getMessage().contains("3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EvalReport.of(PETS, new ThresholdSweep(2)));
    }
}
