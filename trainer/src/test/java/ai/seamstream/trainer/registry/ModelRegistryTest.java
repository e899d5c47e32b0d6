package ai.seamstream.trainer.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    @TempDir
    static Path shared;
    static Path checkpoint;
    @TempDir
    Path dir;

    /** A real (tiny, untrained) checkpoint to register. */
    @BeforeAll
    static void checkpoint() throws Exception {
        checkpoint = shared.resolve("ck");
        var cfg = new NetConfig(BackboneConfig.small(0.0625, 1), 3, NetConfig.Method.SEAM, NetConfig.BatchNormMode.TRAIN, false, 4096);
        try (NDManager m = NDManager.newBaseManager(); SeamNetwork net = new SeamNetwork(cfg, m, 1)) {
            var manifest = new CheckpointManifest(CheckpointManifest.FORMAT, "ck-1", List.of("background", "a", "b"),
                    CheckpointManifest.NetworkSpec.of(cfg), null, null, null, Map.of(), null, "2026-01-01T00:00:00Z", "dev",
                    null, null, null);
            Checkpoint.save(checkpoint, net, manifest);
        }
    }

    static ModelRegistry.Publication pub(ModelStatus status, String parent) {
        return new ModelRegistry.Publication(checkpoint, parent, "snap", Map.of("steps", 5), 7L, "1.0-test",
                Map.of("tagMap", 0.5), status, "because");
    }

    @Test
    void aPublishedVersionHoldsCheckpointAndProvenance() throws Exception {
        var reg = ModelRegistry.open(dir, 5, null);
        ModelManifest m = reg.publish(pub(ModelStatus.PROMOTED, null));
        assertEquals("v000001", m.version());
        assertEquals("v000001", reg.promotedVersion().orElseThrow());
        ModelManifest read = reg.manifest("v000001").orElseThrow();
        assertEquals(m, read);
        assertEquals("snap", read.snapshotId());
        assertEquals(7L, read.seed());
        assertEquals("1.0-test", read.codeVersion());
        assertEquals(0.5, read.metrics().get("tagMap"));
        assertEquals(5, read.configuration().get("steps"));
        assertEquals("ck-1", read.checkpointId());
        assertNull(read.onnx(), "no exporter: the slot stays empty, nothing is faked");
        assertFalse(Files.exists(reg.versionDir("v000001").resolve(ModelRegistry.ONNX)));
        assertEquals(Checkpoint.sha256(checkpoint.resolve(Checkpoint.WEIGHTS)), read.weightsSha256());
        try (NDManager mm = NDManager.newBaseManager(); var loaded = Checkpoint.load(reg.checkpoint("v000001"), mm)) {
            assertEquals("ck-1", loaded.manifest().id());
        }
        URI uri = reg.uri("v000001");
        assertEquals("file", uri.getScheme());
        assertEquals(reg.versionDir("v000001").toAbsolutePath().normalize(), reg.resolve(uri));
        assertThrows(IllegalArgumentException.class, () -> reg.resolve(URI.create("http://example.invalid/v1")));
        assertThrows(IllegalArgumentException.class, () -> reg.resolve(dir.getParent().toUri()));
        assertThrows(IllegalArgumentException.class, () -> reg.versionDir("../x"));
    }

    @Test
    void rejectedVersionsLeaveThePromotedOneInPlace() throws Exception {
        var reg = ModelRegistry.open(dir, 5, null);
        reg.publish(pub(ModelStatus.PROMOTED, null));
        ModelManifest r = reg.publish(pub(ModelStatus.REJECTED, "v000001"));
        assertEquals("v000002", r.version());
        assertEquals(ModelStatus.REJECTED, r.status());
        assertEquals("v000001", reg.promotedVersion().orElseThrow());
        assertEquals("v000001", r.parentVersion());
    }

    @Test
    void aCandidateIsConcludedOnceWithTheGatesFigures() throws Exception {
        var reg = ModelRegistry.open(dir, 5, null);
        reg.publish(pub(ModelStatus.PROMOTED, null));
        ModelManifest c = reg.publish(pub(ModelStatus.CANDIDATE, "v000001"));
        assertEquals(List.of(c), reg.candidates());
        assertEquals("v000001", reg.promotedVersion().orElseThrow(), "a candidate does not move the pointer");
        ModelManifest p = reg.conclude("v000002", true, Map.of("meanIou", 0.5), "not worse");
        assertEquals(ModelStatus.PROMOTED, p.status());
        assertEquals("not worse", p.reason());
        assertEquals(0.5, p.metrics().get("meanIou"));
        assertTrue(p.metrics().keySet().containsAll(c.metrics().keySet()), "training figures kept: " + p.metrics());
        assertEquals(List.of(ModelStatus.CANDIDATE, ModelStatus.PROMOTED), p.history().stream().map(ModelManifest.Event::status).toList());
        assertEquals("v000002", reg.promotedVersion().orElseThrow());
        assertEquals(p, reg.manifest("v000002").orElseThrow());
        assertTrue(reg.candidates().isEmpty());
        assertThrows(IllegalStateException.class, () -> reg.conclude("v000002", false, Map.of(), "again"));
        assertThrows(IllegalArgumentException.class, () -> reg.conclude("v000009", false, Map.of(), "none"));

        reg.publish(pub(ModelStatus.CANDIDATE, "v000002"));
        ModelManifest r = reg.conclude("v000003", false, Map.of(), "worse");
        assertEquals(ModelStatus.REJECTED, r.status());
        assertEquals("v000002", reg.promotedVersion().orElseThrow(), "a rejection leaves the pointer");
    }

    @Test
    void rollbackRestoresAnEarlierVersionAndMarksTheReplacedOne() throws Exception {
        var reg = ModelRegistry.open(dir, 5, null);
        reg.publish(pub(ModelStatus.PROMOTED, null));
        reg.publish(pub(ModelStatus.PROMOTED, "v000001"));
        reg.publish(pub(ModelStatus.REJECTED, "v000002"));
        assertEquals("v000002", reg.promotedVersion().orElseThrow());
        ModelManifest back = reg.rollback("v000001");
        assertEquals(ModelStatus.PROMOTED, back.status());
        assertEquals("v000001", reg.promotedVersion().orElseThrow());
        ModelManifest replaced = reg.manifest("v000002").orElseThrow();
        assertEquals(ModelStatus.ROLLED_BACK, replaced.status());
        assertEquals(List.of(ModelStatus.PROMOTED, ModelStatus.ROLLED_BACK),
                replaced.history().stream().map(ModelManifest.Event::status).toList());
        var e = assertThrows(IllegalArgumentException.class, () -> reg.rollback("v000003"));
        assertTrue(e.getMessage().contains("REJECTED"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> reg.rollback("v000001"));
        assertThrows(IllegalArgumentException.class, () -> reg.rollback("v000009"));
        // A restarted registry sees the same state.
        var again = ModelRegistry.open(dir, 5, null);
        assertEquals("v000001", again.promotedVersion().orElseThrow());
        assertEquals(3, again.versions().size());
    }

    @Test
    void retentionKeepsTheLastKAndNeverThePromotedOne() throws Exception {
        var reg = ModelRegistry.open(dir, 2, null);
        reg.publish(pub(ModelStatus.PROMOTED, null));           // v1, stays promoted
        for (int i = 0; i < 4; i++) {
            reg.publish(pub(ModelStatus.REJECTED, "v000001"));  // v2..v5
        }
        assertEquals(List.of("v000001", "v000005"), reg.versions().stream().map(ModelManifest::version).toList());
        reg.publish(pub(ModelStatus.PROMOTED, "v000001"));      // v6 promoted: v1 may go now
        assertEquals(List.of("v000005", "v000006"), reg.versions().stream().map(ModelManifest::version).toList());
        var one = ModelRegistry.open(dir, 1, null);
        one.publish(pub(ModelStatus.REJECTED, "v000006"));      // v7: the promoted and the newest stay
        assertEquals(List.of("v000006", "v000007"), one.versions().stream().map(ModelManifest::version).toList());
        one.publish(pub(ModelStatus.REJECTED, "v000006"));
        assertEquals("v000008", one.versions().get(1).version(), "numbers never repeat");
        assertThrows(IllegalArgumentException.class, () -> ModelRegistry.open(dir, 0, null));
    }

    @Test
    void aFailedPublicationLeavesNothingVisible() throws Exception {
        ModelExporter failing = (ck, slot) -> {
            Files.writeString(slot.resolve("partial"), "half an export");
            throw new IOException("exporter crashed");
        };
        var reg = ModelRegistry.open(dir, 5, failing);
        var e = assertThrows(IOException.class, () -> reg.publish(pub(ModelStatus.PROMOTED, null)));
        assertEquals("exporter crashed", e.getMessage());
        assertTrue(reg.versions().isEmpty());
        assertTrue(reg.promotedVersion().isEmpty());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(ModelRegistry.VERSIONS), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void stagingLeftByACrashIsRemovedOnOpen() throws Exception {
        ModelRegistry.open(dir, 5, null).publish(pub(ModelStatus.PROMOTED, null));
        Path staging = dir.resolve(".staging-crashed");
        Files.createDirectories(staging.resolve("checkpoint"));
        Files.writeString(staging.resolve("model.json"), "{");
        var reg = ModelRegistry.open(dir, 5, null);
        assertFalse(Files.exists(staging));
        assertEquals(1, reg.versions().size());
    }

    @Test
    void anExporterFillsTheSlotAtPublicationOrLater() throws Exception {
        // A stand-in exporter that writes a real file of another format (a copy of the weights), to test the slot's
        // mechanics without pretending to write ONNX: the ONNX exporter comes with the ONNX issue.
        ModelExporter copy = (ck, slot) -> {
            Path f = Files.copy(ck.resolve(Checkpoint.WEIGHTS), slot.resolve("weights-copy.safetensors"));
            return new ExportInfo(f.getFileName().toString(), Checkpoint.sha256(f), "copy-test/1", Map.of("kind", "copy"));
        };
        var withExporter = ModelRegistry.open(dir, 5, copy);
        ModelManifest m = withExporter.publish(pub(ModelStatus.PROMOTED, null));
        assertEquals("weights-copy.safetensors", m.onnx().file());
        Path exported = withExporter.versionDir(m.version()).resolve(ModelRegistry.ONNX).resolve(m.onnx().file());
        assertEquals(Checkpoint.sha256(exported), m.onnx().sha256());

        var without = ModelRegistry.open(dir, 5, null);
        ModelManifest later = without.publish(pub(ModelStatus.CANDIDATE, "v000001"));
        assertNull(later.onnx());
        ModelManifest filled = without.attachExport(later.version(), copy);
        assertEquals("copy-test/1", filled.onnx().exporter());
        assertEquals(filled, without.manifest(later.version()).orElseThrow());
        assertThrows(IllegalStateException.class, () -> without.attachExport(later.version(), copy));
        ModelManifest promoted = without.promote(later.version(), "by hand");
        assertEquals(ModelStatus.PROMOTED, promoted.status());
        assertEquals(later.version(), without.promotedVersion().orElseThrow());
    }
}
