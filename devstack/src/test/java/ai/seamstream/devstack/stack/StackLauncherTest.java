package ai.seamstream.devstack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's decisions that need no services: building off, what a service is started with, ports. */
class StackLauncherTest {
    @TempDir
    Path root;

    private StackLauncher launcher(StackOptions o) {
        return new StackLauncher(o, root, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Map.of());
    }

    /** Free ports for the five listeners (the parser wants them distinct). */
    private StackOptions freePorts(String... extra) throws Exception {
        int[] p = new int[5];
        ServerSocket[] held = new ServerSocket[5];
        try {
            for (int i = 0; i < 5; i++) {
                held[i] = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                p[i] = held[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
        List<String> args = new ArrayList<>(List.of("up", "--run-dir", root.resolve("run").toString(),
                "--broker-port", "" + p[0], "--controller-port", "" + p[1], "--ingest-port", "" + p[2],
                "--labeler-port", "" + p[3], "--trainer-port", "" + p[4]));
        args.addAll(List.of(extra));
        return StackOptions.parse(Map.of(), args.toArray(String[]::new));
    }

    private void script(String name) throws Exception {
        script(name, "exit 1\n");
    }

    private void script(String name, String body) throws Exception {
        Path f = Files.createDirectories(root.resolve("bin")).resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void everyServiceIsPreparedBeforeAnyStartsAndAStaleJarStopsUp() throws Exception {
        Path calls = root.resolve("calls.txt");
        for (String s : StackOptions.ALL_SERVICES) {
            // records how it was called; the labeler's jar is stale and building is off
            script(s, "echo \"" + s + " prepare=$" + StackOptions.PREPARE_ONLY_ENV + " nobuild=$"
                    + StackOptions.NO_BUILD_ENV + "\" >> '" + calls + "'\n"
                    + (s.equals("labeler") ? "echo 'labeler: quarkus-run.jar is older than Labeler.java' >&2\nexit 1\n"
                    : "exit 0\n"));
            if (!s.equals("broker")) {
                Files.createDirectories(root.resolve(s + "/target/quarkus-app"));
                Files.writeString(root.resolve(s + "/target/quarkus-app/quarkus-run.jar"), "jar");
            }
        }
        StackLauncher l = launcher(freePorts("--no-build"));
        IllegalStateException e = assertThrows(IllegalStateException.class, l::up);
        assertEquals("labeler: bin/labeler could not prepare its jar (exit 1):\n"
                + "labeler: quarkus-run.jar is older than Labeler.java", e.getMessage());
        assertEquals(List.of("broker prepare=1 nobuild=1", "ingest prepare=1 nobuild=1", "labeler prepare=1 nobuild=1"),
                Files.readAllLines(calls), "prepared in start order, none started");
        assertFalse(Files.exists(root.resolve("run/pids")), "nothing was started");
    }

    @Test
    void withBuildingOffAMissingJarIsAnErrorBeforeAnythingStarts() throws Exception {
        for (String s : StackOptions.ALL_SERVICES) {
            script(s);
        }
        Files.createDirectories(root.resolve("labeler/target/quarkus-app"));
        Files.writeString(root.resolve("labeler/target/quarkus-app/quarkus-run.jar"), "jar");
        StackLauncher l = launcher(freePorts("--no-build"));
        IllegalStateException e = assertThrows(IllegalStateException.class, l::up);
        assertTrue(e.getMessage().startsWith("ingest, trainer: ingest/target/quarkus-app/quarkus-run.jar, "
                + "trainer/target/quarkus-app/quarkus-run.jar missing and building is off"), e.getMessage());
        assertTrue(e.getMessage().contains("mvn -B -DskipTests -pl ingest,trainer -am package"), e.getMessage());
        assertFalse(Files.exists(root.resolve("run/pids")), "nothing was started");
    }

    @Test
    void servicesAreToldNotToBuildAndToListenOnLoopbackOnly() throws Exception {
        StackOptions off = freePorts("--no-build");
        ProcessBuilder ingest = launcher(off).command("ingest");
        assertEquals("1", ingest.environment().get(StackOptions.NO_BUILD_ENV));
        assertEquals("127.0.0.1", ingest.environment().get("QUARKUS_HTTP_HOST"));
        assertEquals(Integer.toString(off.ingestPort()), ingest.environment().get("QUARKUS_HTTP_PORT"));
        assertEquals(off.bootstrapServers(), ingest.environment().get("SEAM_KAFKA_BOOTSTRAP_SERVERS"));
        assertNull(launcher(off).command("broker").environment().get("QUARKUS_HTTP_HOST"));
        StackOptions on = freePorts();
        String inherited = System.getenv(StackOptions.NO_BUILD_ENV);
        assertEquals(inherited, launcher(on).command("labeler").environment().get(StackOptions.NO_BUILD_ENV),
                "with building on the launcher adds nothing");
        assertTrue(launcher(on).command("trainer").command().get(launcher(on).command("trainer").command().size() - 1)
                .endsWith("bin/trainer"));
    }

    @Test
    void aListeningPortIsTakenAndFreeOnceClosed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
            assertFalse(StackLauncher.portFree(port));
        }
        assertTrue(StackLauncher.portFree(port));
    }

    @Test
    void whereNamesTheHealthEachServiceIsJudgedBy() throws Exception {
        StackOptions o = freePorts();
        String where = launcher(o).where();
        assertTrue(where.contains("http://127.0.0.1:" + o.labelerPort() + "  (health /q/health/live; ready once a"
                + " model serves)"), where);
        assertTrue(where.contains("http://127.0.0.1:" + o.ingestPort() + "  (health /q/health/ready)"), where);
        assertTrue(where.contains("kafka 127.0.0.1:" + o.brokerPort()), where);
    }
}
