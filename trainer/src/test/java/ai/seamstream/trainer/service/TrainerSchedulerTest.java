package ai.seamstream.trainer.service;

import static ai.seamstream.trainer.service.ServiceFixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.synth.SyntheticSample;
import ai.seamstream.devstack.EmbeddedKafka;
import ai.seamstream.devstack.KafkaBrokerExtension;
import ai.seamstream.trainer.Fixtures;
import ai.seamstream.trainer.job.JobState;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler starts jobs by the configured policy alone, and not twice on one snapshot. */
@ExtendWith(KafkaBrokerExtension.class)
class TrainerSchedulerTest {
    @TempDir
    Path dir;

    @Test
    void everyNewLabelsStartsAJobWithoutDemandAndOnlyOncePerSnapshot(EmbeddedKafka kafka) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        SyntheticGenerator g = Fixtures.generator(61, 20);
        var keys = ServiceFixtures.tinyService(kafka.bootstrapServers(), run, dir, g);
        keys.put("seam.trainer.policy.every-new-labels", "20");
        keys.put("seam.trainer.policy.on-demand", "false");
        keys.put("seam.trainer.policy.check-interval", "300ms");
        TrainerSettings settings = ServiceFixtures.settings(keys);
        try (var producer = ServiceFixtures.producer(kafka.bootstrapServers());
             var rt = new TrainerRuntime(settings.trainer(), kafka.bootstrapServers(), null, Clock.systemUTC()).start()) {
            var list = g.all();
            for (SyntheticSample s : list.subList(0, 19)) {
                ServiceFixtures.send(producer, settings.trainer().topics().labelled(), s.id(), ServiceFixtures.record(g, s, s.id(), 1));
            }
            await("19 images", 60, () -> rt.store().size() == 19);
            await("leadership", 30, () -> rt.guard().isLeader());
            Thread.sleep(1000); // three scheduler turns with 19 changes: below the threshold
            assertTrue(rt.jobs().isEmpty(), "19 < 20 changes: no job");
            var demanded = rt.requestTraining(true);
            assertFalse(demanded.accepted(), "on demand is off");
            assertEquals(TrainerRuntime.Refusal.POLICY, demanded.refusal());

            SyntheticSample last = list.get(19);
            ServiceFixtures.send(producer, settings.trainer().topics().labelled(), last.id(),
                    ServiceFixtures.record(g, last, last.id(), 1));
            await("a job started by the scheduler", 30, () -> !rt.jobs().isEmpty());
            var rec = rt.jobs().get(0);
            assertFalse(rec.demanded());
            await("the job to end", 180, () -> rec.finalProgress() != null || rec.error() != null);
            assertEquals(JobState.SUCCEEDED, rec.finalProgress().state(), rec.finalProgress().message());
            assertEquals("v000001", rec.published().version());
            Thread.sleep(1500); // five more turns on the same snapshot
            assertEquals(1, rt.jobs().size(), "never twice on one snapshot");
        }
    }
}
