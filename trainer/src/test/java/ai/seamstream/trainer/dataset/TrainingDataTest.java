package ai.seamstream.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.synth.SyntheticSample;
import ai.seamstream.trainer.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDataTest {
    @TempDir
    Path dir;

    @Test
    void aSnapshotBecomesATrainingSetAndAHoldOutWithBadImagesSkippedAndReported() throws Exception {
        SyntheticGenerator g = Fixtures.generator(7, 30);
        var split = new HoldOutSplit(0.25, "t");
        try (var store = TrainingSetStore.open(dir)) {
            Fixtures.fill(store, g, true);
            store.upsert(new LabelledImage("broken", "not an image".getBytes(StandardCharsets.UTF_8), List.of("cross"), 1, null));
            store.upsert(new LabelledImage("alien", Fixtures.labelled(g, g.sample(0), 1, false).image(), List.of("unicorn"), 1,
                    null));
            store.upsert(new LabelledImage("untagged", Fixtures.labelled(g, g.sample(1), 1, false).image(), List.of(), 1, null));
            var m = TrainingData.materialise(store.snapshot(), g.vocabulary(), split, "t");

            Map<String, String> skipped = m.skipped().stream().collect(Collectors.toMap(Snapshot.Skipped::imageId,
                    Snapshot.Skipped::reason));
            assertEquals(2, skipped.size(), skipped.toString());
            assertTrue(skipped.get("broken").contains("does not decode"), skipped.get("broken"));
            assertTrue(skipped.get("alien").contains("unicorn"), skipped.get("alien"));
            assertEquals(1, m.unlabelled());

            Map<String, SyntheticSample> byId = g.all().stream().collect(Collectors.toMap(SyntheticSample::id, s -> s));
            int expectHeld = (int) byId.keySet().stream().filter(split::isHoldOut).count();
            assertEquals(expectHeld, m.holdOut().size());
            assertEquals(30 - expectHeld, m.trainSize());
            assertTrue(expectHeld > 0 && expectHeld < 30);
            for (var ex : m.train().examples()) {
                SyntheticSample s = byId.get(ex.id());
                assertArrayEquals(s.image().rgb(), ex.image().rgb(), "PNG round trip is lossless");
                assertArrayEquals(s.labels(), ex.labels());
            }
            for (var h : m.holdOut()) {
                SyntheticSample s = byId.get(h.id());
                assertArrayEquals(s.mask().labels(), h.truth().labels());
                assertArrayEquals(s.labels(), h.labels());
            }
            assertEquals(store.snapshotId(), m.snapshotId());
        }
    }

    @Test
    void aMaskThatDoesNotFitItsImageIsSkipped() throws Exception {
        SyntheticGenerator g = Fixtures.generator(8, 1);
        SyntheticGenerator other = new SyntheticGenerator(ai.seamstream.core.synth.SyntheticConfig.defaults().withCount(1)
                .withSize(56, 56).withClasses(4));
        var li = Fixtures.labelled(g, g.sample(0), 1, false);
        byte[] wrongMask = ai.seamstream.core.mask.PaletteMaskCodec.encode(other.sample(0).mask());
        var snap = new Snapshot("x", List.of(new LabelledImage(li.imageId(), li.image(), li.classes(), 1, wrongMask)), List.of());
        var m = TrainingData.materialise(snap, g.vocabulary(), new HoldOutSplit(0.999999, ""), "t");
        assertEquals(0, m.holdOut().size());
        assertNull(m.train());
        assertTrue(m.skipped().get(0).reason().contains("mask is 56x56"), m.skipped().get(0).reason());
    }
}
