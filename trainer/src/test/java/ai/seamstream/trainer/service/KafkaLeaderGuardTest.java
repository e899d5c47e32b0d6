package ai.seamstream.trainer.service;

import static ai.seamstream.trainer.service.ServiceFixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.devstack.EmbeddedKafka;
import ai.seamstream.devstack.KafkaBrokerExtension;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Leadership by a consumer group of one partition: exactly one of two instances admits jobs; it moves on close. */
@ExtendWith(KafkaBrokerExtension.class)
class KafkaLeaderGuardTest {

    @Test
    void exactlyOneInstanceLeadsAndLeadershipMovesWhenTheLeaderLeaves(EmbeddedKafka kafka) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "seam.trainer.leader.test-" + run;
        kafka.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        var lostA = new AtomicInteger();
        var lostB = new AtomicInteger();
        var a = new KafkaLeaderGuard(kafka.bootstrapServers(), topic, "g-" + run, "a", Duration.ofSeconds(6),
                lostA::incrementAndGet).start();
        var b = new KafkaLeaderGuard(kafka.bootstrapServers(), topic, "g-" + run, "b", Duration.ofSeconds(6),
                lostB::incrementAndGet).start();
        try {
            assertTrue(a.awaitJoined(Duration.ofSeconds(30)) && b.awaitJoined(Duration.ofSeconds(30)), "both joined");
            await("one leader", 30, () -> a.isLeader() || b.isLeader());
            Thread.sleep(1000); // let any rebalance settle: two leaders at once would show here
            assertNotEquals(a.isLeader(), b.isLeader(), "exactly one leader");
            assertEquals(0, lostA.get() + lostB.get(), "the second member's arrival took nothing from the leader");
            KafkaLeaderGuard leader = a.isLeader() ? a : b;
            KafkaLeaderGuard follower = leader == a ? b : a;

            assertTrue(follower.tryAcquire("job-f").isEmpty(), "a follower admits no job");
            var lease = leader.tryAcquire("job-1").orElseThrow();
            assertEquals("job-1", leader.holder().orElseThrow());
            assertTrue(leader.tryAcquire("job-2").isEmpty(), "one job at a time on the leader too");
            lease.close();
            assertTrue(leader.holder().isEmpty());

            leader.close();
            await("the follower to take over", 30, follower::isLeader);
            assertEquals(1, (leader == a ? lostA : lostB).get(), "the old leader was told once, when it left");
            try (var l2 = follower.tryAcquire("job-3").orElseThrow()) {
                assertEquals("job-3", l2.jobId());
            }
            assertFalse(leader.isLeader());
        } finally {
            a.close();
            b.close();
        }
    }
}
