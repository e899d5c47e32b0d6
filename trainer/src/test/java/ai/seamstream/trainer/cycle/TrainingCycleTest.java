package ai.seamstream.trainer.cycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.infer.MultiScaleInference;
import ai.seamstream.trainer.Fixtures;
import ai.seamstream.trainer.dataset.HoldOutSplit;
import ai.seamstream.trainer.dataset.TrainingSetStore;
import ai.seamstream.trainer.gate.HoldOutEvaluator;
import ai.seamstream.trainer.gate.Metric;
import ai.seamstream.trainer.gate.PromotionGate;
import ai.seamstream.trainer.job.JobState;
import ai.seamstream.trainer.policy.LocalJobGuard;
import ai.seamstream.trainer.policy.RetrainDecision;
import ai.seamstream.trainer.policy.RetrainPolicy;
import ai.seamstream.trainer.registry.ModelManifest;
import ai.seamstream.trainer.registry.ModelRegistry;
import ai.seamstream.trainer.registry.ModelStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's acceptance flow without Kafka: labelled images in → a job runs (tiny model, a few steps) → a PROMOTED
 * version with its manifest → the same snapshot is not trained again, also after a restart → new labels → a second job
 * whose gate cannot be met publishes REJECTED and the promoted version stays.
 */
class TrainingCycleTest {
    @TempDir
    Path dir;

    TrainingCycle.Config config(SyntheticGenerator g, PromotionGate gate) {
        var eval = new HoldOutEvaluator.Options(MultiScaleInference.Options.reference(), 0.5, 0.5);
        return new TrainingCycle.Config(g.vocabulary(), new HoldOutSplit(0.25, "test"), Fixtures.tinySpec(g.vocabulary(), 4, 0.01),
                true, eval, gate, "test-version", dir.resolve("work"));
    }

    @Test
    void labelledImagesBecomeAPromotedVersionThenARejectedOne() throws Exception {
        SyntheticGenerator g = Fixtures.generator(31, 28);
        SyntheticGenerator more = Fixtures.generator(32, 3);
        RetrainPolicy policy = RetrainPolicy.everyNewLabels(3).or(RetrainPolicy.onDemand());
        var guard = new LocalJobGuard();
        try (NDManager manager = NDManager.newBaseManager()) {
            String firstSnapshot;
            try (var store = TrainingSetStore.open(dir.resolve("store"))) {
                Fixtures.fill(store, g, true);
                var registry = ModelRegistry.open(dir.resolve("registry"), 5, null);
                var cycle = new TrainingCycle(store, registry, guard, config(g, PromotionGate.standard(0.05)), Clock.systemUTC());
                var state = cycle.state(false);
                assertEquals(28, state.changedLabels());
                assertNull(state.sinceLastJob());
                assertTrue(RetrainDecision.decide(policy, state).train());

                var heard = new java.util.ArrayList<ModelManifest>();
                var first = cycle.run("job-1", manager, heard::add);
                assertEquals(JobState.SUCCEEDED, first.job().state(), first.job().message());
                // every status the version took, in order: registered as a CANDIDATE before the gate, then its verdict
                assertEquals(List.of(ModelStatus.CANDIDATE, ModelStatus.PROMOTED), heard.stream().map(ModelManifest::status).toList());
                assertEquals(List.of("v000001", "v000001"), heard.stream().map(ModelManifest::version).toList());
                assertNull(heard.get(0).metrics().get("meanIou"), "the candidate carries training figures only");
                assertNotNull(heard.get(0).metrics().get("finalLoss"));
                assertEquals(List.of(ModelStatus.CANDIDATE, ModelStatus.PROMOTED),
                        first.published().history().stream().map(ModelManifest.Event::status).toList());
                assertTrue(first.gate().promote(), first.gate().verdict().reason());
                var m = first.published();
                assertEquals("v000001", m.version());
                assertEquals(ModelStatus.PROMOTED, m.status());
                assertEquals(store.snapshotId(), m.snapshotId());
                assertNull(m.parentVersion(), "trained from scratch");
                assertEquals("SCRATCH", m.configuration().get("start"));
                assertEquals("test-version", m.codeVersion());
                assertEquals(5L, m.seed());
                assertNotNull(m.metrics().get("meanIou"), m.metrics().toString());
                assertNotNull(m.metrics().get("tagMap"));
                assertNotNull(m.metrics().get("equivariance"));
                assertNotNull(m.metrics().get("finalLoss"));
                assertEquals(registry.promotedVersion().orElseThrow(), "v000001");
                firstSnapshot = m.snapshotId();
                assertFalse(RetrainDecision.decide(policy, cycle.state(true)).train(), "same snapshot, even on demand");
            }

            // Restart: everything reopened from disk; the lost index is rebuilt and the snapshot is still known.
            java.nio.file.Files.delete(dir.resolve("store").resolve("index.json"));
            try (var store = TrainingSetStore.open(dir.resolve("store"))) {
                assertTrue(store.rebuiltIndex());
                var registry = ModelRegistry.open(dir.resolve("registry"), 5, null);
                var cycle = new TrainingCycle(store, registry, guard,
                        config(g, PromotionGate.atLeast(Metric.TAG_MAP, 1.01)), Clock.systemUTC());
                var state = cycle.state(true);
                assertEquals(firstSnapshot, state.currentSnapshot());
                assertEquals(0, state.changedLabels());
                var d = RetrainDecision.decide(policy, state);
                assertFalse(d.train(), d.reason());

                for (var s : more.all()) {
                    store.upsert(Fixtures.labelled(more, s, 1, false).withId("new-" + s.id()));
                }
                state = cycle.state(false);
                assertEquals(3, state.changedLabels());
                assertTrue(RetrainDecision.decide(policy, state).train());

                // Only one job at a time.
                try (var held = guard.tryAcquire("someone-else").orElseThrow()) {
                    var e = assertThrows(IllegalStateException.class, () -> cycle.run("job-2", manager));
                    assertTrue(e.getMessage().contains("someone-else"), e.getMessage());
                }

                // a CANDIDATE left by a trainer that stopped mid-gate (simulated: published and never concluded)
                registry.publish(new ModelRegistry.Publication(registry.checkpoint("v000001"), "v000001", "lost", null, 1,
                        "test-version", null, ModelStatus.CANDIDATE, "trained; awaiting the promotion gate"));
                var heard = new java.util.ArrayList<ModelManifest>();
                var second = cycle.run("job-2", manager, heard::add);
                assertEquals(JobState.SUCCEEDED, second.job().state(), second.job().message());
                assertEquals(List.of("v000002 REJECTED", "v000003 CANDIDATE", "v000003 REJECTED"),
                        heard.stream().map(x -> x.version() + " " + x.status()).toList());
                assertTrue(heard.get(0).reason().contains("stopped before"), heard.get(0).reason());
                assertEquals(ModelStatus.REJECTED, registry.manifest("v000002").orElseThrow().status());
                assertFalse(second.gate().promote());
                var r = second.published();
                assertEquals("v000003", r.version());
                assertEquals(ModelStatus.REJECTED, r.status());
                assertEquals("v000001", r.parentVersion(), "fine-tuned from the promoted checkpoint");
                assertEquals("PROMOTED", r.configuration().get("start"));
                assertTrue(r.reason().contains("floor 1.0100"), r.reason());
                assertNotNull(r.metrics().get("current.tagMap"));
                assertNotNull(r.metrics().get("agreement"));
                assertEquals("v000001", registry.promotedVersion().orElseThrow(), "the promoted version stays");
                assertFalse(RetrainDecision.decide(policy, cycle.state(true)).train(), "the rejected snapshot is not retried");
                try (NDManager mm = manager.newSubManager(); var loaded = Checkpoint.load(registry.checkpoint("v000003"), mm)) {
                    assertEquals(r.checkpointId(), loaded.manifest().id());
                    assertTrue(loaded.manifest().training().init().startsWith("checkpoint:"));
                }
            }
        }
    }

