package ai.seamstream.ingest;

import ai.seamstream.devstack.SharedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/** Points a Quarkus test at the test JVM's embedded broker, with a fresh Streams application and small limits. */
public class EmbeddedKafkaResource implements QuarkusTestResourceLifecycleManager {
    /** Limits of the service under test, small enough to test 413 answers without huge bodies. */
    public static final long MAX_IMAGE_BYTES = 200_000;
    public static final long MAX_PIXELS = 1_000_000;

    @Override
    public Map<String, String> start() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return Map.of(
                "seam.kafka.bootstrap-servers", SharedKafka.get().bootstrapServers(),
                "seam.ingest.application-id", "seam-ingest-test-" + run,
                "seam.ingest.state-dir", "target/kafka-streams-quarkus-" + run,
                "seam.ingest.partitions", "3",
                "seam.ingest.max-image-bytes", Long.toString(MAX_IMAGE_BYTES),
                "seam.ingest.max-pixels", Long.toString(MAX_PIXELS));
    }

    @Override
    public void stop() {
        // the broker is shared by the whole test JVM and stops when it exits
    }
}
