package ai.seamstream.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class EmbeddedKafkaTest {

    @Test
    void everyCatalogTopicExistsWithItsPartitionsAndConfigs(EmbeddedKafka kafka) throws Exception {
        var catalog = TopicCatalog.withPartitions(3);
        try (Admin admin = kafka.admin()) {
            Set<String> names = admin.listTopics().names().get();
            for (TopicSpec spec : catalog.all()) {
                assertTrue(names.contains(spec.name()), spec.name() + " missing from " + names);
            }
            var described = admin.describeTopics(names).allTopicNames().get();
            var resources = catalog.all().stream().map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList();
            var configs = admin.describeConfigs(resources).all().get();
            for (TopicSpec spec : catalog.all()) {
                assertEquals(spec.partitions(), described.get(spec.name()).partitions().size(), spec.name());
                var c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
                assertEquals(spec.compacted() ? "compact" : "delete", c.get("cleanup.policy").value(), spec.name());
                assertEquals(Integer.toString(spec.maxMessageBytes()), c.get("max.message.bytes").value(), spec.name());
            }
        }
        // creating again is a no-op
        assertEquals(List.of(), kafka.createTopics(catalog));
    }

    @Test
    void producesAndConsumesTransactionallyAndBigRecordsFit(EmbeddedKafka kafka) throws Exception {
        String topic = "test." + UUID.randomUUID();
        kafka.createTopics(List.of(new TopicSpec(topic, 2, false, TopicCatalog.IMAGE_TOPIC_MAX_BYTES,
                ai.seamstream.schemas.v1.Image.getDescriptor())));
        var pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + topic);
        pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TopicCatalog.IMAGE_TOPIC_MAX_BYTES);
        byte[] big = new byte[8 * 1024 * 1024];
        big[big.length - 1] = 42;
        try (var producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, new byte[] {(byte) i}));
            }
            producer.send(new ProducerRecord<>(topic, "big", big));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "aborted", new byte[] {1}));
            producer.abortTransaction();
        }
        var cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + topic);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TopicCatalog.IMAGE_TOPIC_MAX_BYTES);
        var got = new ArrayList<ConsumerRecord<String, byte[]>>();
        try (var consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < 11 && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            // the aborted record never shows under read_committed
            consumer.poll(Duration.ofMillis(500)).forEach(got::add);
        }
        Map<String, byte[]> byKey = got.stream().collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));
        assertEquals(11, got.size(), "keys: " + byKey.keySet());
        assertEquals(8 * 1024 * 1024, byKey.get("big").length);
        assertEquals(42, byKey.get("big")[big.length - 1]);
        assertEquals(7, byKey.get("k7")[0]);
    }

    @Test
    void oneBrokerPerTestJvm(EmbeddedKafka a, EmbeddedKafka b) {
        assertSame(a, b);
        assertTrue(a.bootstrapServers().startsWith("127.0.0.1:"));
    }

    @Test
    void brokerPropertiesAreThoseOfASingleNode() throws Exception {
        try (var k = EmbeddedKafka.builder().optBrokerProperty("num.partitions", "4").start()) {
            var p = k.brokerProperties();
            assertEquals("broker,controller", p.get("process.roles"));
            assertEquals("0", p.get("group.initial.rebalance.delay.ms"));
            assertEquals("4", p.get("num.partitions"));
            assertEquals(List.of("seam.images.v1"), k.createTopics(List.of(TopicCatalog.defaults().get("seam.images.v1"))));
            var dir = k.dataDir();
            k.close();
            assertTrue(!java.nio.file.Files.exists(dir), "data directory deleted on close");
        }
    }

    @Test
    void brokerMainParsesAndRefusesBadOptions() {
        var o = BrokerMain.parse("--port", "19092", "--controller-port", "19093", "--partitions", "2", "--keep");
        assertEquals(19092, o.port());
        assertEquals(2, o.partitions());
        assertTrue(o.keep());
        assertEquals(9092, BrokerMain.parse().port());
        assertThrows(IllegalArgumentException.class, () -> BrokerMain.parse("--port", "x"));
        assertThrows(IllegalArgumentException.class, () -> BrokerMain.parse("--port", "9093"));
        assertThrows(IllegalArgumentException.class, () -> BrokerMain.parse("--partitions", "0"));
        assertThrows(IllegalArgumentException.class, () -> BrokerMain.parse("--bogus"));
        assertThrows(IllegalArgumentException.class, () -> BrokerMain.parse("--port"));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedKafka.builder().optPort(70000));
    }
}
