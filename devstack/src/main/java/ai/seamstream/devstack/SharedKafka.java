package ai.seamstream.devstack;

import ai.seamstream.schemas.TopicCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one {@link EmbeddedKafka} of this class loader, started on first use with every catalog topic, stopped when
 * the JVM exits.
 *
 * <p>System properties: {@code devstack.kafka.partitions} (default 3) sets the catalog's partition count;
 * {@code devstack.kafka.dir} the parent of the broker's directory (default {@code target/} when the working directory
 * has one, else the temporary directory).
 */
public final class SharedKafka {
    private static EmbeddedKafka broker;

    private SharedKafka() {
    }

    /** The shared broker, started now if it is not running yet. */
    public static synchronized EmbeddedKafka get() {
        if (broker == null) {
            broker = start();
            var b = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    b.close();
                } catch (IOException e) {
                    System.err.println("embedded Kafka did not stop cleanly: " + e);
                }
            }, "embedded-kafka-stop"));
        }
        return broker;
    }

    private static EmbeddedKafka start() {
        try {
            String parentProp = System.getProperty("devstack.kafka.dir");
            Path parent = parentProp != null ? Path.of(parentProp)
                    : Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir"));
            Files.createDirectories(parent);
            var kafka = EmbeddedKafka.builder().optDataDir(Files.createTempDirectory(parent, "embedded-kafka-")).start();
            kafka.createTopics(TopicCatalog.withPartitions(Integer.getInteger("devstack.kafka.partitions", 3)));
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
