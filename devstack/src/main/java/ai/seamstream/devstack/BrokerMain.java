package ai.seamstream.devstack;

import ai.seamstream.schemas.TopicCatalog;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded broker as a process of its own, for local runs: formats a fresh data directory, starts the broker,
 * creates the catalog's topics, prints one ready line and runs until it is stopped (Ctrl-C or SIGTERM).
 *
 * <p>Usage: {@code BrokerMain [--port 9092] [--controller-port 9093] [--data-dir DIR] [--partitions 6] [--keep]}.
 * {@code --keep} leaves the data directory behind on exit (it is always formatted anew on start).
 */
public final class BrokerMain {
    private BrokerMain() {
    }

    /** Parsed command line. */
    record Options(int port, int controllerPort, Path dataDir, int partitions, boolean keep) {
    }

    static Options parse(String... args) {
        int port = 9092;
        int controllerPort = 9093;
        Path dataDir = Path.of("target", "devstack-kafka");
        int partitions = TopicCatalog.DEFAULT_PARTITIONS;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> port = intArg(a, value(args, ++i, a));
                case "--controller-port" -> controllerPort = intArg(a, value(args, ++i, a));
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, a));
                case "--partitions" -> partitions = intArg(a, value(args, ++i, a));
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown option '" + a
                        + "'; options: --port, --controller-port, --data-dir, --partitions, --keep");
            }
        }
        if (port < 1 || port > 65535 || controllerPort < 1 || controllerPort > 65535 || port == controllerPort) {
            throw new IllegalArgumentException("ports must be two different numbers in 1..65535, got " + port + " and "
                    + controllerPort);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
        return new Options(port, controllerPort, dataDir, partitions, keep);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int intArg(String option, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + v + "'");
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("broker: " + e.getMessage());
            System.exit(2);
            return;
        }
        var kafka = EmbeddedKafka.builder().optPort(o.port()).optControllerPort(o.controllerPort())
                .optDataDir(o.dataDir()).optDeleteOnClose(!o.keep()).start();
        var created = kafka.createTopics(TopicCatalog.withPartitions(o.partitions()));
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                kafka.close();
            } catch (Exception e) {
                System.err.println("broker: stopping failed: " + e);
            }
            stopped.countDown();
        }, "broker-shutdown"));
        System.out.println("seamstream broker ready at " + kafka.bootstrapServers() + " (" + created.size()
                + " topics created, data in " + o.dataDir() + ")");
        stopped.await();
    }
}
