package ai.seamstream.ingest.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and closes {@link KafkaStreams} so that local state left by a crash is never trusted: a marker file is
 * written after a clean close, and a start that finds state but no marker wipes it and restores from the changelogs.
 *
 * <p>Why: under {@code exactly_once_v2}, Kafka Streams 4.2.1 leaves the checkpoint file it writes when restoration
 * ends in place while the task runs (KAFKA-20685, fixed after 4.2.1). After a crash the restarted instance then
 * trusts a local RocksDB that may hold writes of an aborted transaction (its WAL is off and memtables flush in the
 * background). The crash test saw exactly that: an image whose digest survived from the aborted transaction was
 * taken for a re-send and never labelled. Restoring from the committed changelogs costs start-up time after a crash
 * only.
 */
public final class CrashSafeStreams {
    private static final Logger LOG = LoggerFactory.getLogger(CrashSafeStreams.class);

    private CrashSafeStreams() {
    }

    static Path marker(StreamsSettings s) {
        return s.stateDir().resolve(s.applicationId() + ".clean-shutdown");
    }

    /**
     * A new, not yet started {@link KafkaStreams}; this instance's local state was wiped first unless the previous
     * run on the same state directory ended with {@link #close}.
     */
    public static KafkaStreams create(Topology topology, StreamsSettings s) {
        Path marker = marker(s);
        boolean clean = Files.exists(marker);
        var streams = new KafkaStreams(topology, s.toProperties());
        try {
            Files.deleteIfExists(marker);
            if (!clean && hasFiles(s.stateDir().resolve(s.applicationId()))) {
                LOG.warn("state of {} in {} was not closed cleanly: wiping it, the stores restore from their changelogs",
                        s.applicationId(), s.stateDir());
                streams.cleanUp();
            }
        } catch (IOException e) {
            streams.close();
            throw new UncheckedIOException("cannot check the state directory " + s.stateDir(), e);
        }
        return streams;
    }

    /**
     * Closes the streams and, if they stopped completely within the timeout, marks the state as clean.
     *
     * @return whether the close completed
     */
    public static boolean close(KafkaStreams streams, StreamsSettings s, Duration timeout) {
        boolean done = streams.close(timeout);
        if (done && streams.state() == KafkaStreams.State.NOT_RUNNING) {
            try {
                Files.createDirectories(s.stateDir());
                Files.writeString(marker(s), "closed cleanly\n");
            } catch (IOException e) {
                LOG.warn("cannot write {}: the next start restores from the changelogs", marker(s), e);
            }
        }
        return done;
    }

    private static boolean hasFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(p -> Files.isRegularFile(p) && !p.getFileName().toString().startsWith("."));
        }
    }
}
