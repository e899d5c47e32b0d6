package ai.seamstream.trainer.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CodeVersionTest {
    @Test
    void theBuildVersionUnlessOverridden() {
        String built = CodeVersion.detect();
        assertTrue(built.matches("\\d+\\.\\d+\\.\\d+.*"), "the filtered project version, got " + built);
        System.setProperty(CodeVersion.PROPERTY, " v0.1-12-gabcdef ");
        try {
            assertEquals("v0.1-12-gabcdef", CodeVersion.detect());
        } finally {
            System.clearProperty(CodeVersion.PROPERTY);
        }
        assertEquals(built, CodeVersion.detect());
    }
}
