package ai.seamstream.labeler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ONNX Runtime session settings the labeler's configuration asks for. */
class LabelerConfigTest {
    private static LabelerConfig config(boolean cuda, int device) {
        return new LabelerConfig("k:9092", "g", "g-a", "a", LabelerConfig.Topics.catalog(),
                new LabelerConfig.Batching(8, Duration.ofMillis(50), 8), Path.of("cache"), 3, 24, 1000L,
                LabelerConfig.Review.defaults(), Map.of(), cuda, device);
    }

    @Test
    void cpuByDefault() {
        var c = new LabelerConfig("k:9092", "g", "g-a", "a", LabelerConfig.Topics.catalog(),
                new LabelerConfig.Batching(8, Duration.ofMillis(50), 8), Path.of("cache"), 3, 24, 1000L,
                LabelerConfig.Review.defaults(), Map.of());
        assertFalse(c.cuda());
        var s = c.sessionSettings();
        assertFalse(s.cuda());
        assertEquals(3, s.intraOpThreads());
        assertEquals(1, s.interOpThreads());
    }

    @Test
    void cudaAskedOnTheGivenDeviceWithTheSameThreads() {
        var s = config(true, 2).sessionSettings();
        assertTrue(s.cuda());
        assertEquals(2, s.cudaDevice());
        assertEquals(3, s.intraOpThreads());
        assertFalse(config(false, 2).sessionSettings().cuda());
    }

    @Test
    void negativeDeviceRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> config(true, -1));
        assertTrue(e.getMessage().contains("CUDA device"), e.getMessage());
    }
}