    @Test
    void aDivergingJobPublishesNothing() throws Exception {
        SyntheticGenerator g = Fixtures.generator(33, 12);
        try (NDManager manager = NDManager.newBaseManager(); var store = TrainingSetStore.open(dir.resolve("store"))) {
            Fixtures.fill(store, g, false);
            var registry = ModelRegistry.open(dir.resolve("registry"), 5, null);
            var base = config(g, PromotionGate.always());
            var cfg = new TrainingCycle.Config(base.vocabulary(), base.split(), Fixtures.tinySpec(g.vocabulary(), 30, 1e12),
                    true, base.evaluation(), base.gate(), base.codeVersion(), base.workDir());
            var out = new TrainingCycle(store, registry, new LocalJobGuard(), cfg, Clock.systemUTC()).run("nan", manager);
            assertEquals(JobState.DIVERGED, out.job().state());
            assertNull(out.published());
            assertNull(out.gate());
            assertTrue(registry.versions().isEmpty());
            assertTrue(registry.promotedVersion().isEmpty());
        }
    }

    @Test
    void withoutAHoldOutOnlyTheFirstModelCanBePromoted() throws Exception {
        SyntheticGenerator g = Fixtures.generator(34, 10);
        try (NDManager manager = NDManager.newBaseManager(); var store = TrainingSetStore.open(dir.resolve("store"))) {
            Fixtures.fill(store, g, false);
            var registry = ModelRegistry.open(dir.resolve("registry"), 5, null);
            var base = config(g, PromotionGate.standard(0.05));
            var cfg = new TrainingCycle.Config(base.vocabulary(), new HoldOutSplit(0.0, ""), base.spec(), true,
                    base.evaluation(), base.gate(), base.codeVersion(), base.workDir());
            var cycle = new TrainingCycle(store, registry, new LocalJobGuard(), cfg, Clock.systemUTC());
            assertEquals(ModelStatus.PROMOTED, cycle.run("a", manager).published().status());
            store.upsert(Fixtures.labelled(g, g.sample(0), 1, false).withId("extra"));
            var second = cycle.run("b", manager).published();
            assertEquals(ModelStatus.REJECTED, second.status());
            assertTrue(second.reason().contains("no hold-out"), second.reason());
            assertEquals("v000001", registry.promotedVersion().orElseThrow());
        }
    }
}
