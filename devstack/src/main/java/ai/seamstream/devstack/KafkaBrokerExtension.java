package ai.seamstream.devstack;

import ai.seamstream.schemas.TopicCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that starts one {@link EmbeddedKafka} per test JVM, with every topic of the catalog created,
 * and injects it into test constructors and methods; the broker stops when the test run ends.
 *
 * <p>System properties: {@code seam.kafka.partitions} (default 3) sets the catalog's partition count;
 * {@code seam.kafka.dir} the parent of the broker's directory (default {@code target/} when the working directory
 * has one, else the temporary directory).
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    /** The broker of this test JVM, started on first use. */
    public static EmbeddedKafka broker(ExtensionContext context) {
        // the root store lives as long as the test run and closes AutoCloseable values at its end
        return context.getRoot().getStore(NS).computeIfAbsent(EmbeddedKafka.class, k -> start(), EmbeddedKafka.class);
    }

    private static EmbeddedKafka start() {
        try {
            String parentProp = System.getProperty("seam.kafka.dir");
            Path parent = parentProp != null ? Path.of(parentProp)
                    : Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir"));
            Files.createDirectories(parent);
            var kafka = EmbeddedKafka.builder().optDataDir(Files.createTempDirectory(parent, "embedded-kafka-")).start();
            kafka.createTopics(TopicCatalog.withPartitions(Integer.getInteger("seam.kafka.partitions", 3)));
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return broker(e);
    }
}
