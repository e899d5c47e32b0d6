package ai.seamstream.labeler;

import ai.seamstream.core.image.ImageEncoder;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.model.ModelFiles;
import ai.seamstream.devstack.EmbeddedKafka;
import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.TopicSpec;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelState;
import ai.seamstream.schemas.v1.LabelledImage;
import ai.seamstream.schemas.v1.ModelEvent;
import ai.seamstream.schemas.v1.ModelStatus;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test helpers on the embedded broker: topics under a prefix, labelled images and model events in, records out. */
public final class Streams {
    private Streams() {
    }

    public static LabelerConfig.Topics topics(EmbeddedKafka kafka, String prefix, int partitions) {
        var specs = new ArrayList<TopicSpec>();
        for (TopicSpec s : TopicCatalog.withPartitions(partitions).all()) {
            specs.add(new TopicSpec(prefix + s.name(), s.partitions(), s.compacted(), s.maxMessageBytes(), s.value()));
        }
        kafka.createTopics(specs);
        return LabelerConfig.Topics.prefixed(prefix);
    }

    public static LabelerConfig config(EmbeddedKafka kafka, LabelerConfig.Topics topics, String group, String instance,
                                       int maxBatch, Duration wait, LabelerConfig.Review review, Path cache) {
        return new LabelerConfig(kafka.bootstrapServers(), group, group + "-" + instance, instance, topics,
                new LabelerConfig.Batching(maxBatch, wait, 8), cache, 1, 24, 40_000_000L, review, Map.of());
    }

    public static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(TopicCatalog.IMAGE_TOPIC_MAX_BYTES));
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** A noisy image (uniform random pixels) or a flat one of one colour. */
    public static RgbImage image(long seed, int w, int h, boolean noisy) {
        Random r = new Random(seed);
        RgbImage img = RgbImage.blank(w, h);
        int c0 = r.nextInt(256);
        int c1 = r.nextInt(256);
        int c2 = r.nextInt(256);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.set(x, y, 0, noisy ? r.nextInt(256) : c0);
                img.set(x, y, 1, noisy ? r.nextInt(256) : c1);
                img.set(x, y, 2, noisy ? r.nextInt(256) : c2);
            }
        }
        return img;
    }

    public static LabelledImage labelled(String id, byte[] data, List<String> classes, long labelVersion) {
        var img = Image.newBuilder().setImageId(id).setData(ByteString.copyFrom(data)).setContentType("image/png")
                .setSha256(ModelFiles.sha256(data)).setSizeBytes(data.length).setReceivedAtMs(System.currentTimeMillis());
        var b = LabelledImage.newBuilder().setImageId(id).setImage(img).setJoinedAtMs(System.currentTimeMillis());
        if (!classes.isEmpty()) {
            b.setLabels(LabelState.newBuilder().setImageId(id).addAllClasses(classes).setLabelVersion(labelVersion));
            b.setLabelVersion(labelVersion);
        }
        return b.build();
    }

    public static LabelledImage labelled(String id, RgbImage image, List<String> classes) {
        return labelled(id, ImageEncoder.png(image), classes, classes.isEmpty() ? 0 : 1);
    }

    public static void send(KafkaProducer<String, byte[]> p, String topic, String key, Message m) {
        p.send(new ProducerRecord<>(topic, key, m.toByteArray()));
    }

    public static void promote(KafkaProducer<String, byte[]> p, LabelerConfig.Topics t, String version, Path dir, String sha) {
        send(p, t.models(), version, ModelEvent.newBuilder().setModelVersion(version).setStatus(ModelStatus.MODEL_STATUS_PROMOTED)
                .setUri(dir.toUri().toString()).setSha256(sha).setTimeMs(System.currentTimeMillis()).build());
        p.flush();
    }

    public static void event(KafkaProducer<String, byte[]> p, LabelerConfig.Topics t, String version, ModelStatus status) {
        send(p, t.models(), version, ModelEvent.newBuilder().setModelVersion(version).setStatus(status).build());
        p.flush();
    }

    /** Every committed record of a topic, read from the beginning until {@code done} holds or the timeout passes. */
    public static <T> List<T> readUntil(EmbeddedKafka kafka, String topic, Parser<T> parser, Duration timeout,
                                        Predicate<List<T>> done) {
        return readUntil(kafka, topic, parser, timeout, done, true);
    }

    /** Like {@link #readUntil(EmbeddedKafka, String, Parser, Duration, Predicate)}; {@code committed} false reads uncommitted records too. */
    public static <T> List<T> readUntil(EmbeddedKafka kafka, String topic, Parser<T> parser, Duration timeout,
                                        Predicate<List<T>> done, boolean committed) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(TopicCatalog.IMAGE_TOPIC_MAX_BYTES));
        List<T> out = new ArrayList<>();
        try (var c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long end = System.currentTimeMillis() + timeout.toMillis();
            while (System.currentTimeMillis() < end && !done.test(out)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        out.add(parser.parseFrom(r.value()));
                    } catch (Exception e) {
                        throw new AssertionError("unreadable record on " + topic, e);
                    }
                }
            }
        }
        return out;
    }

    public static void waitFor(Duration timeout, java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + timeout.toMillis();
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static TopicPartition tp(String topic, int p) {
        return new TopicPartition(topic, p);
    }
}
