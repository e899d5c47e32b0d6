package ai.seamstream.ingest.streams;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.ingest.topology.IngestTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrashSafeStreamsTest {

    static StreamsSettings settings(Path dir) {
        // nothing listens on port 1: these streams are created and closed, never started
        return new StreamsSettings("127.0.0.1:1", "app", dir, 1, 0, 100, Map.of());
    }

    @Test
    void stateWithoutCleanShutdownMarkerIsWipedAndACleanCloseKeepsIt(@TempDir Path dir) throws Exception {
        var s = settings(dir);
        Path leftover = dir.resolve("app").resolve("0_0").resolve("rocksdb").resolve("images").resolve("000001.sst");
        Files.createDirectories(leftover.getParent());
        Files.writeString(leftover, "state of a crashed run");

        var streams = CrashSafeStreams.create(IngestTopology.build(StreamsProcess.config("t.")), s);
        assertFalse(Files.exists(leftover), "a crashed run's state is wiped");
        assertTrue(CrashSafeStreams.close(streams, s, Duration.ofSeconds(10)));
        assertTrue(Files.exists(CrashSafeStreams.marker(s)), "a clean close leaves the marker");

        Files.createDirectories(leftover.getParent());
        Files.writeString(leftover, "state of a clean run");
        var again = CrashSafeStreams.create(IngestTopology.build(StreamsProcess.config("t.")), s);
        assertTrue(Files.exists(leftover), "after a clean close the state is kept");
        assertFalse(Files.exists(CrashSafeStreams.marker(s)), "the marker is consumed by the start");
        // simulate a crash of this run: no close(), so no marker; the next start wipes
        again.close(Duration.ofSeconds(10));
        var third = CrashSafeStreams.create(IngestTopology.build(StreamsProcess.config("t.")), s);
        assertFalse(Files.exists(leftover), "no marker, wiped");
        third.close(Duration.ofSeconds(10));
    }
}
