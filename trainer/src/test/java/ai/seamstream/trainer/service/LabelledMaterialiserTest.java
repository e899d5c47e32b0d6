package ai.seamstream.trainer.service;

import static ai.seamstream.trainer.service.ServiceFixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.devstack.EmbeddedKafka;
import ai.seamstream.devstack.KafkaBrokerExtension;
import ai.seamstream.trainer.Fixtures;
import ai.seamstream.trainer.dataset.TrainingSetStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The store follows the topic: kept positions resume, label versions only grow, a lost position file rebuilds. */
@ExtendWith(KafkaBrokerExtension.class)
class LabelledMaterialiserTest {
    @TempDir
    Path dir;

    @Test
    void resumesFromKeptPositionsAndRebuildsWithoutThem(EmbeddedKafka kafka) throws Exception {
        String topic = "seam.labelled.mat-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.admin().createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        SyntheticGenerator g = Fixtures.generator(51, 4);
        var s = g.all();
        try (var p = ServiceFixtures.producer(kafka.bootstrapServers())) {
            ServiceFixtures.send(p, topic, "a", ServiceFixtures.record(g, s.get(0), "a", 2));
            ServiceFixtures.send(p, topic, "b", ServiceFixtures.record(g, s.get(1), "b", 1));
            try (var store = TrainingSetStore.open(dir.resolve("store"));
                 var m = new LabelledMaterialiser(store, kafka.bootstrapServers(), topic, "t1").start()) {
                assertTrue(m.awaitMaterialised(Duration.ofSeconds(30)));
                assertTrue(m.rebuilding(), "a new store reads from the beginning");
                assertEquals(2, store.size());
                assertEquals(2, m.applied());
            }
            assertTrue(Files.isRegularFile(dir.resolve("store").resolve(LabelledMaterialiser.OFFSETS_FILE)));

            // while the trainer is down: an older label version of a (stale), b removed, c added
            ServiceFixtures.send(p, topic, "a", ServiceFixtures.record(g, s.get(2), "a", 1));
            ServiceFixtures.send(p, topic, "b", null);
            ServiceFixtures.send(p, topic, "c", ServiceFixtures.record(g, s.get(3), "c", 1));
            try (var store = TrainingSetStore.open(dir.resolve("store"));
                 var m = new LabelledMaterialiser(store, kafka.bootstrapServers(), topic, "t2").start()) {
                assertTrue(m.awaitMaterialised(Duration.ofSeconds(30)));
                assertFalse(m.rebuilding(), "positions kept: only the new records are read");
                assertEquals(1, m.applied(), "only c; the stale a changes nothing");
                assertEquals(1, m.removed());
                assertEquals(List.of("a", "c"), store.entries().stream().map(e -> e.imageId()).toList());
                assertEquals(2, store.get("a").orElseThrow().labelVersion(), "the newer label version stays");
            }

            // the positions are lost but the store is not, and holds an image the topic never had: a rebuild drops it
            Files.delete(dir.resolve("store").resolve(LabelledMaterialiser.OFFSETS_FILE));
            try (var store = TrainingSetStore.open(dir.resolve("store"))) {
                store.upsert(Fixtures.labelled(g, s.get(1), 1, false).withId("stray"));
                store.flush();
                try (var m = new LabelledMaterialiser(store, kafka.bootstrapServers(), topic, "t3").start()) {
                    assertTrue(m.awaitMaterialised(Duration.ofSeconds(30)));
                    assertTrue(m.rebuilding());
                    assertEquals(List.of("a", "c"), store.entries().stream().map(e -> e.imageId()).toList());
                    // and it keeps following the topic after it caught up
                    ServiceFixtures.send(p, topic, "d", ServiceFixtures.record(g, s.get(1), "d", 1));
                    await("d", 30, () -> store.size() == 3);
                }
            }
        }
    }
}
