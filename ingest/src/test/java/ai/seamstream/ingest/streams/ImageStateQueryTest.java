package ai.seamstream.ingest.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import ai.seamstream.devstack.EmbeddedKafka;
import ai.seamstream.devstack.KafkaBrokerExtension;
import ai.seamstream.ingest.topology.IngestConfig;
import ai.seamstream.ingest.topology.IngestTopology;
import ai.seamstream.ingest.topology.ProtoSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two real instances of one Streams application: each id is answered by exactly one, the other points to it. */
@ExtendWith(KafkaBrokerExtension.class)
class ImageStateQueryTest {

    @Test
    void eachIdHasOneOwnerAndTheOtherInstancePointsToIt(EmbeddedKafka kafka) throws Exception {
        String prefix = "iq-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        IngestConfig cfg = IngestStreamsIntegrationTest.createTopics(kafka, prefix);
        var hostA = new HostInfo("127.0.0.1", 7001);
        var hostB = new HostInfo("127.0.0.1", 7002);
        var ids = new ArrayList<String>();
        try (var producer = IngestStreamsIntegrationTest.producer(kafka)) {
            for (int i = 0; i < 12; i++) {
                String id = "q-" + i;
                ids.add(id);
                producer.send(new ProducerRecord<>(cfg.imagesTopic(), id, IngestStreamsIntegrationTest.image(id, i)));
            }
            producer.send(new ProducerRecord<>(cfg.tagsTopic(), "q-0", IngestStreamsIntegrationTest.tag("q-0", "a", "cat")));
            producer.flush();
        }
        KafkaStreams a = start(kafka, cfg, prefix, "a", hostA);
        KafkaStreams b = start(kafka, cfg, prefix, "b", hostB);
        try {
            awaitRunning(a, b);
            // every image has gone through before the stores are asked
            IngestStreamsIntegrationTest.readUntil(kafka, cfg.labelledTopic(), ProtoSerde.labelled().deserializer(),
                    "read_committed", l -> l.stream().map(r -> r.key()).distinct().count() == ids.size()
                            && l.stream().anyMatch(r -> r.key().equals("q-0") && r.value().getLabelVersion() == 1));
            var qa = new ImageStateQuery(a, hostA);
            var qb = new ImageStateQuery(b, hostB);
            Map<HostInfo, Integer> owned = new HashMap<>();
            for (String id : ids) {
                ImageStateQuery.Answer fromA = awaitSettled(qa, id);
                ImageStateQuery.Answer fromB = awaitSettled(qb, id);
                ImageStateQuery.Local local;
                if (fromA instanceof ImageStateQuery.Local l) {
                    local = l;
                    assertEquals(new ImageStateQuery.Remote(hostA), fromB, id);
                    owned.merge(hostA, 1, Integer::sum);
                } else {
                    local = assertInstanceOf(ImageStateQuery.Local.class, fromB, id);
                    assertEquals(new ImageStateQuery.Remote(hostB), fromA, id);
                    owned.merge(hostB, 1, Integer::sum);
                }
                assertNotNull(local.image(), id);
                assertEquals(id, local.image().getImageId());
                if (id.equals("q-0")) {
                    assertEquals(List.of("cat"), local.labels().getClassesList());
                } else {
                    assertNull(local.labels(), id + " has no tags");
                }
            }
            assertEquals(2, owned.size(), "3 partitions over 2 instances: both own some ids " + owned);
            // an unknown id is Local with nothing on its owner, Remote on the other
            var unknownA = awaitSettled(qa, "nobody");
            var unknownB = awaitSettled(qb, "nobody");
            var unknownLocal = unknownA instanceof ImageStateQuery.Local l ? l : (ImageStateQuery.Local) unknownB;
            assertNull(unknownLocal.image());
            assertNull(unknownLocal.labels());
        } finally {
            a.close(Duration.ofSeconds(20));
            b.close(Duration.ofSeconds(20));
        }
        assertInstanceOf(ImageStateQuery.Unavailable.class, new ImageStateQuery(a, hostA).lookup("q-1"),
                "a closed instance answers nothing");
    }

    static KafkaStreams start(EmbeddedKafka kafka, IngestConfig cfg, String prefix, String name, HostInfo self) {
        var s = new StreamsSettings(kafka.bootstrapServers(), prefix + "app", Path.of("target", prefix + name), 1, 0,
                100, Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port()));
        var streams = CrashSafeStreams.create(IngestTopology.build(cfg), s);
        streams.start();
        return streams;
    }

    static void awaitRunning(KafkaStreams... all) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        for (KafkaStreams s : all) {
            while (s.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(KafkaStreams.State.RUNNING, s.state());
        }
    }

    /** Retries while the instances rebalance. */
    static ImageStateQuery.Answer awaitSettled(ImageStateQuery q, String id) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        ImageStateQuery.Answer a;
        do {
            a = q.lookup(id);
            if (!(a instanceof ImageStateQuery.Unavailable)) {
                return a;
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < deadline);
        return fail(id + " stayed unavailable: " + a);
    }
}
