package ai.seamstream.devstack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code bin/ingest} and {@code bin/lib/ensure-built.sh}, copied into a scratch checkout: when the service
 * jar is missing or older than a source they build it, unless {@code SEAMSTREAM_NO_BUILD} is set, when they stop with
 * the reason and the Maven command instead. {@code mvn} and {@code java} on the PATH are recording scripts, so the
 * test sees what the launcher would run without running a build or a service.
 */
class BinScriptsTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path root;
    Path calls;
    Path app;
    Path source;

    @BeforeEach
    void checkout() throws Exception {
        Files.createDirectories(root.resolve("bin/lib"));
        Files.copy(REPO.resolve("bin/ingest"), root.resolve("bin/ingest"));
        Files.copy(REPO.resolve("bin/lib/ensure-built.sh"), root.resolve("bin/lib/ensure-built.sh"));
        source = Files.createDirectories(root.resolve("ingest/src/main/java")).resolve("Main.java");
        Files.writeString(source, "class Main {}\n");
        app = root.resolve("ingest/target/quarkus-app/quarkus-run.jar");
        calls = root.resolve("calls.txt");
        Path fake = Files.createDirectories(root.resolve("fakebin"));
        // mvn records its working folder and arguments and makes the jar; java records its arguments
        executable(fake.resolve("mvn"), "#!/bin/sh\necho \"mvn $PWD $*\" >> \"" + calls + "\"\n"
                + "mkdir -p ingest/target/quarkus-app && echo jar > ingest/target/quarkus-app/quarkus-run.jar\n");
        executable(fake.resolve("java"), "#!/bin/sh\necho \"java $*\" >> \"" + calls + "\"\n");
    }

    private static void executable(Path f, String text) throws Exception {
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Run(int exit, String output, List<String> calls) {
    }

    private Run ingest(String noBuild) throws Exception {
        return ingest(noBuild, false);
    }

    private Run ingest(String noBuild, boolean prepareOnly) throws Exception {
        var pb = new ProcessBuilder(root.resolve("bin/ingest").toString()).redirectErrorStream(true);
        if (prepareOnly) {
            pb.environment().put(StackOptions.PREPARE_ONLY_ENV, "1");
        } else {
            pb.environment().remove(StackOptions.PREPARE_ONLY_ENV);
        }
        pb.environment().put("PATH", root.resolve("fakebin") + ":" + System.getenv("PATH"));
        pb.environment().remove("INGEST_JAVA_OPTS");
        if (noBuild == null) {
            pb.environment().remove(StackOptions.NO_BUILD_ENV);
        } else {
            pb.environment().put(StackOptions.NO_BUILD_ENV, noBuild);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, Files.exists(calls) ? Files.readAllLines(calls) : List.of());
    }

    private void jar(Instant time) throws Exception {
        Files.createDirectories(app.getParent());
        Files.writeString(app, "jar");
        Files.setLastModifiedTime(app, FileTime.from(time));
    }

    @Test
    void noBuildStopsOnAMissingJarWithTheCommand() throws Exception {
        Run r = ingest("1");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("ingest: ingest/target/quarkus-app/quarkus-run.jar is missing, and"
                + " SEAMSTREAM_NO_BUILD is set, so nothing is built; build it first:"
                + " mvn -q -B -ntp -DskipTests -pl ingest -am package"), r.output());
        assertEquals(List.of(), r.calls(), "neither Maven nor the service ran");
    }

    @Test
    void noBuildStopsOnAJarOlderThanASource() throws Exception {
        Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
        jar(Instant.now().minusSeconds(3600));
        Run r = ingest("true");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("ingest/target/quarkus-app/quarkus-run.jar is older than"
                + " ingest/src/main/java/Main.java"), r.output());
        assertEquals(List.of(), r.calls());
    }

    @Test
    void aNewerTestSourceDoesNotMakeTheJarStale() throws Exception {
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(3600)));
        jar(Instant.now().minusSeconds(60));
        Path test = Files.createDirectories(root.resolve("ingest/src/test/java")).resolve("MainTest.java");
        Files.writeString(test, "class MainTest {}\n");
        Run r = ingest("1");
        assertEquals(0, r.exit(), r.output());
        assertEquals(1, r.calls().size(), "tests are not in the jar: it runs as it is, " + r.calls());
        assertTrue(r.calls().get(0).startsWith("java "), r.calls().get(0));
    }

    @Test
    void noBuildRunsAFreshJarWithoutMaven() throws Exception {
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(3600)));
        jar(Instant.now());
        Run r = ingest("1");
        assertEquals(0, r.exit(), r.output());
        assertEquals(1, r.calls().size(), r.calls().toString());
        assertTrue(r.calls().get(0).startsWith("java ") && r.calls().get(0).endsWith("-jar " + app), r.calls().get(0));
    }

    @Test
    void prepareOnlyBuildsOrChecksButStartsNothing() throws Exception {
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(3600)));
        jar(Instant.now());
        Run fresh = ingest("1", true);
        assertEquals(0, fresh.exit(), fresh.output());
        assertEquals(List.of(), fresh.calls(), "a current jar: nothing built, nothing started");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(60)));
        Run stale = ingest("1", true);
        assertEquals(1, stale.exit(), stale.output());
        assertTrue(stale.output().contains("is older than ingest/src/main/java/Main.java"), stale.output());
        Run built = ingest(null, true);
        assertEquals(0, built.exit(), built.output());
        assertEquals(List.of("mvn " + root + " -q -B -ntp -DskipTests -pl ingest -am package"), built.calls(),
                "built, not started");
    }

    @Test
    void withoutTheSwitchAMissingJarIsBuiltThenRun() throws Exception {
        for (String on : new String[] {null, "0", "false", ""}) {
            Files.deleteIfExists(calls);
            Files.deleteIfExists(app);
            Run r = ingest(on);
            assertEquals(0, r.exit(), on + ": " + r.output());
            assertTrue(r.output().contains("ingest: building (ingest/target/quarkus-app/quarkus-run.jar is missing;"),
                    r.output());
            assertEquals(2, r.calls().size(), r.calls().toString());
            assertEquals("mvn " + root + " -q -B -ntp -DskipTests -pl ingest -am package", r.calls().get(0));
            assertTrue(r.calls().get(1).endsWith("-jar " + app), r.calls().get(1));
        }
        assertFalse(Files.readString(app).isEmpty());
    }
}
