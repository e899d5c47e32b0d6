package ai.seamstream.devstack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFilesTest {
    @TempDir
    Path dir;

    @Test
    void liveProcessIsFoundAndEndedOneIsNot() throws Exception {
        PidFiles pids = new PidFiles(dir.resolve("pids"));
        assertTrue(pids.read("ingest").isEmpty());
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            pids.write("ingest", p.pid());
            assertEquals(p.pid(), pids.read("ingest").getAsLong());
            assertEquals(p.pid(), pids.live("ingest").orElseThrow().pid());
        } finally {
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        }
        assertFalse(pids.live("ingest").isPresent(), "a stale pid file names no live process");
        pids.remove("ingest");
        assertFalse(Files.exists(pids.file("ingest")));
        pids.remove("ingest"); // no error when gone
    }

    @Test
    void garbageIsAnError() throws Exception {
        PidFiles pids = new PidFiles(dir);
        Files.writeString(pids.file("broker"), "not-a-pid");
        IOException e = assertThrows(IOException.class, () -> pids.read("broker"));
        assertTrue(e.getMessage().contains("does not hold a process id"), e.getMessage());
    }
}
