package ai.seamstream.ingest.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.devstack.EmbeddedKafka;
import ai.seamstream.devstack.KafkaBrokerExtension;
import ai.seamstream.ingest.topology.IngestConfig;
import ai.seamstream.ingest.topology.IngestTopology;
import ai.seamstream.ingest.topology.ProtoSerde;
import ai.seamstream.ingest.topology.TestImages;
import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.TopicSpec;
import ai.seamstream.schemas.v1.DeadLetter;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelledImage;
import ai.seamstream.schemas.v1.TagAction;
import ai.seamstream.schemas.v1.TagEvent;
import com.google.protobuf.ByteString;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The topology on a real broker: real input and output topics, exactly-once across a crash. */
@ExtendWith(KafkaBrokerExtension.class)
class IngestStreamsIntegrationTest {

    static IngestConfig createTopics(EmbeddedKafka kafka, String prefix) {
        var cfg = StreamsProcess.config(prefix);
        var catalog = TopicCatalog.withPartitions(3);
        kafka.createTopics(List.of(
                rename(catalog.get(TopicCatalog.IMAGES), cfg.imagesTopic()),
                rename(catalog.get(TopicCatalog.TAGS), cfg.tagsTopic()),
                rename(catalog.get(TopicCatalog.LABELS), cfg.labelsTopic()),
                rename(catalog.get(TopicCatalog.LABELLED), cfg.labelledTopic()),
                rename(catalog.get(TopicCatalog.DEAD_LETTER), cfg.deadLetterTopic())));
        return cfg;
    }

    static TopicSpec rename(TopicSpec s, String name) {
        return new TopicSpec(name, s.partitions(), s.compacted(), s.maxMessageBytes(), s.value());
    }

