package ai.seamstream.core.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SyntheticConfigTest {
    private static final SyntheticConfig D = SyntheticConfig.defaults();

    /** A copy of the defaults with one component replaced, by name. */
    private static SyntheticConfig with(String field, Object value) {
        return new SyntheticConfig(
                field.equals("seed") ? (Long) value : D.seed(),
                field.equals("count") ? (Integer) value : D.count(),
                field.equals("width") ? (Integer) value : D.width(),
                field.equals("height") ? (Integer) value : D.height(),
                field.equals("classes") ? (Integer) value : D.classes(),
                field.equals("minObjects") ? (Integer) value : D.minObjects(),
                field.equals("maxObjects") ? (Integer) value : D.maxObjects(),
                field.equals("contextClasses") ? (Integer) value : D.contextClasses(),
                field.equals("contextProbability") ? (Double) value : D.contextProbability(),
                field.equals("contextFalseProbability") ? (Double) value : D.contextFalseProbability(),
                field.equals("ignoreBand") ? (Integer) value : D.ignoreBand(),
                field.equals("minBodyFraction") ? (Double) value : D.minBodyFraction(),
                field.equals("maxBodyFraction") ? (Double) value : D.maxBodyFraction(),
                field.equals("minMarkingFraction") ? (Double) value : D.minMarkingFraction(),
                field.equals("maxMarkingFraction") ? (Double) value : D.maxMarkingFraction(),
                field.equals("maxOcclusion") ? (Double) value : D.maxOcclusion(),
                field.equals("markingMargin") ? (Integer) value : D.markingMargin(),
                field.equals("markingTint") ? (Double) value : D.markingTint(),
                field.equals("markingShade") ? (Double) value : D.markingShade(),
                field.equals("bodyCue") ? (Double) value : D.bodyCue());
    }

    private static void assertRejected(String field, Supplier<SyntheticConfig> build) {
        var e = assertThrows(IllegalArgumentException.class, build::get, field);
        assertTrue(e.getMessage().startsWith("SyntheticConfig." + field + " "), e.getMessage());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertEquals(new SyntheticConfig(1L, 1000, 112, 112, 8, 1, 3, 3, 0.8, 0.05, 0, 0.30, 0.50, 0.06, 0.10, 0.30, 2, 1.0, 0.0, 0.0), D);
    }

    @Test
    void everyBadFieldIsNamed() {
        assertRejected("count", () -> with("count", 0));
        assertRejected("width", () -> with("width", 47));
        assertRejected("height", () -> with("height", 5000));
        assertRejected("classes", () -> with("classes", 1));
        assertRejected("classes", () -> with("classes", SyntheticConfig.MAX_CLASSES + 1));
        assertRejected("minObjects", () -> with("minObjects", 0));
        assertRejected("maxObjects", () -> with("maxObjects", 0));
        assertRejected("maxObjects", () -> with("maxObjects", SyntheticConfig.MAX_OBJECTS + 1));
        assertRejected("contextClasses", () -> with("contextClasses", -1));
        assertRejected("contextClasses", () -> with("contextClasses", SyntheticConfig.MAX_CONTEXT_CLASSES + 1));
        assertRejected("contextProbability", () -> with("contextProbability", 1.5));
        assertRejected("contextProbability", () -> with("contextProbability", Double.NaN));
        assertRejected("contextFalseProbability", () -> with("contextFalseProbability", -0.1));
        assertRejected("ignoreBand", () -> with("ignoreBand", -1));
        assertRejected("ignoreBand", () -> with("ignoreBand", 17));
        assertRejected("maxBodyFraction", () -> with("maxBodyFraction", 0.9));
        assertRejected("minBodyFraction", () -> with("minBodyFraction", 0.6));
        assertRejected("minBodyFraction", () -> with("minBodyFraction", 0.0));
        assertRejected("maxMarkingFraction", () -> with("maxMarkingFraction", 0.3));
        assertRejected("minMarkingFraction", () -> with("minMarkingFraction", 0.01));
        assertRejected("minMarkingFraction", () -> with("minMarkingFraction", 0.2));
        assertRejected("maxOcclusion", () -> with("maxOcclusion", 0.7));
        assertRejected("markingMargin", () -> with("markingMargin", 9));
        assertRejected("markingTint", () -> with("markingTint", 0.1));
        assertRejected("markingShade", () -> with("markingShade", 0.1));
        assertRejected("markingShade", () -> with("markingShade", 0.9));
        assertRejected("markingShade", () -> D.withMarkingTint(0.5).withMarkingShade(0.5));
        assertEquals(0.5, D.withMarkingShade(0.5).markingShade());
        assertRejected("bodyCue", () -> with("bodyCue", -0.1));
        assertRejected("bodyCue", () -> with("bodyCue", 1.1));
        assertRejected("bodyCue", () -> D.withBodyCue(Double.NaN));
        assertEquals(0.5, D.withBodyCue(0.5).bodyCue());
    }

    @Test
    void contextClassesMustFitTheClassCount() {
        assertRejected("contextClasses", () -> D.withClasses(2));
        assertEquals(2, D.withContexts(2, 0.8, 0.05).withClasses(2).classes());
    }

    @Test
    void bodiesMustSpanSeveralCells() {
        // 0.3 · 48 = 14.4 px < 16 px
        var e = assertThrows(IllegalArgumentException.class, () -> D.withSize(48, 200));
        assertTrue(e.getMessage().contains("minBodyFraction") && e.getMessage().contains("48"), e.getMessage());
        assertEquals(56, D.withSize(56, 200).width());
    }

    @Test
    void copiesChangeOnlyTheirFields() {
        assertEquals(with("seed", 9L), D.withSeed(9L));
        assertEquals(with("count", 12), D.withCount(12));
        assertEquals(with("width", 96), D.withSize(96, 112));
        assertEquals(with("classes", 6), D.withClasses(6));
        assertEquals(with("ignoreBand", 5), D.withIgnoreBand(5));
        var objects = D.withObjects(2, 4);
        assertEquals(2, objects.minObjects());
        assertEquals(4, objects.maxObjects());
        assertEquals(D, objects.withObjects(1, 3));
        var contexts = D.withContexts(4, 0.9, 0.1);
        assertEquals(4, contexts.contextClasses());
        assertEquals(0.9, contexts.contextProbability());
        assertEquals(0.1, contexts.contextFalseProbability());
        assertEquals(D, contexts.withContexts(3, 0.8, 0.05));
        assertRejected("count", () -> D.withCount(-1));
    }
}
