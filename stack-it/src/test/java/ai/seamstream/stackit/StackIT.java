package ai.seamstream.stackit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.image.ImageEncoder;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.mask.UncertaintyPng;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.v1.ModelEvent;
import ai.seamstream.schemas.v1.ModelStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launcher's acceptance test, run the way a user runs it: {@code bin/seamstream up --detach} on free ports and a
 * run directory of its own, every service healthy (the launcher's word and the health endpoints), one image through
 * (a tiny real model promoted on {@code seam.models.v1}, an image with a tag over ingest's HTTP API, its mask served
 * by the labeler), {@code bin/seamstream down}, and nothing left running (every recorded process ended, the pid
 * files gone, every port free). Building is off ({@code SEAMSTREAM_NO_BUILD=1}): the packaged services must be there
 * (the reactor builds them before this module), so the test never runs a nested Maven.
 */
class StackIT {
    /** The stack's vocabulary: ingest and trainer get the foreground names, the model all of them. */
    static final List<String> CLASSES = List.of("background", "cat", "dog", "bird");
    static final String VERSION = "stack-it-1";
    static final List<String> SERVICES = List.of("broker", "ingest", "labeler", "trainer");
    /** Ports other runs on the machine use (the stack's and the services' defaults): never picked. */
    static final Set<Integer> DEFAULT_PORTS = Set.of(8080, 8081, 8082, 9092, 9093);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path root = Path.of(System.getProperty("seamstream.root", "..")).toAbsolutePath().normalize();
    private final Path target = Path.of("target").toAbsolutePath();
    private final Path runDir = target.resolve("stack-run");
    private final Duration healthTimeout = Duration.ofSeconds(Long.getLong("stackit.health-timeout", 150));
    private final String javaOpts = System.getProperty("stackit.service.java-opts", "");

    /** Where the test is, for the failure message: the phase names the service logs worth reading. */
    private String phase = "preparing";
    private List<String> phaseServices = List.of();

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void upHealthOneImageThroughDownNothingLeft() throws Exception {
        requirePackaged();
        Path model = TinyModel.export(7, CLASSES, target.resolve("models"));
        Ports ports = Ports.free(DEFAULT_PORTS);
        deleteTree(runDir);
        Map<String, Long> pids = new LinkedHashMap<>();
        List<ProcessHandle> recorded = new ArrayList<>();
        boolean downDone = false;
        try {
            enter("up", SERVICES);
            Run up = launcher(ports, Duration.ofSeconds(healthTimeout.toSeconds() * 4 + 60), "up", "--detach",
                    "--timeout", Long.toString(healthTimeout.toSeconds()));
            assertEquals(0, up.exit, () -> "bin/seamstream up failed (exit " + up.exit + "):\n" + up.output);
            for (String s : SERVICES) {
                Path f = runDir.resolve("pids").resolve(s + ".pid");
                assertTrue(Files.isRegularFile(f), "no pid file " + f + " after up:\n" + up.output);
                long pid = Long.parseLong(Files.readString(f).trim().split("\\s+")[0]); // "PID START_MS"
                pids.put(s, pid);
                ProcessHandle h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElseThrow(
                        () -> new AssertionError(s + " (pid " + pid + ") is not running right after up"));
                recorded.add(h);
                recorded.addAll(h.descendants().toList());
            }
            for (String s : SERVICES.subList(1, SERVICES.size())) {
                assertTrue(up.output.contains("http://127.0.0.1:" + ports.of(s)), "up did not print where " + s
                        + " listens:\n" + up.output);
                // the launcher keeps the services on the loopback interface (Quarkus alone listens on all)
                String listening = "Listening on: http://127.0.0.1:" + ports.of(s);
                assertTrue(Files.readString(runDir.resolve("logs").resolve(s + ".log")).contains(listening),
                        s + " log has no '" + listening + "'");
            }

            enter("health", SERVICES);
            Run status = launcher(ports, Duration.ofSeconds(60), "status");
            assertEquals(0, status.exit, () -> "bin/seamstream status says not all healthy:\n" + status.output);
            assertHealth(ports.of("ingest"), "ready", 200);
            assertHealth(ports.of("trainer"), "ready", 200);
            assertHealth(ports.of("labeler"), "live", 200);
            // the labeler is ready only while a model serves; none does yet
            assertHealth(ports.of("labeler"), "ready", 503);
            assertBrokerHasTopics(ports.of("broker"));

            enter("model", List.of("labeler"));
            promote(ports.of("broker"), model);
            JsonNode ready = waitFor(Duration.ofSeconds(120), "the labeler to serve " + VERSION + " (ready)",
                    () -> health(ports.of("labeler"), "ready", 200));
            assertTrue(ready.toString().contains(VERSION), "the labeler is ready with another model: " + ready);

            enter("image", List.of("ingest", "labeler"));
            RgbImage image = noisyImage(48, 32, 3);
            String id = "stack-it-image-1";
            HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + ports.of("ingest") + "/v1/images?id=" + id + "&tags=cat&annotator=stack-it"))
                    .header("Content-Type", "image/png").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ImageEncoder.png(image))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, accepted.statusCode(), () -> "POST /v1/images answered " + accepted.statusCode() + ": "
                    + accepted.body());
            assertEquals(id, JSON.readTree(accepted.body()).path("id").asText(), accepted.body());
            // ingest may send the image on before its tag joins it: the labeler then masks it with predicted tags
            // first; the mask to wait for is the one made from the given tag
            JsonNode[] last = {null};
            JsonNode mask = waitFor(Duration.ofSeconds(90), "the mask of " + id + " from its given tag on GET"
                    + " /v1/masks/" + id, () -> {
                        JsonNode m = get("http://127.0.0.1:" + ports.of("labeler") + "/v1/masks/" + id, 200);
                        last[0] = m == null ? last[0] : m;
                        return m != null && m.path("tagOrigin").asText().equals("TAG_ORIGIN_GIVEN") ? m : null;
                    }, () -> last[0] == null ? "no mask at all" : "the last mask served: " + brief(last[0]));
            assertMask(mask, id, image);

            enter("down", SERVICES);
            Run down = launcher(ports, Duration.ofSeconds(200), "down");
            downDone = true;
            assertEquals(0, down.exit, () -> "bin/seamstream down failed:\n" + down.output);
            for (String s : SERVICES) {
                assertTrue(down.output.contains("stopping " + s + " (pid " + pids.get(s) + ")"),
                        "down did not stop " + s + ":\n" + down.output);
            }

            enter("nothing left running", SERVICES);
            for (ProcessHandle h : recorded) {
                // down waits for each process to end; a moment's grace for the kernel to reap a killed child
                waitFor(Duration.ofSeconds(10), "pid " + h.pid() + " " + h.info().commandLine().orElse("")
                        + " to end", () -> h.isAlive() ? null : JSON.nullNode());
            }
            try (Stream<Path> left = Files.list(runDir.resolve("pids"))) {
                assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "pid files left");
            }
            for (Map.Entry<String, Integer> p : ports.all().entrySet()) {
                waitFor(Duration.ofSeconds(10), p.getKey() + " port " + p.getValue() + " to be free",
                        () -> Ports.isFree(p.getValue()) ? JSON.nullNode() : null);
            }
            Run after = launcher(ports, Duration.ofSeconds(60), "status");
            assertEquals(3, after.exit, () -> "status after down should say not up (exit 3):\n" + after.output);
            for (String s : SERVICES) {
                assertTrue(after.output.contains(String.format("%-8s down", s)), "status after down:\n"
                        + after.output);
            }
        } catch (AssertionError | Exception e) {
            throw new AssertionError("stack test failed in phase '" + phase + "': " + e.getMessage() + logTails(),
                    e);
        } finally {
            if (!downDone || recorded.stream().anyMatch(ProcessHandle::isAlive)) {
                cleanUp(ports, recorded);
            }
        }
    }

    /** The packaged services and the launcher's jar must be there: this test never builds them. */
    private void requirePackaged() {
        List<String> missing = new ArrayList<>();
        for (String p : List.of("devstack/target/devstack-0.1.0-SNAPSHOT.jar", "devstack/target/lib",
                "ingest/target/quarkus-app/quarkus-run.jar", "labeler/target/quarkus-app/quarkus-run.jar",
                "trainer/target/quarkus-app/quarkus-run.jar")) {
            if (!Files.exists(root.resolve(p))) {
                missing.add(p);
            }
        }
        assertTrue(missing.isEmpty(), () -> "the stack test runs the packaged services but " + missing
                + " is missing under " + root + ": run 'mvn -B verify' from the root (it packages them before this"
                + " module), or 'mvn -B -DskipTests -pl devstack,ingest,labeler,trainer -am package' first");
    }

    private void enter(String name, List<String> services) {
        phase = name;
        phaseServices = services;
    }

    private String logTails() {
        StringBuilder b = new StringBuilder();
        for (String s : phaseServices) {
            Path log = runDir.resolve("logs").resolve(s + ".log");
            b.append("\n--- last lines of ").append(log).append(" ---\n");
            b.append(String.join("\n", tail(log, 40)));
        }
        return b.toString();
    }

    static List<String> tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return List.of("(no such file)");
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(cannot read it: " + e + ")");
        }
    }

    /** A process's exit code and everything it printed. */
    record Run(int exit, String output) {
    }

    /** Runs {@code bin/seamstream COMMAND} against this test's run directory and ports, building off. */
    private Run launcher(Ports ports, Duration timeout, String... commandAndOptions) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(root.resolve("bin/seamstream").toString());
        cmd.addAll(List.of(commandAndOptions));
        cmd.addAll(List.of("--run-dir", runDir.toString(), "--broker-port", Integer.toString(ports.of("broker")),
                "--controller-port", Integer.toString(ports.of("controller")), "--ingest-port",
                Integer.toString(ports.of("ingest")), "--labeler-port", Integer.toString(ports.of("labeler")),
                "--trainer-port", Integer.toString(ports.of("trainer"))));
        Files.createDirectories(target);
        Path out = Files.createTempFile(target, "seamstream-" + commandAndOptions[0] + "-", ".out");
        var pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("SEAMSTREAM_NO_BUILD", "1");
        String foreground = String.join(",", CLASSES.subList(1, CLASSES.size()));
        env.put("SEAM_INGEST_CLASSES", foreground);
        env.put("SEAM_TRAINER_CLASSES", foreground);
        // one image never reaches the trainer's label-count policy, but keep it from training at all
        env.put("SEAM_TRAINER_POLICY_EVERY_NEW_LABELS", "0");
        for (String s : SERVICES) {
            env.put(s.toUpperCase(java.util.Locale.ROOT) + "_JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("bin/seamstream " + String.join(" ", commandAndOptions) + " did not end within "
                    + timeout.toSeconds() + " s; its output:\n" + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** After a failure: {@code down}, and whatever still lives of the recorded processes is killed. */
    private void cleanUp(Ports ports, List<ProcessHandle> recorded) {
        try {
            launcher(ports, Duration.ofSeconds(200), "down");
        } catch (Exception | AssertionError e) {
            System.err.println("stack test clean-up: bin/seamstream down failed: " + e);
        }
        try {
            for (String s : SERVICES) {
                Path f = runDir.resolve("pids").resolve(s + ".pid");
                if (Files.isRegularFile(f)) {
                    ProcessHandle.of(Long.parseLong(Files.readString(f).trim().split("\\s+")[0]))
                            .ifPresent(recorded::add);
                }
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("stack test clean-up: " + e);
        }
        for (ProcessHandle h : recorded) {
            if (h.isAlive()) {
                System.err.println("stack test clean-up: killing pid " + h.pid() + " that down left running");
                h.destroyForcibly();
            }
        }
    }

    private static void assertHealth(int port, String which, int expected) throws Exception {
        JsonNode n = health(port, which, expected);
        if (n == null) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/q/health/" + which)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("GET :" + port + "/q/health/" + which + " answered " + r.statusCode() + " (not "
                    + expected + "): " + r.body());
        }
        assertEquals(expected == 200 ? "UP" : "DOWN", n.path("status").asText(), n.toString());
    }

    /** The health answer when its status code is {@code expected}, else null. */
    private static JsonNode health(int port, String which, int expected) throws Exception {
        return get("http://127.0.0.1:" + port + "/q/health/" + which, expected);
    }

    private static JsonNode get(String url, int expected) throws Exception {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == expected ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void assertBrokerHasTopics(int port) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        try (Admin admin = Admin.create(p)) {
            Set<String> topics = new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
            for (var spec : TopicCatalog.defaults().all()) {
                assertTrue(topics.contains(spec.name()), "the broker lacks " + spec.name() + "; it has " + topics);
            }
        }
    }

    /** A PROMOTED event for the exported model, shaped like the trainer's ({@code file:} URI, ONNX SHA-256). */
    private static void promote(int brokerPort, Path model) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + brokerPort);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        ModelManifest m = OnnxModel.readManifest(model);
        assertEquals(CLASSES, m.classes(), "the exported model's classes");
        var event = ModelEvent.newBuilder().setModelVersion(VERSION).setStatus(ModelStatus.MODEL_STATUS_PROMOTED)
                .setUri(model.toUri().toString()).setSha256(m.onnxSha256()).setTimeMs(System.currentTimeMillis())
                .build();
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(TopicCatalog.MODELS, VERSION, event.toByteArray())).get(30,
                    TimeUnit.SECONDS);
        }
    }

    /** The mask of the image: its ids, the palette PNG of the image's size with known classes only. */
    private static void assertMask(JsonNode mask, String id, RgbImage image) throws Exception {
        assertEquals(id, mask.path("imageId").asText(), mask::toString);
        assertEquals(VERSION, mask.path("modelVersion").asText(), "the mask's model");
        assertEquals(List.of("cat"), JSON.convertValue(mask.path("tagsUsed"), List.class), "tags used");
        assertTrue(mask.path("labelVersion").asLong() >= 1, () -> "the mask of the given tag has a label version: "
                + brief(mask));
        assertEquals(image.width(), mask.path("width").asInt(), "width in the JSON");
        assertEquals(image.height(), mask.path("height").asInt(), "height in the JSON");
        LabelMask labels = PaletteMaskCodec.decode(Base64.getDecoder().decode(mask.path("maskPng").asText()), id);
        assertEquals(image.width() + "x" + image.height(), labels.width() + "x" + labels.height(),
                "the palette mask's size (width x height)");
        Set<Integer> seen = new TreeSet<>();
        for (byte b : labels.labels()) {
            seen.add(b & 0xFF);
        }
        // tagged "cat" (index 1): only background, cat or ignore (uncertain) may appear
        assertTrue(Set.of(0, 1, LabelMask.IGNORE).containsAll(seen), "mask values " + seen);
        var u = UncertaintyPng.decodeWithSize(Base64.getDecoder().decode(mask.path("uncertaintyPng").asText()), id);
        assertEquals(image.width() + "x" + image.height(), u.width() + "x" + u.height(), "the uncertainty PNG's size");
    }

    static RgbImage noisyImage(int w, int h, long seed) {
        Random r = new Random(seed);
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    img.set(x, y, c, r.nextInt(256));
                }
            }
        }
        return img;
    }

    /** Polls {@code probe} (null = not yet) every 250 ms until it answers or {@code timeout} passes. */
    static JsonNode waitFor(Duration timeout, String what, ThrowingSupplier probe) throws Exception {
        return waitFor(timeout, what, probe, () -> "");
    }

    /** As above; {@code seen} says what was last seen, for the failure message. */
    static JsonNode waitFor(Duration timeout, String what, ThrowingSupplier probe, Supplier<String> seen)
            throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode n = probe.get();
            if (n != null) {
                return n;
            }
            if (System.nanoTime() > end) {
                String s = seen.get();
                throw new AssertionError("gave up after " + timeout.toSeconds() + " s waiting for " + what
                        + (s.isEmpty() ? "" : "; " + s));
            }
            Thread.sleep(250);
        }
    }

    /** A mask's JSON without its PNGs. */
    static String brief(JsonNode mask) {
        var copy = mask.deepCopy();
        if (copy instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            o.remove(List.of("maskPng", "uncertaintyPng"));
        }
        return copy.toString();
    }

    @FunctionalInterface
    interface ThrowingSupplier {
        JsonNode get() throws Exception;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Five distinct free ports on 127.0.0.1, none of the defaults. */
    record Ports(Map<String, Integer> all) {
        static Ports free(Set<Integer> avoid) throws IOException {
            Map<String, Integer> ports = new LinkedHashMap<>();
            List<java.net.ServerSocket> held = new ArrayList<>();
            try {
                for (String name : List.of("broker", "controller", "ingest", "labeler", "trainer")) {
                    int port;
                    do {
                        // held open until all five are picked, so the kernel hands out five different ones
                        var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
                        held.add(s);
                        port = s.getLocalPort();
                    } while (avoid.contains(port));
                    ports.put(name, port);
                }
            } finally {
                for (var s : held) {
                    s.close();
                }
            }
            return new Ports(ports);
        }

        int of(String name) {
            return all.get(name);
        }

        static boolean isFree(int port) {
            try (var s = new java.net.ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), port), 1);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }
}
