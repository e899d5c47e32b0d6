package ai.seamstream.devstack.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local stack on one machine without Docker: the broker process, ingest, labeler and trainer as JVM processes
 * started through their own {@code bin/} launchers, with pid files and logs under the run directory.
 *
 * <p>{@code up} builds what is missing, starts the services in order, waits for each to be healthy and prints where
 * they listen; {@code down} stops them in reverse order (SIGTERM, then SIGKILL after {@link #STOP_GRACE}).
 */
public final class StackLauncher {
    /** How long a service may take to stop after SIGTERM before it is killed. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** The broker's ready line ({@code BrokerMain}). */
    public static final String BROKER_READY = "seamstream broker ready";

    private final StackOptions options;
    private final Path root;
    private final PrintStream out;
    private final PidFiles pids;
    private final Map<String, String> extraEnv;

    /**
     * @param root     the repository root (where {@code bin/} and the modules are)
     * @param extraEnv environment given to every service on top of the launcher's own (e.g. the demo's classes)
     */
    public StackLauncher(StackOptions options, Path root, PrintStream out, Map<String, String> extraEnv) {
        this.options = options;
        this.root = root.toAbsolutePath();
        this.out = out;
        this.pids = new PidFiles(options.pidDir());
        this.extraEnv = Map.copyOf(extraEnv);
    }

    /** Health URL of an HTTP service: the labeler is ready only while a model serves, so {@code up} waits for live. */
    public URI healthUrl(String service, boolean ready) {
        String path = ready ? "/q/health/ready" : "/q/health/live";
        return URI.create("http://127.0.0.1:" + options.port(service) + path);
    }

    /** What {@code up} waits for: the broker's ready line, ingest and trainer ready, the labeler live. */
    public HealthWait.Probe upProbe(String service) {
        return switch (service) {
            case "broker" -> HealthWait.logLine(options.logFile("broker"), BROKER_READY);
            case "labeler" -> HealthWait.http(healthUrl(service, false));
            default -> HealthWait.http(healthUrl(service, true));
        };
    }

    /** The services of this run whose process is alive. */
    public List<String> running() throws IOException {
        List<String> up = new ArrayList<>();
        for (String s : StackOptions.ALL_SERVICES) {
            if (pids.live(s).isPresent()) {
                up.add(s);
            }
        }
        return up;
    }

    /**
     * Starts the stack and waits until every service is healthy. On a failure the services started so far are
     * stopped again and the exception names the service and carries the tail of its log.
     */
    public void up() throws IOException, InterruptedException, HealthWait.NotHealthyException {
        List<String> already = running();
        if (!already.isEmpty()) {
            throw new IllegalStateException(String.join(", ", already) + " already running (pid files in "
                    + options.pidDir() + "); run 'bin/seamstream down' first");
        }
        for (String s : options.services()) {
            Path script = root.resolve("bin").resolve(s);
            if (!Files.isExecutable(script)) {
                throw new IllegalStateException(s + ": " + script + " is missing: this checkout has no " + s
                        + " service launcher; leave it out with --services "
                        + String.join(",", options.services().stream().filter(x -> !x.equals(s)).toList()));
            }
            int port = options.port(s);
            if (!portFree(port)) {
                throw new IllegalStateException(s + ": port " + port + " on 127.0.0.1 is in use by another process;"
                        + " choose another with --" + s + "-port");
            }
        }
        if (options.services().contains("broker") && !portFree(options.controllerPort())) {
            throw new IllegalStateException("broker: controller port " + options.controllerPort()
                    + " is in use; choose another with --controller-port");
        }
        Files.createDirectories(options.logDir());
        if (options.build()) {
            build();
        } else {
            requireBuilt();
        }
        for (String s : options.services()) {
            prepare(s);
        }
        // The broker is formatted anew, so state kept against the old cluster must go too.
        for (String stale : List.of("ingest-state", "trainer", "labeler-models")) {
            deleteTree(options.runDir().resolve(stale));
        }
        List<String> started = new ArrayList<>();
        try {
            for (String s : options.services()) {
                long pid = start(s);
                started.add(s);
                out.printf("%-8s started (pid %d), waiting until healthy ...%n", s, pid);
                ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
                HealthWait.await(s, upProbe(s), () -> handle != null && handle.isAlive(), options.timeout(),
                        Duration.ofMillis(500), options.logFile(s), 30);
            }
        } catch (HealthWait.NotHealthyException | IOException | RuntimeException e) {
            out.println("stopping what was started: " + String.join(", ", started));
            down();
            throw e;
        }
        out.println();
        out.println(where());
    }

    /** The table of where each service listens. */
    public String where() {
        StringBuilder b = new StringBuilder("Seamstream is up:\n");
        for (String s : options.services()) {
            String at = s.equals("broker") ? "kafka " + options.bootstrapServers() + " (data " + options.dataDir() + ")"
                    : "http://127.0.0.1:" + options.port(s) + "  (health " + (s.equals("labeler")
                            ? healthUrl(s, false).getPath() + "; ready once a model serves" : healthUrl(s, true).getPath())
                            + ")";
            b.append(String.format("  %-8s %s   log %s%n", s, at, options.logFile(s)));
        }
        b.append("  stop with Ctrl-C (foreground) or bin/seamstream down; bin/seamstream status|logs [service]");
        return b.toString();
    }

    /** Builds the jars of the chosen services that are missing, in one Maven run (tests skipped). */
    void build() throws IOException, InterruptedException {
        List<String> modules = new ArrayList<>();
        for (String s : options.services()) {
            if (!s.equals("broker") && !Files.exists(appJar(s))) {
                modules.add(s);
            }
        }
        if (modules.isEmpty()) {
            return;
        }
        Path log = options.logDir().resolve("build.log");
        out.println("building " + String.join(", ", modules) + " (mvn package, tests skipped; log " + log + ") ...");
        Process p = new ProcessBuilder("mvn", "-q", "-B", "-ntp", "-DskipTests", "-pl", String.join(",", modules),
                "-am", "package").directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("the build failed (exit " + rc + "); last lines of " + log + ":\n"
                    + String.join("\n", HealthWait.tail(log, 30, new ArrayList<>())));
        }
        for (String s : modules) {
            if (!Files.exists(appJar(s))) {
                throw new IllegalStateException(s + ": the build made no " + root.relativize(appJar(s))
                        + ": the module is not a Quarkus service in this checkout");
            }
        }
    }

    /**
     * With building off: every chosen service's jar must be there already (the {@code bin/} scripts then also refuse
     * a jar older than its sources), so that nothing runs Maven behind the caller's back.
     */
    void requireBuilt() {
        List<String> missing = new ArrayList<>();
        for (String s : options.services()) {
            if (!s.equals("broker") && !Files.exists(appJar(s))) {
                missing.add(s);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(String.join(", ", missing) + ": "
                    + String.join(", ", missing.stream().map(s -> root.relativize(appJar(s)).toString()).toList())
                    + " missing and building is off (--no-build or " + StackOptions.NO_BUILD_ENV + "); build first:"
                    + " mvn -B -DskipTests -pl " + String.join(",", missing) + " -am package");
        }
    }

    /**
     * Runs the service's {@code bin/} script with {@value StackOptions#PREPARE_ONLY_ENV}: it builds its jar when stale
     * (or, with building off, fails naming the newer source), then exits without starting, so that no build runs
     * inside a health timeout and a stale jar stops {@code up} before anything was started.
     */
    void prepare(String s) throws IOException, InterruptedException {
        Path log = options.logDir().resolve("build.log");
        ProcessBuilder pb = command(s).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put(StackOptions.PREPARE_ONLY_ENV, "1");
        long from = Files.exists(log) ? Files.size(log) : 0;
        int rc = pb.start().waitFor();
        if (rc != 0) {
            byte[] all = Files.readAllBytes(log);
            int start = (int) Math.min(from, all.length);
            String said = new String(all, start, all.length - start, java.nio.charset.StandardCharsets.UTF_8).strip();
            throw new IllegalStateException(s + ": bin/" + s + " could not prepare its jar (exit " + rc + ")"
                    + (said.isEmpty() ? "" : ":\n" + said));
        }
    }

    private Path appJar(String service) {
        return root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** The command line and environment of a service, started through its {@code bin/} launcher. */
    ProcessBuilder command(String s) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            // a session of its own: Ctrl-C reaches only the launcher, which stops the services in reverse order
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(root.resolve("bin").resolve(s).toString());
        if (s.equals("broker")) {
            cmd.addAll(List.of("--port", Integer.toString(options.brokerPort()), "--controller-port",
                    Integer.toString(options.controllerPort()), "--data-dir", options.dataDir().toAbsolutePath()
                            .toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(options.logFile(s).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = pb.environment();
        env.remove(StackOptions.PREPARE_ONLY_ENV);
        env.putAll(extraEnv);
        if (!options.build()) {
            // the bin/ scripts build a missing or stale jar themselves unless told not to
            env.put(StackOptions.NO_BUILD_ENV, "1");
        }
        env.put("SEAM_KAFKA_BOOTSTRAP_SERVERS", options.bootstrapServers());
        Path run = options.runDir().toAbsolutePath();
        if (!s.equals("broker")) {
            // a local stack: Quarkus listens on every interface unless told; an explicit setting is kept
            env.putIfAbsent("QUARKUS_HTTP_HOST", "127.0.0.1");
        }
        switch (s) {
            case "ingest" -> {
                env.put("QUARKUS_HTTP_PORT", Integer.toString(options.ingestPort()));
                env.put("SEAM_INGEST_STATE_DIR", run.resolve("ingest-state").toString());
            }
            case "labeler" -> {
                env.put("QUARKUS_HTTP_PORT", Integer.toString(options.labelerPort()));
                env.put("SEAM_LABELER_MODEL_CACHE", run.resolve("labeler-models").toString());
            }
            case "trainer" -> {
                env.put("QUARKUS_HTTP_PORT", Integer.toString(options.trainerPort()));
                env.put("SEAM_TRAINER_HOME", run.resolve("trainer").toString());
            }
            default -> {
            }
        }
        return pb;
    }

    private long start(String s) throws IOException {
        Files.writeString(options.logFile(s), "");
        Process p = command(s).start();
        pids.write(s, p.toHandle());
        return p.pid();
    }

    /** Stops every running service of this run dir in reverse start order; true when something was running. */
    public boolean down() throws IOException, InterruptedException {
        boolean any = false;
        List<String> reverse = new ArrayList<>(StackOptions.ALL_SERVICES);
        java.util.Collections.reverse(reverse);
        for (String s : reverse) {
            Optional<ProcessHandle> h = pids.live(s);
            if (h.isPresent()) {
                any = true;
                out.printf("stopping %s (pid %d) ...%n", s, h.get().pid());
                stop(h.get());
            }
            pids.remove(s);
        }
        return any;
    }

    private static void stop(ProcessHandle h) throws InterruptedException {
        List<ProcessHandle> children = h.descendants().toList();
        h.destroy();
        try {
            h.onExit().get(STOP_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            h.destroyForcibly();
        }
        for (ProcessHandle c : children) {
            if (c.isAlive()) {
                c.destroyForcibly();
            }
        }
    }

    /** One line per service: running or not, and its health; the map holds whether each is healthy. */
    public Map<String, Boolean> status() throws IOException {
        Map<String, Boolean> healthy = new LinkedHashMap<>();
        for (String s : StackOptions.ALL_SERVICES) {
            Optional<ProcessHandle> h = pids.live(s);
            if (h.isEmpty()) {
                out.printf("%-8s down%n", s);
                healthy.put(s, false);
                continue;
            }
            String health;
            boolean ok;
            if (s.equals("broker")) {
                ok = upProbe(s).check().isEmpty();
                health = ok ? "ready at " + options.bootstrapServers() : "starting";
            } else {
                Optional<String> ready = HealthWait.http(healthUrl(s, true)).check();
                Optional<String> live = HealthWait.http(healthUrl(s, false)).check();
                ok = s.equals("labeler") ? live.isEmpty() : ready.isEmpty();
                health = "http://127.0.0.1:" + options.port(s) + " " + (ready.isEmpty() ? "ready"
                        : live.isEmpty() ? "live, not ready (" + ready.get() + ")" : "not live (" + live.get() + ")");
            }
            out.printf("%-8s up (pid %d)  %s%n", s, h.get().pid(), health);
            healthy.put(s, ok);
        }
        return healthy;
    }

    /** Prints the last lines of one service's log, or of every service's. */
    public void logs(Optional<String> service) {
        for (String s : service.map(List::of).orElse(StackOptions.ALL_SERVICES)) {
            Path log = options.logFile(s);
            if (!Files.exists(log)) {
                if (service.isPresent()) {
                    out.println("no log for " + s + " (" + log + ")");
                }
                continue;
            }
            out.println("==> " + s + " (" + log + ") <==");
            HealthWait.tail(log, options.logLines(), new ArrayList<>()).forEach(out::println);
        }
    }

    /** Keeps the foreground {@code up} alive, telling once about each service that exits on its own. */
    public void watch() throws IOException, InterruptedException {
        List<String> reported = new ArrayList<>();
        while (true) {
            for (String s : options.services()) {
                if (!reported.contains(s) && pids.live(s).isEmpty()) {
                    reported.add(s);
                    out.println(s + " exited on its own; see " + options.logFile(s));
                }
            }
            if (reported.size() == options.services().size()) {
                return;
            }
            Thread.sleep(2000);
        }
    }

    /** Whether a server could listen on {@code 127.0.0.1:port} now (connections in TIME_WAIT do not count). */
    static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            // before bind, or it has no effect: a port whose last connections linger in TIME_WAIT is free to listen on
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