    static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // plain at-least-once input, one request in flight: a retried send is a re-sent record, which the topology
        // must absorb anyway (identical images are one image, a repeated add changes no consensus)
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TopicCatalog.IMAGE_TOPIC_MAX_BYTES);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Reads a topic from the start until {@code done} holds over what was read, or 90 s pass. */
    static <V> List<ConsumerRecord<String, V>> readUntil(EmbeddedKafka kafka, String topic, Deserializer<V> values,
                                                         String isolation, Predicate<List<ConsumerRecord<String, V>>> done) {
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TopicCatalog.IMAGE_TOPIC_MAX_BYTES);
        var out = new ArrayList<ConsumerRecord<String, V>>();
        try (var c = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 90_000;
            while (!done.test(out) && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    static byte[] image(String id, int seed) {
        return Image.newBuilder().setImageId(id).setData(ByteString.copyFrom(TestImages.png(16, 12, seed)))
                .setSource("it").build().toByteArray();
    }

    static byte[] tag(String id, String annotator, String... classes) {
        return TagEvent.newBuilder().setImageId(id).setAction(TagAction.TAG_ACTION_ADD).setAnnotator(annotator)
                .addAllClasses(List.of(classes)).build().toByteArray();
    }

    static KafkaStreams startAndAwait(IngestConfig cfg, StreamsSettings s) throws InterruptedException {
        var streams = CrashSafeStreams.create(IngestTopology.build(cfg), s);
        streams.start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (streams.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(KafkaStreams.State.RUNNING, streams.state());
        return streams;
    }

    @Test
    void imagesAndTagsBecomeLabelledImagesAndGarbageBecomesDeadLetters(EmbeddedKafka kafka) throws Exception {
        String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        IngestConfig cfg = createTopics(kafka, prefix);
        try (var producer = producer(kafka)) {
            producer.send(new ProducerRecord<>(cfg.tagsTopic(), "a", tag("a", "alice", "cat")));
            producer.send(new ProducerRecord<>(cfg.imagesTopic(), "a", image("a", 1)));
            producer.send(new ProducerRecord<>(cfg.imagesTopic(), "a", image("a", 1))); // re-sent: one image
            producer.send(new ProducerRecord<>(cfg.imagesTopic(), "b", image("b", 2)));
            producer.send(new ProducerRecord<>(cfg.tagsTopic(), "b", new byte[] {(byte) 0xff, (byte) 0xff, 0x7f}));
            producer.flush();
        }
        try (var streams = startAndAwait(cfg, StreamsProcess.settings(kafka.bootstrapServers(), prefix + "app",
                Path.of("target", prefix + "state")))) {
            var labelled = readUntil(kafka, cfg.labelledTopic(), ProtoSerde.labelled().deserializer(), "read_committed",
                    l -> l.stream().map(ConsumerRecord::key).collect(java.util.stream.Collectors.toSet())
                            .containsAll(Set.of("a", "b")) && l.stream().anyMatch(r -> r.key().equals("a")
                            && r.value().getLabelVersion() == 1));
            Map<String, List<Long>> versions = new HashMap<>();
            for (var r : labelled) {
                versions.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getLabelVersion());
            }
            assertEquals(List.of(0L), versions.get("b"), "b untagged, once");
            assertTrue(versions.get("a").equals(List.of(1L)) || versions.get("a").equals(List.of(0L, 1L)),
                    "a once per label version: " + versions.get("a"));
            var dead = readUntil(kafka, cfg.deadLetterTopic(), ProtoSerde.deadLetters().deserializer(), "read_committed",
                    l -> !l.isEmpty());
            assertEquals(1, dead.size());
            DeadLetter d = dead.get(0).value();
            assertEquals("unparseable", d.getErrorCode());
            assertEquals(cfg.tagsTopic(), d.getSourceTopic());
            assertEquals(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, 0x7f}), d.getOriginalValue());
            var labels = readUntil(kafka, cfg.labelsTopic(), ProtoSerde.labels().deserializer(), "read_committed",
                    l -> !l.isEmpty());
            assertEquals(List.of("cat"), labels.get(0).value().getClassesList());
        }
    }

    @Test
    void killedMidStreamAndRestartedLosesAndDuplicatesNothing(EmbeddedKafka kafka) throws Exception {
        String prefix = "crash-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        IngestConfig cfg = createTopics(kafka, prefix);
        String appId = prefix + "app";
        int n = 120;
        Path stateA = Path.of("target", prefix + "state-a");
        var ids = new ArrayList<String>();
        try (var producer = producer(kafka)) {
            // first half before the first instance starts; every image tagged by one annotator
            for (int i = 0; i < n / 2; i++) {
                String id = "img-" + i;
                ids.add(id);
                producer.send(new ProducerRecord<>(cfg.imagesTopic(), id, image(id, i)));
                producer.send(new ProducerRecord<>(cfg.tagsTopic(), id, tag(id, "alice", "dog")));
            }
            producer.flush();
            Process a = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), StreamsProcess.class.getName(),
                    kafka.bootstrapServers(), prefix, appId, stateA.toString()).redirectErrorStream(true).start();
            try {
                var out = new BufferedReader(new InputStreamReader(a.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.equals("running")) {
                    // wait for RUNNING
                }
                // the second half arrives while the first instance works; kill it once some output is committed
                for (int i = n / 2; i < n; i++) {
                    String id = "img-" + i;
                    ids.add(id);
                    producer.send(new ProducerRecord<>(cfg.imagesTopic(), id, image(id, i)));
                    producer.send(new ProducerRecord<>(cfg.tagsTopic(), id, tag(id, "alice", "dog")));
                    if (i == n / 2 + 10) {
                        producer.flush();
                        readUntil(kafka, cfg.labelledTopic(), ProtoSerde.labelled().deserializer(), "read_committed",
                                l -> l.size() >= 5);
                        a.destroyForcibly(); // SIGKILL: no clean close, open transactions stay open
                        assertTrue(a.waitFor(30, TimeUnit.SECONDS));
                    }
                }
                producer.flush();
            } finally {
                a.destroyForcibly();
            }
        }
        // the second instance takes over with the same application id and the crashed instance's state directory
        long until = System.currentTimeMillis() + 1000;
        var committedBeforeRestart = readUntil(kafka, cfg.labelledTopic(), ProtoSerde.labelled().deserializer(),
                "read_committed", l -> System.currentTimeMillis() > until);
        assertTrue(committedBeforeRestart.size() < 2 * n, "the crash happened before the work was done");
        try (var b = startAndAwait(cfg, StreamsProcess.settings(kafka.bootstrapServers(), appId, stateA))) {
            var first = readUntil(kafka, cfg.labelledTopic(), ProtoSerde.labelled().deserializer(), "read_committed",
                    l -> l.stream().filter(r -> r.value().getLabelVersion() == 1).count() >= n);
            // a grace period for any late duplicate to show up
            Thread.sleep(1500);
            long graceEnd = System.currentTimeMillis() + 2000;
            var all = readUntil(kafka, cfg.labelledTopic(), ProtoSerde.labelled().deserializer(), "read_committed",
                    l -> l.size() >= first.size() && System.currentTimeMillis() > graceEnd);
            var seen = new HashSet<String>();
            var dupes = new ArrayList<String>();
            var withLabels = new HashSet<String>();
            for (var r : all) {
                LabelledImage li = r.value();
                if (!seen.add(r.key() + "@" + li.getLabelVersion())) {
                    dupes.add(r.key() + "@" + li.getLabelVersion());
                }
                if (li.getLabelVersion() == 1) {
                    assertEquals(List.of("dog"), li.getLabels().getClassesList());
                    withLabels.add(r.key());
                }
            }
            assertEquals(List.of(), dupes, "no labelled image twice");
            var missing = new HashSet<>(ids);
            missing.removeAll(withLabels);
            if (!missing.isEmpty()) {
                var report = new StringBuilder("images never labelled: " + missing);
                var labelStates = readUntil(kafka, cfg.labelsTopic(), ProtoSerde.labels().deserializer(),
                        "read_committed", l -> System.currentTimeMillis() > graceEnd + 3000);
                var dead = readUntil(kafka, cfg.deadLetterTopic(), ProtoSerde.deadLetters().deserializer(),
                        "read_uncommitted", l -> System.currentTimeMillis() > graceEnd + 6000);
                var uncommitted = readUntil(kafka, cfg.labelledTopic(), ProtoSerde.labelled().deserializer(),
                        "read_uncommitted", l -> System.currentTimeMillis() > graceEnd + 9000);
                for (String id : missing) {
                    report.append("\n").append(id).append(": labelled committed ")
                            .append(all.stream().filter(r -> r.key().equals(id)).map(r -> r.value().getLabelVersion()).toList())
                            .append(", labelled uncommitted ")
                            .append(uncommitted.stream().filter(r -> r.key().equals(id)).map(r -> r.value().getLabelVersion()).toList())
                            .append(", label states ")
                            .append(labelStates.stream().filter(r -> r.key().equals(id)).map(r -> r.value().getLabelVersion()).toList())
                            .append(", dead letters ").append(dead.stream().filter(r -> id.equals(r.key())).count());
                }
                report.append("\ncommitted before restart: ").append(committedBeforeRestart.size());
                throw new AssertionError(report.toString());
            }
            System.out.printf("crash test: %d committed before the restart, %d in all (%d images)%n",
                    committedBeforeRestart.size(), all.size(), n);
        }
    }
}
