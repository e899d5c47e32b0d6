package ai.seamstream.devstack.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@code bin/seamstream}: {@code COMMAND [options] [service]}.
 *
 * <p>Commands: {@code up} (foreground until Ctrl-C; {@code --detach} returns once healthy), {@code down},
 * {@code status}, {@code logs [service]}, {@code demo} (options of the demo are passed on in {@link #rest()}).
 *
 * @param command      up, down, status, logs, demo or help
 * @param runDir       pid files and logs ({@code RUN/pids}, {@code RUN/logs})
 * @param dataDir      the broker's data directory (formatted anew on every start)
 * @param brokerPort   Kafka client port
 * @param controllerPort KRaft controller port
 * @param ingestPort   ingest's HTTP port
 * @param labelerPort  labeler's HTTP port
 * @param trainerPort  trainer's HTTP port
 * @param services     the services to run, in start order (a subset of {@link #ALL_SERVICES})
 * @param timeout      how long each service may take to become healthy
 * @param detach       {@code up} returns once every service is healthy, leaving them running
 * @param build        build missing service jars before starting ({@code --no-build} or {@value #NO_BUILD_ENV}
 *                     turn it off, and the launcher then passes {@value #NO_BUILD_ENV} on to the {@code bin/} scripts)
 * @param logLines     lines {@code logs} prints per service
 * @param rest         arguments not known here: the service name of {@code logs}, the demo's options
 */
public record StackOptions(String command, Path runDir, Path dataDir, int brokerPort, int controllerPort, int ingestPort,
        int labelerPort, int trainerPort, List<String> services, Duration timeout, boolean detach, boolean build,
        int logLines, List<String> rest) {

    /** Every service in start order. */
    public static final List<String> ALL_SERVICES = List.of("broker", "ingest", "labeler", "trainer");
    /**
     * Environment switch that turns every build off (any value but empty, {@code 0} or {@code false}): the launcher
     * and the {@code bin/} scripts then fail on a missing or stale jar instead of running Maven.
     */
    public static final String NO_BUILD_ENV = "SEAMSTREAM_NO_BUILD";
    /** Set to {@code 1}, a {@code bin/} launcher only builds (or checks) its jar and exits without starting. */
    public static final String PREPARE_ONLY_ENV = "SEAMSTREAM_PREPARE_ONLY";
    /** Commands. */
    public static final List<String> COMMANDS = List.of("up", "down", "status", "logs", "demo", "help");

    /**
     * Parses the command line; defaults: run dir {@code target/stack}, data {@code RUN/kafka}, ports 9092/9093 for
     * the broker, 8080 ingest, 8081 labeler, 8082 trainer (the trainer's own default, 8081, is the labeler's), a
     * health timeout of 300 s.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    public static StackOptions parse(String... args) {
        return parse(System.getenv(), args);
    }

    /** As {@link #parse(String...)}, with building off when {@code env} sets {@value #NO_BUILD_ENV}. */
    public static StackOptions parse(Map<String, String> env, String... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("a command is needed: one of " + String.join(", ", COMMANDS));
        }
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            args = new String[] {"help"}; // 'seamstream --help', 'seamstream up -h': the usage, exit 0
        }
        String command = args[0];
        if (!COMMANDS.contains(command)) {
            throw new IllegalArgumentException("unknown command '" + command + "'; commands: " + String.join(", ",
                    COMMANDS));
        }
        Path runDir = Path.of("target", "stack");
        Path dataDir = null;
        int broker = 9092;
        int controller = 9093;
        int ingest = 8080;
        int labeler = 8081;
        int trainer = 8082;
        List<String> services = ALL_SERVICES;
        Duration timeout = Duration.ofSeconds(300);
        boolean detach = false;
        boolean build = !noBuild(env);
        int lines = 40;
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--run-dir" -> runDir = Path.of(value(args, ++i, a));
                case "--data" -> dataDir = Path.of(value(args, ++i, a));
                case "--broker-port" -> broker = port(a, value(args, ++i, a));
                case "--controller-port" -> controller = port(a, value(args, ++i, a));
                case "--ingest-port" -> ingest = port(a, value(args, ++i, a));
                case "--labeler-port" -> labeler = port(a, value(args, ++i, a));
                case "--trainer-port" -> trainer = port(a, value(args, ++i, a));
                case "--services" -> services = services(value(args, ++i, a));
                case "--timeout" -> timeout = Duration.ofSeconds(positive(a, value(args, ++i, a)));
                case "--detach" -> detach = true;
                case "--no-build" -> build = false;
                case "--lines" -> lines = (int) positive(a, value(args, ++i, a));
                default -> rest.add(a);
            }
        }
        Set<Integer> ports = new LinkedHashSet<>(List.of(broker, controller, ingest, labeler, trainer));
        if (ports.size() != 5) {
            throw new IllegalArgumentException("the five ports must differ, got broker " + broker + ", controller "
                    + controller + ", ingest " + ingest + ", labeler " + labeler + ", trainer " + trainer);
        }
        if (!command.equals("logs") && !command.equals("demo") && !rest.isEmpty()) {
            throw new IllegalArgumentException("unknown option '" + rest.get(0) + "' for " + command);
        }
        if (command.equals("logs") && rest.size() > 1) {
            throw new IllegalArgumentException("logs takes at most one service name, got " + rest);
        }
        if (command.equals("logs") && rest.size() == 1 && !ALL_SERVICES.contains(rest.get(0))) {
            throw new IllegalArgumentException("unknown service '" + rest.get(0) + "'; services: "
                    + String.join(", ", ALL_SERVICES));
        }
        return new StackOptions(command, runDir, dataDir == null ? runDir.resolve("kafka") : dataDir, broker,
                controller, ingest, labeler, trainer, services, timeout, detach, build, lines, List.copyOf(rest));
    }

    /** The HTTP port of a service; the broker's Kafka port for {@code broker}. */
    public int port(String service) {
        return switch (service) {
            case "broker" -> brokerPort;
            case "ingest" -> ingestPort;
            case "labeler" -> labelerPort;
            case "trainer" -> trainerPort;
            default -> throw new IllegalArgumentException("unknown service '" + service + "'");
        };
    }

    /** {@code 127.0.0.1:brokerPort}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** Folder of the pid files. */
    public Path pidDir() {
        return runDir.resolve("pids");
    }

    /** Folder of the logs. */
    public Path logDir() {
        return runDir.resolve("logs");
    }

    /** Log file of a service. */
    public Path logFile(String service) {
        return logDir().resolve(service + ".log");
    }

    /** Whether {@code env} turns building off through {@value #NO_BUILD_ENV} (the same rule as the bin scripts'). */
    public static boolean noBuild(Map<String, String> env) {
        String v = env.get(NO_BUILD_ENV);
        return v != null && !v.isEmpty() && !v.equals("0") && !v.equals("false");
    }

    static List<String> services(String list) {
        List<String> wanted = new ArrayList<>();
        for (String s : list.split(",")) {
            String name = s.trim();
            if (!ALL_SERVICES.contains(name)) {
                throw new IllegalArgumentException("--services: unknown service '" + name + "'; services: "
                        + String.join(", ", ALL_SERVICES));
            }
            if (!wanted.contains(name)) {
                wanted.add(name);
            }
        }
        if (!wanted.contains("broker")) {
            throw new IllegalArgumentException("--services must include broker: every service needs it");
        }
        // keep the start order whatever order was given
        return ALL_SERVICES.stream().filter(wanted::contains).toList();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int port(String option, String v) {
        long p = positive(option, v);
        if (p > 65535) {
            throw new IllegalArgumentException(option + " must be a port in 1..65535, got " + v);
        }
        return (int) p;
    }

    private static long positive(String option, String v) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + v + "'");
        }
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + v);
        }
        return n;
    }
}
