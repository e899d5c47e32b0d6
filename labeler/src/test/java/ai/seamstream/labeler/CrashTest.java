package ai.seamstream.labeler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.devstack.EmbeddedKafka;
import ai.seamstream.devstack.KafkaBrokerExtension;
import ai.seamstream.schemas.v1.Mask;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A labeler process killed with SIGKILL in the middle of a batch's transaction, and restarted with the same
 * transactional id and group, leaves exactly one committed mask per input.
 *
 * <p>The labeler runs as a separate JVM ({@link LabelerProcess}). Its Kafka clients carry the test interceptor
 * {@link SlowMaskSends}, which slows each mask send down and reports every acknowledged mask record on stdout, so
 * the test can kill the process after its first batch is committed and while a later batch's transaction is open
 * with some of its masks already written to the log. The test checks that such uncommitted masks really were on the
 * log (read uncommitted sees more than read committed), and that after the restart (which fences the old producer
 * and aborts its transaction, then redoes the batch from the committed offsets) every input has exactly one
 * committed mask of the model version.
 *
 * <p>The child's class path goes in the {@code CLASSPATH} environment variable, not on its command line: ONNX
 * Runtime 1.29's environment creation recurses over the process's command line and overflows a thread's stack
 * (SIGSEGV, exit 139, no hs_err file) once it is longer than a few thousand characters, as a test class path is.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CrashTest {
    private static final int BATCH = 8;

    @TempDir
    Path cache;

    /** A started child, its output lines (after {@code running}) in a queue. */
    private record Child(Process process, BlockingQueue<String> lines) {
        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL: no clean close, the open transaction stays open
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the labeler process did not die");
        }
    }

    private Child start(EmbeddedKafka kafka, String prefix, long delayMs) throws Exception {
        var pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", LabelerProcess.class.getName(),
                kafka.bootstrapServers(), prefix, "crash-group", "a", cache.toString(), Integer.toString(BATCH),
                Long.toString(delayMs)).redirectErrorStream(true);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        var early = new ArrayList<String>();
        String line;
        while ((line = out.readLine()) != null && !line.equals("running")) {
            early.add(line);
        }
        if (line == null) {
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the labeler process ended before it consumed, exit "
                    + (p.isAlive() ? "(alive)" : p.exitValue()) + ", output:\n" + String.join("\n", early));
        }
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        early.stream().filter(l -> l.startsWith("acked ")).forEach(lines::add); // none expected, but never lost
        Thread drain = new Thread(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    lines.add(l);
                }
            } catch (Exception e) {
                // the process is gone
            }
        }, "child-output");
        drain.setDaemon(true);
        drain.start();
        return new Child(p, lines);
    }

    @Test
    void killedMidBatchAndRestartedLeavesExactlyOneMaskPerInput(EmbeddedKafka kafka) throws Exception {
        String prefix = "crash.";
        var t = Streams.topics(kafka, prefix, 1);
        Path model = TestModels.model(1);
        int n = 5 * BATCH;
        try (var producer = Streams.producer(kafka)) {
            Streams.promote(producer, t, "v1", model, TestModels.sha(model));
            for (int i = 0; i < n; i++) {
                Streams.send(producer, t.labelled(), "img-" + i,
                        Streams.labelled("img-" + i, Streams.image(i, 40, 32, true), List.of("cat")));
            }
            producer.flush();
        }
        // 150 ms per mask send: a batch's transaction stays open for over a second
        Child first = start(kafka, prefix, 150);
        try {
            // count acknowledged masks as they arrive (nothing else in between, so the count follows the child in
            // real time): the first batch is wholly written and committed, and the second batch's transaction is open
            // with 5 of its masks written and 3 still to come (3 x 150 ms): kill the process inside it
            int acked = 0;
            while (acked < 2 * BATCH - 3) {
                String l = first.lines().poll(120, TimeUnit.SECONDS);
                assertTrue(l != null, "only " + acked + " masks acknowledged within 120 s");
                acked += l.startsWith("acked ") ? 1 : 0;
            }
        } finally {
            first.kill();
        }
        var committedAfterKill = Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(3), l -> false);
        var loggedAfterKill = Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(3), l -> false, false);
        System.out.printf("crash test: at the kill %d masks committed, %d on the log%n", committedAfterKill.size(),
                loggedAfterKill.size());
        assertTrue(committedAfterKill.size() >= BATCH, "the first batch was not committed: " + committedAfterKill.size());
        assertTrue(committedAfterKill.size() < n, "the kill came after all the work: " + committedAfterKill.size());
        assertTrue(loggedAfterKill.size() > committedAfterKill.size(), "no uncommitted mask was on the log at the kill ("
                + loggedAfterKill.size() + " written, " + committedAfterKill.size() + " committed)");

        Child second = start(kafka, prefix, 0);
        try {
            Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(120), l -> l.size() >= n);
            Thread.sleep(1500); // room for a duplicate to show up
            var masks = Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(5), l -> false);
            Map<String, Long> per = masks.stream().collect(Collectors.groupingBy(Mask::getImageId, Collectors.counting()));
            assertEquals(n, per.size(), "images with a committed mask");
            per.forEach((id, c) -> assertEquals(1L, c, "committed masks of " + id));
            assertEquals(n, masks.size());
            masks.forEach(m -> assertEquals("v1", m.getModelVersion()));
            // the aborted transaction's masks stay on the log, invisible to committed reads
            var logged = Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(3), l -> false, false);
            assertTrue(logged.size() > n, "the aborted masks: " + logged.size() + " on the log for " + n + " inputs");
        } finally {
            second.kill();
        }
    }
}
