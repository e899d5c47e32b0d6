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
            pids.write("ingest", p.toHandle());
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
    void aReusedPidIsNotTheServiceAndAnOldFileStillReads() throws Exception {
        PidFiles pids = new PidFiles(dir);
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            long started = p.toHandle().info().startInstant().orElseThrow().toEpochMilli();
            pids.write("labeler", p.toHandle());
            assertEquals(p.pid() + " " + started, Files.readString(pids.file("labeler")).trim());
            // the same pid, but recorded for a process that started an hour earlier: a reused pid, not ours
            Files.writeString(pids.file("labeler"), p.pid() + " " + (started - 3_600_000) + "\n");
            assertEquals(p.pid(), pids.read("labeler").getAsLong());
            assertFalse(pids.live("labeler").isPresent(), "a pid that started at another time is someone else's");
            Files.writeString(pids.file("labeler"), p.pid() + " " + (started + PidFiles.START_TOLERANCE_MS) + "\n");
            assertTrue(pids.live("labeler").isPresent(), "within the tolerance");
            // a file from before start times were recorded: the pid alone
            Files.writeString(pids.file("labeler"), p.pid() + "\n");
            assertEquals(p.pid(), pids.live("labeler").orElseThrow().pid());
        } finally {
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void garbageIsAnError() throws Exception {
        PidFiles pids = new PidFiles(dir);
        Files.writeString(pids.file("broker"), "not-a-pid");
        IOException e = assertThrows(IOException.class, () -> pids.read("broker"));
        assertTrue(e.getMessage().contains("does not hold a process id"), e.getMessage());
        Files.writeString(pids.file("broker"), "12 34 56");
        assertThrows(IOException.class, () -> pids.read("broker"));
        Files.writeString(pids.file("broker"), "12 later");
        assertThrows(IOException.class, () -> pids.read("broker"));
    }
}
