package ai.seamstream.trainer.service;

import ai.seamstream.devstack.SharedKafka;
import ai.seamstream.trainer.Fixtures;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Points a Quarkus test at the test JVM's embedded broker with fresh topics and folders under {@code target/}, the
 * tiny job of {@link ServiceFixtures#tinyService} (20 steps, so that a cancellation lands mid-run) and a gate that
 * promotes every candidate.
 */
public class EmbeddedKafkaResource implements QuarkusTestResourceLifecycleManager {
    /** The run's suffix, shared with the test so that it can write to the service's topics. */
    public static volatile String run;

    @Override
    public Map<String, String> start() {
        run = UUID.randomUUID().toString().substring(0, 8);
        var m = new HashMap<>(ServiceFixtures.tinyService(SharedKafka.get().bootstrapServers(), run,
                Path.of("target", "trainer-quarkus-" + run).toAbsolutePath(), Fixtures.generator(41, 24)));
        m.put("seam.trainer.job.steps", "20");
        m.put("seam.trainer.gate.tolerance", "1.0");
        return m;
    }

    @Override
    public void stop() {
        // the broker is shared by the whole test JVM and stops when it exits
    }
}
