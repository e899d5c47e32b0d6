package ai.seamstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.synth.SyntheticSample;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelState;
import ai.seamstream.schemas.v1.ModelEvent;
import ai.seamstream.trainer.Fixtures;
import ai.seamstream.trainer.dataset.LabelledImage;
import com.google.protobuf.ByteString;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Settings, labelled records and waiting for the service tests. */
public final class ServiceFixtures {
    private ServiceFixtures() {
    }

    /** The service's settings from these keys (and the mapping's defaults), parsed as the service parses them. */
    public static TrainerSettings settings(Map<String, String> keys) {
        return new SmallRyeConfigBuilder().withMapping(TrainerSettings.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(keys).build()
                .getConfigMapping(TrainerSettings.class);
    }

    /**
     * A tiny job (width 1/16, one unit per stage, 4 steps of 4 crops of 48 px) on the 4 classes of
     * {@link Fixtures#generator}, its topics named with {@code run}, only on-demand training.
     */
    public static Map<String, String> tinyService(String bootstrap, String run, Path dir, SyntheticGenerator g) {
        var m = new HashMap<String, String>();
        m.put("seam.kafka.bootstrap-servers", bootstrap);
        m.put("seam.trainer.instance-id", "test-" + run);
        m.put("seam.trainer.store-dir", dir.resolve("store").toString());
        m.put("seam.trainer.registry-dir", dir.resolve("registry").toString());
        m.put("seam.trainer.work-dir", dir.resolve("work").toString());
        m.put("seam.trainer.classes", String.join(",", g.vocabulary().foreground()));
        m.put("seam.trainer.partitions", "3");
        m.put("seam.trainer.topics.labelled", "seam.labelled.test-" + run);
        m.put("seam.trainer.topics.models", "seam.models.test-" + run);
        m.put("seam.trainer.leader.topic", "seam.trainer.leader.test-" + run);
        m.put("seam.trainer.leader.group", "seam-trainer-leader-" + run);
        m.put("seam.trainer.leader.session-timeout", "6s");
        m.put("seam.trainer.policy.every-new-labels", "0");
        m.put("seam.trainer.policy.check-interval", "1h");
        m.put("seam.trainer.job.width", "0.0625");
        m.put("seam.trainer.job.units-per-stage", "1");
        m.put("seam.trainer.job.steps", "4");
        m.put("seam.trainer.job.batch", "4");
        m.put("seam.trainer.job.crop", "48");
        m.put("seam.trainer.job.long-min", "56");
        m.put("seam.trainer.job.long-max", "72");
        m.put("seam.trainer.job.log-every", "2");
        m.put("seam.trainer.job.seed", "5");
        m.put("seam.trainer.job.inference-scales", "1.0");
        m.put("seam.trainer.evaluation.scales", "1.0");
        m.put("seam.trainer.hold-out.fraction", "0.25");
        m.put("seam.trainer.hold-out.salt", "test");
        m.put("seam.trainer.gate.tolerance", "0.05");
        return m;
    }

    /** A {@code seam.labelled.v1} record of a synthetic sample, as the ingest topology writes it. */
    public static byte[] record(SyntheticGenerator g, SyntheticSample s, String id, long version) {
        LabelledImage li = Fixtures.labelled(g, s, version, false);
        return ai.seamstream.schemas.v1.LabelledImage.newBuilder()
                .setImageId(id)
                .setImage(Image.newBuilder().setImageId(id).setData(ByteString.copyFrom(li.image()))
                        .setContentType("image/png").setSizeBytes(li.image().length))
                .setLabels(LabelState.newBuilder().setImageId(id).addAllClasses(li.classes()).setLabelVersion(version))
                .setLabelVersion(version)
                .setJoinedAtMs(System.currentTimeMillis())
                .build().toByteArray();
    }

    public static KafkaProducer<String, byte[]> producer(String bootstrap) {
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }

    /** Waits for {@code condition}; fails with {@code what} after {@code seconds}. */
    public static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** The first {@code n} events of the models topic. */
    public static List<ModelEvent> events(String bootstrap, String topic, int n) throws Exception {
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var out = new ArrayList<ModelEvent>();
        try (var c = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            var tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    ModelEvent e = ModelEvent.parseFrom(r.value());
                    assertEquals(e.getModelVersion(), r.key(), "keyed by version");
                    out.add(e);
                }
            }
        }
        assertEquals(n, out.size(), "events on " + topic + ": " + out);
        return out;
    }
}
