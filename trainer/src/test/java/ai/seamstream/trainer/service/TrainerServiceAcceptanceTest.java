package ai.seamstream.trainer.service;

import static ai.seamstream.trainer.service.ServiceFixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.synth.SyntheticSample;
import ai.seamstream.devstack.EmbeddedKafka;
import ai.seamstream.devstack.KafkaBrokerExtension;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.ModelEvent;
import ai.seamstream.schemas.v1.ModelStatus;
import ai.seamstream.trainer.Fixtures;
import ai.seamstream.trainer.job.JobState;
import ai.seamstream.trainer.registry.ModelManifest;
import ai.seamstream.trainer.export.OnnxModelExporter;
import ai.seamstream.trainer.registry.ModelRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance on the embedded broker: labelled images in → a job runs (tiny model, a few steps) → a model
 * version in the registry and a PROMOTED event with its manifest on the models topic → the trainer restarts with its
 * store lost, rebuilds it from Kafka and does not train on the same snapshot again → new labels → a job whose gate
 * cannot be met publishes REJECTED and the promoted version stays.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TrainerServiceAcceptanceTest {
    @TempDir
    Path dir;

    @Test
    void labelledImagesToPromotedThenRestartThenRejected(EmbeddedKafka kafka) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        SyntheticGenerator g = Fixtures.generator(31, 28);
        SyntheticGenerator more = Fixtures.generator(32, 3);
        Map<String, String> keys = ServiceFixtures.tinyService(kafka.bootstrapServers(), run, dir, g);
        TrainerSettings settings = ServiceFixtures.settings(keys);
        String labelled = settings.trainer().topics().labelled();
        String models = settings.trainer().topics().models();

        String firstSnapshot;
        try (var producer = ServiceFixtures.producer(kafka.bootstrapServers());
             var rt = new TrainerRuntime(settings.trainer(), kafka.bootstrapServers(), new OnnxModelExporter(17), Clock.systemUTC()).start()) {
            for (SyntheticSample s : g.all()) {
                ServiceFixtures.send(producer, labelled, s.id(), ServiceFixtures.record(g, s, s.id(), 1));
            }
            // an image that is removed again (tombstone), and one the trainer cannot store (bytes only by URI)
            SyntheticSample extra = more.all().get(0);
            ServiceFixtures.send(producer, labelled, "gone", ServiceFixtures.record(more, extra, "gone", 1));
            ServiceFixtures.send(producer, labelled, "gone", null);
            var byUri = ai.seamstream.schemas.v1.LabelledImage.newBuilder().setImageId("by-uri")
                    .setImage(Image.newBuilder().setImageId("by-uri").setUri("s3://bucket/x.png")).setLabelVersion(1).build();
            ServiceFixtures.send(producer, labelled, "by-uri", byUri.toByteArray());

            await("the store to hold the 28 images", 60, () -> rt.store().size() == 28 && rt.materialiser().skipped() == 1);
            assertTrue(rt.store().get("gone").isEmpty(), "the tombstone removed the image");
            await("leadership", 30, () -> rt.guard().isLeader());

            var sub = rt.requestTraining(true);
            assertTrue(sub.accepted(), sub.reason());
            var rec = rt.job(sub.jobId()).orElseThrow();
            await("job 1 to end", 180, () -> rec.finalProgress() != null || rec.error() != null);
            assertEquals(JobState.SUCCEEDED, rec.finalProgress().state(), rec.finalProgress().message() + " " + rec.error());
            ModelManifest m = rec.published();
            assertEquals("v000001", m.version());
            assertEquals(ai.seamstream.trainer.registry.ModelStatus.PROMOTED, m.status());
            assertEquals(rt.store().snapshotId(), m.snapshotId());
            assertEquals("v000001", rt.registry().promotedVersion().orElseThrow());
            firstSnapshot = m.snapshotId();

            List<ModelEvent> ev = ServiceFixtures.events(kafka.bootstrapServers(), models, 2);
            assertEquals("v000001", ev.get(0).getModelVersion());
            assertEquals(ModelStatus.MODEL_STATUS_CANDIDATE, ev.get(0).getStatus(), "registered before the gate");
            ModelEvent e = ev.get(1);
            assertEquals("v000001", e.getModelVersion());
            assertEquals(ModelStatus.MODEL_STATUS_PROMOTED, e.getStatus());
            // the event names the exported ONNX model's manifest (what the labeler loads) and carries the ONNX file's hash
            Path exported = Path.of(java.net.URI.create(e.getUri()));
            Path onnxDir = rt.registry().versionDir("v000001").resolve(ModelRegistry.ONNX);
            assertEquals(onnxDir.resolve("model.json").toAbsolutePath(), exported.toAbsolutePath());
            var onnxManifest = new ObjectMapper().readValue(onnxDir.resolve("model.json").toFile(),
                    ai.seamstream.core.model.ModelManifest.class);
            assertEquals(m.onnx().sha256(), e.getSha256());
            assertEquals(onnxManifest.onnxSha256(), e.getSha256());
            assertEquals(m.checkpointId(), onnxManifest.id());
            assertTrue(java.nio.file.Files.isRegularFile(onnxDir.resolve(onnxManifest.onnxFile())));
            Path manifest = rt.registry().versionDir("v000001").resolve(ModelRegistry.MODEL_JSON);
            var onDisk = new ObjectMapper().readValue(manifest.toFile(), ModelManifest.class);
            assertEquals(firstSnapshot, onDisk.snapshotId());
            assertEquals(firstSnapshot, e.getProvenance().getTrainingSetSnapshot());
            assertEquals(5L, e.getProvenance().getSeed());
            assertEquals(Math.round(m.metrics().get("trainImages")), e.getProvenance().getTrainingImages());
            assertEquals(m.metrics().get("tagMap"), e.getMetricsMap().get("tagMap"));
            assertTrue(e.getProvenance().getConfig().contains("\"start\":\"SCRATCH\""), e.getProvenance().getConfig());
            assertEquals(1, rt.finishedJobs(JobState.SUCCEEDED));

            var again = rt.requestTraining(true);
            assertFalse(again.accepted());
            assertEquals(TrainerRuntime.Refusal.POLICY, again.refusal(), again.reason());
        }

        // Restart with the store lost and a gate that cannot be met.
        deleteTree(dir.resolve("store"));
        keys.put("seam.trainer.gate.min-tag-map", "1.01");
        TrainerSettings strict = ServiceFixtures.settings(keys);
        try (var producer = ServiceFixtures.producer(kafka.bootstrapServers());
             var rt = new TrainerRuntime(strict.trainer(), kafka.bootstrapServers(), null, Clock.systemUTC()).start()) {
            assertTrue(rt.materialiser().awaitMaterialised(Duration.ofSeconds(60)), "materialised");
            assertTrue(rt.materialiser().rebuilding(), "no kept positions: read from the beginning");
            assertEquals(28, rt.store().size());
            assertEquals(firstSnapshot, rt.store().snapshotId(), "the rebuilt set is the trained one");
            await("leadership after the restart", 60, () -> rt.guard().isLeader());
            var same = rt.requestTraining(true);
            assertFalse(same.accepted(), "same snapshot: no second job");
            assertEquals(TrainerRuntime.Refusal.POLICY, same.refusal());
            assertTrue(same.reason().contains("already"), same.reason());

            for (SyntheticSample s : more.all()) {
                ServiceFixtures.send(producer, strict.trainer().topics().labelled(), "new-" + s.id(),
                        ServiceFixtures.record(more, s, "new-" + s.id(), 1));
            }
            await("the 3 new images", 60, () -> rt.store().size() == 31);
            var sub = rt.requestTraining(true);
            assertTrue(sub.accepted(), sub.reason());
            var rec = rt.job(sub.jobId()).orElseThrow();
            await("job 2 to end", 180, () -> rec.finalProgress() != null || rec.error() != null);
            assertEquals(JobState.SUCCEEDED, rec.finalProgress().state(), rec.finalProgress().message() + " " + rec.error());
            assertEquals("v000002", rec.published().version());
            assertEquals(ai.seamstream.trainer.registry.ModelStatus.REJECTED, rec.published().status());
            assertEquals("v000001", rec.published().parentVersion());
            assertEquals("v000001", rt.registry().promotedVersion().orElseThrow(), "the promoted version stays");

            List<ModelEvent> ev = ServiceFixtures.events(kafka.bootstrapServers(), models, 4);
            assertEquals(List.of("v000002", "v000002"), List.of(ev.get(2).getModelVersion(), ev.get(3).getModelVersion()));
            assertEquals(ModelStatus.MODEL_STATUS_CANDIDATE, ev.get(2).getStatus());
            assertEquals(ModelStatus.MODEL_STATUS_REJECTED, ev.get(3).getStatus());
            assertTrue(ev.get(3).getReason().contains("floor 1.0100"), ev.get(3).getReason());
            assertEquals("v000001", ev.get(3).getProvenance().getParentModelVersion());
            assertNotNull(ev.get(3).getMetricsMap().get("current.tagMap"));
        }
    }

    static void deleteTree(Path d) throws java.io.IOException {
        if (!Files.exists(d)) {
            return;
        }
        try (var s = Files.walk(d)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
