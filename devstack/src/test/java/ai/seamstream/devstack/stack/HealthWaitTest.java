package ai.seamstream.devstack.stack;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health waits against a real HTTP server that answers 503 for a while, then 200 (or never). */
class HealthWaitTest {
    @TempDir
    Path dir;
    HttpServer server;
    final AtomicInteger calls = new AtomicInteger();
    volatile int healthyAfter = Integer.MAX_VALUE;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/q/health/ready", ex -> {
            boolean ok = calls.incrementAndGet() > healthyAfter;
            byte[] body = (ok ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\",\"why\":\"store\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ok ? 200 : 503, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/q/health/ready");
    }

    @Test
    void waitsUntilHealthy() {
        healthyAfter = 3;
        assertDoesNotThrow(() -> HealthWait.await("ingest", HealthWait.http(url()), () -> true,
                Duration.ofSeconds(20), Duration.ofMillis(20), dir.resolve("none.log"), 5));
        assertTrue(calls.get() == 4, "polled until the fourth answer, got " + calls.get());
    }

    @Test
    void timeoutNamesServiceAnswerAndLogTail() throws Exception {
        Path log = dir.resolve("trainer.log");
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 50; i++) {
            lines.append("line ").append(i).append('\n');
        }
        Files.writeString(log, lines);
        long t0 = System.nanoTime();
        var e = assertThrows(HealthWait.NotHealthyException.class, () -> HealthWait.await("trainer",
                HealthWait.http(url()), () -> true, Duration.ofMillis(600), Duration.ofMillis(50), log, 3));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 600 && ms < 10_000, "gave up after " + ms + " ms");
        String m = e.getMessage();
        assertTrue(m.startsWith("trainer did not become healthy within 0 s"), m);
        assertTrue(m.contains("answered 503") && m.contains("\"why\":\"store\""), m);
        assertTrue(m.endsWith("line 48\nline 49\nline 50") && !m.contains("line 47"), m);
    }

    @Test
    void endedProcessFailsAtOnce() {
        long t0 = System.nanoTime();
        var e = assertThrows(HealthWait.NotHealthyException.class, () -> HealthWait.await("labeler",
                HealthWait.http(url()), () -> false, Duration.ofSeconds(60), Duration.ofMillis(50),
                dir.resolve("labeler.log"), 3));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 10_000);
        assertTrue(e.getMessage().startsWith("labeler stopped before it became healthy"), e.getMessage());
        assertTrue(e.getMessage().contains("is empty or missing"), e.getMessage());
    }

    @Test
    void refusedConnectionIsReported() throws Exception {
        server.stop(0);
        var problem = HealthWait.http(url()).check();
        assertTrue(problem.isPresent() && problem.get().contains("failed"), problem.toString());
    }

    @Test
    void logLineProbe() throws Exception {
        Path log = dir.resolve("broker.log");
        var probe = HealthWait.logLine(log, StackLauncher.BROKER_READY);
        assertTrue(probe.check().isPresent());
        Files.writeString(log, "starting\nseamstream broker ready at 127.0.0.1:9092 (8 topics created)\n");
        assertTrue(probe.check().isEmpty());
    }
}
