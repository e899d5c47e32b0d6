package ai.seamstream.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.model.ModelManifest;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxPseudoMasksOptionsTest {
    private static ModelManifest manifest() {
        return new ModelManifest(ModelManifest.FORMAT, "m", List.of("background", "a"), "SEAM", "model.onnx", "00", 17,
                List.of(), List.of(), new ModelManifest.InputContract(List.of(0.5, 0.5, 0.5), List.of(0.2, 0.2, 0.2),
                        List.of(0.5, 1.0, 2.0), false, 0.3, 0.4), null);
    }

    @Test
    void optionsComeFromTheManifestsContract() {
        var o = OnnxPseudoMasks.Options.of(manifest());
        assertArrayEquals(new double[] {0.5, 1.0, 2.0}, o.scales());
        assertEquals(false, o.flip());
        assertEquals(0.3f, o.backgroundThreshold());
        assertEquals(0.4, o.uncertainThreshold());
        assertEquals(OnnxPseudoMasks.MapSource.AUTO, o.source());
        assertEquals(0.1f, o.withBackground(0.1f).backgroundThreshold());
        assertEquals(3, o.withMaxBatch(3).maxBatch());
    }

    @Test
    void badOptionsAreRefused() {
        var o = OnnxPseudoMasks.Options.of(manifest());
        assertThrows(IllegalArgumentException.class, () -> o.withMaxBatch(0));
        assertThrows(IllegalArgumentException.class, () -> o.withBackground(1.5f));
        var e = assertThrows(IllegalArgumentException.class, () -> o.withScales(new double[] {0}, true));
        assertTrue(e.getMessage().contains("scales"));
        assertThrows(IllegalArgumentException.class, () -> new OnnxSession.Settings(-1, 1, false, 0, false));
    }
}
