package ai.seamstream.torch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.pytorch.jni.JniUtils;
import ai.seamstream.torch.EngineThreadsPin;

import org.junit.jupiter.api.Test;

/**
 * The engine runs every test on the build's thread count, whichever test class happens to start first: a CLI command
 * asking for another count (its default is two) must not change it.
 */
class EngineThreadsPinTest {
    @Test
    void cliSetupCannotChangeTheTestThreadCount() {
        String requested = EngineThreadsPin.requested();
        assertNotNull(requested, "EngineThreadsPin runs at the start of the test session and the build sets "
                + "ai.djl.pytorch.num_threads");
        int pinned = Integer.parseInt(requested);
        assertEquals(pinned, JniUtils.getNumThreads(), "the engine runs on the build's thread count");
        String property = System.getProperty("ai.djl.pytorch.num_threads");
        try {
            EngineSetup.configure(pinned + 1, 0);
            assertEquals(pinned, JniUtils.getNumThreads(), "a CLI command started later does not change it");
        } finally {
            System.setProperty("ai.djl.pytorch.num_threads", property);
        }
    }
}
