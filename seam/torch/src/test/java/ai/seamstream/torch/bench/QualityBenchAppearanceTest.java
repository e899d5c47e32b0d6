package ai.seamstream.torch.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.synth.SyntheticSample;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.net.WeightsIo;
import ai.seamstream.torch.train.TrainingSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quality bench's appearance pre-training: its tags, and the checkpoint cut down to the bench's classes. */
class QualityBenchAppearanceTest {

    @Test
    void appearanceSetTagsMarkingsThenHueBins() {
        SyntheticConfig cfg = SyntheticConfig.defaults().withCount(30).withSize(64, 64).withSeed(1_000_007);
        TrainingSet set = QualityBench.appearanceSet(cfg, 4);
        var generator = new SyntheticGenerator(cfg);
        var names = new ArrayList<>(generator.vocabulary().names());
        names.addAll(List.of("hue-000", "hue-090", "hue-180", "hue-270"));
        assertEquals(names, set.classes().names());
        assertEquals(30, set.size());
        int hueTags = 0;
        for (int i = 0; i < 30; i++) {
            SyntheticSample s = generator.sample(i);
            TrainingSet.Example e = set.examples().get(i);
            assertEquals(s.id(), e.id());
            assertArrayEquals(s.image().rgb(), e.image().rgb());
            int c = s.labels().length;
            assertArrayEquals(s.labels(), Arrays.copyOf(e.labels(), c), s.id() + " marking tags come first");
            boolean[] hues = Arrays.copyOfRange(e.labels(), c, c + 4);
            for (int b = 0; b < 4; b++) {
                boolean expected = false;
                for (double h : s.objectHues()) {
                    expected |= h >= 90 * b && h < 90 * (b + 1);
                }
                assertEquals(expected, hues[b], s.id() + " hue bin " + b);
                hueTags += hues[b] ? 1 : 0;
            }
        }
        assertTrue(hueTags >= 30, "every image has at least one body: " + hueTags);
    }

    @Test
    void keepClassesCutsFc8ToTheLeadingRowsAndKeepsEverythingElse(@TempDir Path dir) throws Exception {
        var full = ClassVocabulary.of(List.of("background", "a", "b", "c", "hue-000", "hue-180"));
        var kept = ClassVocabulary.of(List.of("background", "a", "b", "c"));
        var config = new NetConfig(BackboneConfig.small(0.0625, 1), full.size(), NetConfig.Method.CAM,
                NetConfig.BatchNormMode.TRAIN, false, 4096);
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NamedTensor> before;
            try (SeamNetwork net = new SeamNetwork(config, manager, 11)) {
                before = WeightsIo.export(net.params());
                Checkpoint.save(dir.resolve("full"), net, new CheckpointManifest(CheckpointManifest.FORMAT, "full", full.names(),
                        CheckpointManifest.NetworkSpec.of(config), null, null, null, Map.of(), null, null, null, null, null, null));
            }
            QualityBench.keepClasses(dir.resolve("full"), dir.resolve("kept"), kept, manager);
            try (Checkpoint.Loaded loaded = Checkpoint.load(dir.resolve("kept"), manager)) {
                assertEquals(kept.names(), loaded.manifest().classes());
                assertEquals(kept.size(), loaded.network().config().classes());
                assertEquals("full", loaded.manifest().parent());
                List<NamedTensor> after = WeightsIo.export(loaded.network().params());
                assertEquals(before.size(), after.size());
                for (int i = 0; i < before.size(); i++) {
                    NamedTensor b = before.get(i);
                    NamedTensor a = after.get(i);
                    assertEquals(b.name(), a.name());
                    if (b.name().equals("fc8.weight")) {
                        assertEquals(6, b.shape()[0]);
                        assertEquals(4, a.shape()[0]);
                        int row = b.data().length / 6;
                        assertArrayEquals(Arrays.copyOf(b.data(), 4 * row), a.data(), 0f, "fc8's first four rows");
                    } else {
                        assertArrayEquals(b.shape(), a.shape(), b.name());
                        assertArrayEquals(b.data(), a.data(), 0f, b.name());
                    }
                }
            }
            var other = ClassVocabulary.of(List.of("background", "b", "a"));
            var e = assertThrows(IllegalArgumentException.class,
                    () -> QualityBench.keepClasses(dir.resolve("full"), dir.resolve("other"), other, manager));
            assertTrue(e.getMessage().contains("do not start with"), e.getMessage());
        }
    }
}
