package ai.seamstream.labeler;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * A labeler in a process of its own, for the crash test to kill with SIGKILL. Prints {@code running} once the worker
 * consumes, then {@code acked P@O} for every mask record the broker acknowledged (see {@link SlowMaskSends}).
 * Args: bootstrap, topic prefix, group, instance, model cache, batch size, delay per mask send in ms.
 */
public final class LabelerProcess {
    private LabelerProcess() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            throw new IllegalArgumentException("usage: LabelerProcess BOOTSTRAP PREFIX GROUP INSTANCE CACHE BATCH DELAY_MS");
        }
        var topics = LabelerConfig.Topics.prefixed(args[1]);
        // a short session, so the restarted instance's group join does not wait the default 45 s for the dead member
        var overrides = Map.of(
                "interceptor.classes", SlowMaskSends.class.getName(),
                SlowMaskSends.TOPIC, topics.masks(),
                SlowMaskSends.DELAY_MS, args[6],
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        var cfg = new LabelerConfig(args[0], args[2], args[2] + "-" + args[3], args[3], topics,
                new LabelerConfig.Batching(Integer.parseInt(args[5]), Duration.ofMillis(200), 8), Path.of(args[4]), 1,
                24, 40_000_000L, LabelerConfig.Review.defaults(), overrides);
        var labeler = new Labeler(cfg, new SimpleMeterRegistry()).start();
        while (!labeler.worker().consuming()) {
            if (!labeler.worker().alive() || labeler.worker().stopReason() != null) {
                throw new IllegalStateException("the worker stopped before consuming: " + labeler.worker().stopReason());
            }
            Thread.sleep(20);
        }
        synchronized (System.out) {
            System.out.println("running");
            System.out.flush();
        }
        new CountDownLatch(1).await(); // until killed
    }
}
