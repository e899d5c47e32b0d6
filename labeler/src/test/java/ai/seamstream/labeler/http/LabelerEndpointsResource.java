package ai.seamstream.labeler.http;

import ai.seamstream.devstack.SharedKafka;
import ai.seamstream.labeler.Streams;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** Points the Quarkus labeler at the test JVM's embedded broker, on topics of its own (a fresh prefix). */
public class LabelerEndpointsResource implements QuarkusTestResourceLifecycleManager {
    /** The topic prefix of this run, shared with the test so that it writes to the service's topics. */
    public static volatile String prefix;

    @Override
    public Map<String, String> start() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        prefix = "q" + run + ".";
        Streams.topics(SharedKafka.get(), prefix, 2);
        return Map.of("seam.kafka.bootstrap-servers", SharedKafka.get().bootstrapServers(),
                "seam.labeler.topic-prefix", prefix,
                "seam.labeler.group-id", "labeler-q" + run,
                "seam.labeler.instance", "q" + run,
                "seam.labeler.model-cache", Path.of("target", "labeler-quarkus-" + run).toAbsolutePath().toString());
    }

    @Override
    public void stop() {
        // the broker is shared by the whole test JVM and stops when it exits
    }
}
