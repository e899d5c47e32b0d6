package ai.seamstream.devstack;

import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.TopicSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, broker and controller in one) inside this JVM, listening on {@code 127.0.0.1}.
 *
 * <p>{@link #start()} formats a fresh log directory and blocks until the broker answers; {@link #close()} stops it
 * and, if the builder was told to, deletes the directory.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private final boolean deleteOnClose;
    private final int maxMessageBytes;
    private KafkaRaftServer server;

    private EmbeddedKafka(Builder b) throws IOException {
        this.dataDir = b.dataDir != null ? b.dataDir : Files.createTempDirectory("seam-kafka-");
        this.port = b.port != 0 ? b.port : freePort();
        this.controllerPort = b.controllerPort != 0 ? b.controllerPort : freePort();
        this.overrides = Map.copyOf(b.overrides);
        this.deleteOnClose = b.deleteOnClose;
        this.maxMessageBytes = b.maxMessageBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of the broker; every one has a default that suits tests. */
    public static final class Builder {
        private Path dataDir;
        private int port;
        private int controllerPort;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private boolean deleteOnClose = true;
        private int maxMessageBytes = TopicCatalog.defaults().maxMessageBytes();

        /** Log directory; it is deleted and formatted anew. Default: a new temporary directory. */
        public Builder optDataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Client port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder optPort(int port) {
            this.port = checkPort(port);
            return this;
        }

        /** Controller port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder optControllerPort(int port) {
            this.controllerPort = checkPort(port);
            return this;
        }

        /** Whether {@link #close()} deletes the log directory (default true). */
        public Builder optDeleteOnClose(boolean delete) {
            this.deleteOnClose = delete;
            return this;
        }

        /** Largest record the broker accepts ({@code message.max.bytes}); default the catalog's largest topic. */
        public Builder optMaxMessageBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("max message bytes must be at least 1024, got " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** Any broker property, applied last. */
        public Builder optBrokerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /** Formats the storage and starts the broker. */
        public EmbeddedKafka start() throws IOException {
            var k = new EmbeddedKafka(this);
            k.startServer();
            return k;
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            return port;
        }
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The broker properties it runs with. */
    Map<String, String> brokerProperties() {
        var p = new LinkedHashMap<String, String>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("logs").toString());
        // one node: every internal topic has one replica
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // consumers would otherwise wait 3 s for more members before their first assignment
        p.put("group.initial.rebalance.delay.ms", "0");
        // a typo in a topic name fails instead of creating a topic
        p.put("auto.create.topics.enable", "false");
        p.put("message.max.bytes", Integer.toString(maxMessageBytes));
        p.put("replica.fetch.max.bytes", Integer.toString(maxMessageBytes));
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        p.putAll(overrides);
        return p;
    }

    private void startServer() throws IOException {
        Path logs = dataDir.resolve("logs");
        deleteRecursively(logs);
        Files.createDirectories(logs);
        Map<String, String> props = brokerProperties();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logs.toString()))
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logs.toString())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IOException("cannot format Kafka storage in " + logs + ": " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        server = new KafkaRaftServer(new KafkaConfig(new HashMap<>(props), false), Time.SYSTEM);
        server.startup();
        awaitReady();
        LOG.info("Kafka broker up at {} in {} ms (data {})", bootstrapServers(), (System.nanoTime() - t0) / 1_000_000,
                dataDir);
    }

    private void awaitReady() throws IOException {
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the broker started", e);
        } catch (ExecutionException e) {
            throw new IOException("broker at " + bootstrapServers() + " did not answer: " + e.getCause(), e);
        }
    }

    /** A new admin client on this broker; the caller closes it. */
    public Admin admin() {
        var p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(p);
    }

    /**
     * Creates every topic of the catalog that does not exist yet, with its partitions and configs.
     *
     * @return the names of the topics created now (topics that already existed are left as they are)
     */
    public List<String> createTopics(TopicCatalog catalog) {
        return createTopics(catalog.all());
    }

    /** Creates the given topics that do not exist yet; returns the names of those created now. */
    public List<String> createTopics(List<TopicSpec> specs) {
        var created = new ArrayList<String>();
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get();
            var fresh = specs.stream().filter(s -> !existing.contains(s.name()))
                    .map(s -> new NewTopic(s.name(), s.partitions(), (short) 1).configs(s.configs())).toList();
            var result = admin.createTopics(fresh);
            for (var e : result.values().entrySet()) {
                try {
                    e.getValue().get();
                    created.add(e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause(), ex);
                    }
                }
            }
            awaitVisible(admin, specs.stream().map(TopicSpec::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics: " + e.getCause(), e);
        }
        return created;
    }

    /**
     * Waits until the broker's metadata lists every named topic with its partition leaders: the controller acknowledges
     * a creation before the broker's metadata cache has it, so a client that lists or produces right after would
     * otherwise see nothing (seen on a loaded machine).
     */
    private static void awaitVisible(Admin admin, List<String> names) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Set<String> listed = admin.listTopics().names().get();
            if (listed.containsAll(names)) {
                boolean led = admin.describeTopics(names).allTopicNames().get().values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (led && logsCreated(admin, names)) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                var missing = new ArrayList<>(names);
                missing.removeAll(listed);
                throw new IllegalStateException("topics not visible in the broker's metadata after 30 s: "
                        + (missing.isEmpty() ? "partitions without a leader" : missing));
            }
            Thread.sleep(50);
        }
    }

    /**
     * True when the broker has created the log of every partition of the named topics: metadata can name a leader
     * before its replica manager has the partition, and an idempotent producer that writes in that gap gets
     * NOT_LEADER_OR_FOLLOWER, then out-of-order sequence errors that strand its records (seen in a labeler test).
     */
    private static boolean logsCreated(Admin admin, List<String> names) throws InterruptedException, ExecutionException {
        var wanted = new java.util.HashSet<org.apache.kafka.common.TopicPartition>();
        for (var d : admin.describeTopics(names).allTopicNames().get().values()) {
            d.partitions().forEach(p -> wanted.add(new org.apache.kafka.common.TopicPartition(d.name(), p.partition())));
        }
        var brokers = admin.describeCluster().nodes().get().stream().map(org.apache.kafka.common.Node::id).toList();
        var present = new java.util.HashSet<org.apache.kafka.common.TopicPartition>();
        for (var byDir : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
            for (var dir : byDir.values()) {
                present.addAll(dir.replicaInfos().keySet());
            }
        }
        return present.containsAll(wanted);
    }

    /** Stops the broker and waits for it; deletes the data directory if the builder said so. */
    @Override
    public void close() throws IOException {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            LOG.info("Kafka broker at {} stopped", bootstrapServers());
        }
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
