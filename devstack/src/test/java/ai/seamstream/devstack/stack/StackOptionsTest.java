package ai.seamstream.devstack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackOptionsTest {
    @Test
    void defaultsDoNotClash() {
        StackOptions o = StackOptions.parse("up");
        assertEquals(List.of(9092, 9093, 8080, 8081, 8082),
                List.of(o.brokerPort(), o.controllerPort(), o.ingestPort(), o.labelerPort(), o.trainerPort()));
        assertEquals(Path.of("target", "stack", "kafka"), o.dataDir());
        assertEquals(Path.of("target", "stack", "logs", "ingest.log"), o.logFile("ingest"));
        assertEquals(StackOptions.ALL_SERVICES, o.services());
        assertEquals(Duration.ofSeconds(300), o.timeout());
        assertFalse(o.detach());
        assertTrue(o.build());
        assertEquals("127.0.0.1:9092", o.bootstrapServers());
    }

    @Test
    void optionsAreRead() {
        StackOptions o = StackOptions.parse("up", "--run-dir", "r", "--data", "d", "--ingest-port", "9000",
                "--services", "trainer,broker,ingest", "--timeout", "7", "--detach", "--no-build");
        assertEquals(Path.of("r", "pids"), o.pidDir());
        assertEquals(Path.of("d"), o.dataDir());
        assertEquals(9000, o.port("ingest"));
        assertEquals(List.of("broker", "ingest", "trainer"), o.services(), "start order kept");
        assertEquals(Duration.ofSeconds(7), o.timeout());
        assertTrue(o.detach());
        assertFalse(o.build());
        assertEquals(List.of("labeler"), StackOptions.parse("logs", "labeler").rest());
        assertEquals(List.of("--images", "10"), StackOptions.parse("demo", "--images", "10").rest());
    }

    @Test
    void helpFlagsAnywhereAskForTheUsage() {
        for (String[] args : new String[][] {{"--help"}, {"-h"}, {"help"}, {"up", "--help"}, {"demo", "--images", "10", "-h"}}) {
            assertEquals("help", StackOptions.parse(args).command(), String.join(" ", args));
        }
    }

    @Test
    void theNoBuildSwitchTurnsBuildingOff() {
        assertTrue(StackOptions.parse(Map.of(), "up").build());
        for (String off : List.of("1", "true", "yes")) {
            assertFalse(StackOptions.parse(Map.of(StackOptions.NO_BUILD_ENV, off), "up").build(), off);
        }
        for (String on : List.of("", "0", "false")) {
            assertTrue(StackOptions.parse(Map.of(StackOptions.NO_BUILD_ENV, on), "up").build(), "'" + on + "'");
        }
        assertFalse(StackOptions.parse(Map.of(), "up", "--no-build").build());
    }

    @Test
    void badArgumentsAreNamed() {
        assertTrue(msg("start").contains("unknown command 'start'"));
        assertTrue(msg().contains("a command is needed"));
        assertTrue(msg("up", "--ingest-port", "8081").contains("ports must differ"));
        assertTrue(msg("up", "--ingest-port", "70000").contains("1..65535"));
        assertTrue(msg("up", "--timeout", "x").contains("--timeout needs a whole number"));
        assertTrue(msg("up", "--services", "ingest").contains("must include broker"));
        assertTrue(msg("up", "--services", "broker,web").contains("unknown service 'web'"));
        assertTrue(msg("up", "--bogus").contains("unknown option '--bogus' for up"));
        assertTrue(msg("logs", "kafka").contains("unknown service 'kafka'"));
        assertTrue(msg("up", "--data").contains("--data needs a value"));
    }

    private static String msg(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> StackOptions.parse(args)).getMessage();
    }
}
