package ai.seamstream.ingest.streams;

import ai.seamstream.ingest.topology.ConsensusRule;
import ai.seamstream.ingest.topology.ImageLimits;
import ai.seamstream.ingest.topology.IngestConfig;
import ai.seamstream.ingest.topology.IngestTopology;
import ai.seamstream.schemas.ClassVocabulary;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;

/** The ingest topology in a process of its own, to be killed with SIGKILL by the crash test. */
public final class StreamsProcess {
    private StreamsProcess() {
    }

    /** Topics of one test run: the catalog's names under a prefix, so runs and services sharing a broker do not meet. */
    public static IngestConfig config(String prefix) {
        return new IngestConfig(prefix + "images", prefix + "tags", prefix + "labels", prefix + "labelled",
                prefix + "deadletter", ClassVocabulary.VOC2012, ConsensusRule.DEFAULT, ImageLimits.DEFAULTS, "ingest");
    }

    public static StreamsSettings settings(String bootstrap, String appId, Path stateDir) {
        return new StreamsSettings(bootstrap, appId, stateDir, 1, 0, 100, Map.of());
    }

    /** Args: bootstrap servers, topic prefix, application id, state directory. Prints "running" once RUNNING. */
    public static void main(String[] args) throws Exception {
        var streams = CrashSafeStreams.create(IngestTopology.build(config(args[1])),
                settings(args[0], args[2], Path.of(args[3])));
        var running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.start();
        running.await();
        System.out.println("running");
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }
}
