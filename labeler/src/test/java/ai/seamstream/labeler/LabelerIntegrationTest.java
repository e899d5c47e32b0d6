package ai.seamstream.labeler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.mask.UncertaintyPng;
import ai.seamstream.devstack.EmbeddedKafka;
import ai.seamstream.devstack.KafkaBrokerExtension;
import ai.seamstream.schemas.v1.DeadLetter;
import ai.seamstream.schemas.v1.Mask;
import ai.seamstream.schemas.v1.ModelStatus;
import ai.seamstream.schemas.v1.TagOrigin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The labeler on the embedded broker with real exported models. */
@ExtendWith(KafkaBrokerExtension.class)
class LabelerIntegrationTest {
    static Path v1;
    static Path v2;
    @TempDir
    Path cache;
    @TempDir
    Path scratch;

    @BeforeAll
    static void models() throws Exception {
        v1 = TestModels.model(1);
        v2 = TestModels.model(2);
    }

    private static Map<String, List<Mask>> byImage(List<Mask> masks) {
        return masks.stream().collect(Collectors.groupingBy(Mask::getImageId));
    }

    @Test
    void masksForAStreamOfImagesOnlyOnceAModelServesAndBadInputGoesToDeadLetters(EmbeddedKafka kafka) throws Exception {
        var t = Streams.topics(kafka, "t1.", 3);
        var cfg = Streams.config(kafka, t, "g1", "a", 4, Duration.ofMillis(100), LabelerConfig.Review.defaults(), cache);
        var registry = new SimpleMeterRegistry();
        try (var producer = Streams.producer(kafka); var labeler = new Labeler(cfg, registry).start()) {
            int n = 10;
            for (int i = 0; i < n; i++) {
                List<String> tags = i % 3 == 0 ? List.of() : i % 3 == 1 ? List.of("cat") : List.of("dog", "bird");
                Streams.send(producer, t.labelled(), "img-" + i, Streams.labelled("img-" + i, Streams.image(i, 24 + i, 20, true), tags));
            }
            Streams.send(producer, t.labelled(), "broken", Streams.labelled("broken", new byte[] {1, 2, 3, 4}, List.of("cat"), 1));
            Streams.send(producer, t.labelled(), "zebra", Streams.labelled("zebra", Streams.image(99, 16, 16, true), List.of("zebra")));
            producer.flush();
            // no model yet: not ready, not consuming, no masks
            Thread.sleep(1500);
            assertFalse(labeler.ready());
            assertFalse(labeler.worker().consuming());
            assertTrue(Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofMillis(500), l -> false).isEmpty());

            Streams.promote(producer, t, "v1", v1, TestModels.sha(v1));
            var masks = Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(60), l -> l.size() >= n);
            var dead = Streams.readUntil(kafka, t.deadLetter(), DeadLetter.parser(), Duration.ofSeconds(20), l -> l.size() >= 2);
            assertTrue(labeler.ready());
            assertEquals(n, masks.size());
            assertEquals(n, byImage(masks).size());
            for (Mask m : masks) {
                int i = Integer.parseInt(m.getImageId().substring(4));
                assertEquals("v1", m.getModelVersion());
                assertEquals(24 + i, m.getWidth());
                assertEquals(20, m.getHeight());
                var lm = PaletteMaskCodec.decode(m.getMaskPng().toByteArray(), m.getImageId());
                assertEquals(24 + i, lm.width());
                assertEquals(m.getWidth() * m.getHeight(), UncertaintyPng.decode(m.getUncertaintyPng().toByteArray(), "u").length);
                assertEquals(3, m.getClassesCount());
                double area = 0;
                long[] counts = new long[4];
                for (byte b : lm.labels()) {
                    counts[b & 0xff]++;
                }
                for (var c : m.getClassesList()) {
                    assertEquals(TestModels.CLASSES.get(c.getIndex()), c.getName());
                    assertEquals((double) counts[c.getIndex()] / (m.getWidth() * m.getHeight()), c.getArea(), 1e-12);
                    assertTrue(c.getScore() >= 0 && c.getScore() <= 1);
                    area += c.getArea();
                }
                assertTrue(area <= 1.0 + 1e-9);
                if (i % 3 == 0) {
                    assertEquals(TagOrigin.TAG_ORIGIN_PREDICTED, m.getTagOrigin());
                    assertEquals(0, m.getLabelVersion());
                } else {
                    assertEquals(TagOrigin.TAG_ORIGIN_GIVEN, m.getTagOrigin());
                    assertEquals(1, m.getLabelVersion());
                    assertEquals(i % 3 == 1 ? List.of("cat") : List.of("dog", "bird"), m.getTagsUsedList());
                    // pixels only of the given classes or background
                    for (byte b : lm.labels()) {
                        int v = b & 0xff;
                        assertTrue(v == 0 || m.getTagsUsedList().contains(TestModels.CLASSES.get(v)), "label " + v);
                    }
                }
                assertEquals(t.labelled(), m.getLineage().getSourceTopic());
                assertEquals(TestModels.sha(v1), m.getLineage().getModelSha256());
                assertEquals("a", m.getLineage().getProducer());
                assertTrue(m.getLatency().getBatchSize() >= 1 && m.getLatency().getBatchSize() <= 4);
            }
            assertEquals(2, dead.size());
            Map<String, String> codes = new HashMap<>();
            for (var d : dead) {
                codes.put(d.getOriginalKey().toStringUtf8(), d.getErrorCode());
                assertEquals(t.labelled(), d.getSourceTopic());
            }
            assertEquals(Map.of("broken", "not-an-image", "zebra", "unknown-class"), codes);
            assertEquals(n, registry.get("seam.labeler.masks").counter().count());
            assertEquals(1, registry.get("seam.labeler.deadletters").tag("code", "unknown-class").counter().count());
            assertEquals(1.0, registry.get("seam.labeler.model.info").tag("version", "v1").gauge().value());
        }
    }

    @Test
    void aModelPromotedMidStreamIsPickedUpWithoutLosingOrDuplicatingAMask(EmbeddedKafka kafka) throws Exception {
        var t = Streams.topics(kafka, "t2.", 3);
        var cfg = Streams.config(kafka, t, "g2", "a", 3, Duration.ofMillis(50), LabelerConfig.Review.defaults(), cache);
        int n = 40;
        try (var producer = Streams.producer(kafka); var labeler = new Labeler(cfg, new SimpleMeterRegistry()).start()) {
            Streams.promote(producer, t, "v1", v1, TestModels.sha(v1));
            Streams.waitFor(Duration.ofSeconds(60), labeler::ready, "v1");
            Thread producing = new Thread(() -> {
                for (int i = 0; i < n; i++) {
                    Streams.send(producer, t.labelled(), "img-" + i, Streams.labelled("img-" + i, Streams.image(i, 24, 24, true), List.of("cat")));
                    producer.flush();
                    try {
                        Thread.sleep(60);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            producing.start();
            Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(60), l -> l.size() >= 8);
            Streams.promote(producer, t, "v2", v2, TestModels.sha(v2));
            producing.join();
            var masks = Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(90), l -> l.size() >= n);
            Thread.sleep(500);
            masks = Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(5), l -> false);
            var per = byImage(masks);
            assertEquals(n, per.size());
            for (var e : per.entrySet()) {
                assertEquals(1, e.getValue().size(), "masks of " + e.getKey());
            }
            Set<String> versions = masks.stream().map(Mask::getModelVersion).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(Set.of("v1", "v2"), versions);
            assertEquals("v2", labeler.models().servingVersion());
            // per partition, once v2 made a mask, v1 makes no more (the swap is at a batch boundary)
            Map<Integer, List<Mask>> byPartition = masks.stream().collect(Collectors.groupingBy(m -> m.getLineage().getSourcePartition()));
            for (var l : byPartition.values()) {
                l.sort((a, b) -> Long.compare(a.getLineage().getSourceOffset(), b.getLineage().getSourceOffset()));
                boolean seenV2 = false;
                for (Mask m : l) {
                    seenV2 |= m.getModelVersion().equals("v2");
                    assertFalse(seenV2 && m.getModelVersion().equals("v1"));
                }
            }
            // a rollback of v2 brings v1 back
            Streams.event(producer, t, "v2", ModelStatus.MODEL_STATUS_ROLLED_BACK);
            // the swap happens at the first batch boundary after the watcher handed v1 over: wait for the hand-over (an
            // image sent at once could be in a batch that v2 still serves, which is correct but not what this checks)
            Streams.waitFor(Duration.ofSeconds(60), () -> "v1".equals(labeler.models().nextVersion()), "rollback to v1");
            Streams.send(producer, t.labelled(), "after", Streams.labelled("after", Streams.image(7, 24, 24, true), List.of()));
            producer.flush();
            var after = Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(60),
                    l -> l.stream().anyMatch(m -> m.getImageId().equals("after")));
            assertEquals("v1", after.stream().filter(m -> m.getImageId().equals("after")).findFirst().orElseThrow().getModelVersion());
        }
    }

    @Test
    void aCorruptModelIsRefusedWhileTheOldOneKeepsServing(EmbeddedKafka kafka) throws Exception {
        var t = Streams.topics(kafka, "t3.", 2);
        var cfg = Streams.config(kafka, t, "g3", "a", 4, Duration.ofMillis(50), LabelerConfig.Review.defaults(), cache);
        Path bad = Files.createDirectory(scratch.resolve("corrupt"));
        for (String f : List.of("model.json", "model.onnx")) {
            Files.copy(v2.resolve(f), bad.resolve(f));
        }
        byte[] b = Files.readAllBytes(bad.resolve("model.onnx"));
        b[b.length / 2] ^= 0x10;
        Files.write(bad.resolve("model.onnx"), b);
        var registry = new SimpleMeterRegistry();
        try (var producer = Streams.producer(kafka); var labeler = new Labeler(cfg, registry).start()) {
            Streams.promote(producer, t, "v1", v1, TestModels.sha(v1));
            Streams.waitFor(Duration.ofSeconds(60), labeler::ready, "v1");
            Streams.promote(producer, t, "v2", bad, TestModels.sha(v2));
            Streams.waitFor(Duration.ofSeconds(60), () -> labeler.models().lastFailure() != null, "the refusal");
            var f = labeler.models().lastFailure();
            assertEquals("v2", f.version());
            assertEquals("verify", f.step());
            assertTrue(f.message().contains("SHA-256"), f.message());
            assertEquals(1, registry.get("seam.labeler.model.failures").tag("step", "verify").counter().count());
            for (int i = 0; i < 6; i++) {
                Streams.send(producer, t.labelled(), "img-" + i, Streams.labelled("img-" + i, Streams.image(i, 20, 20, true), List.of("dog")));
            }
            producer.flush();
            var masks = Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(60), l -> l.size() >= 6);
            assertEquals(6, masks.size());
            assertTrue(masks.stream().allMatch(m -> m.getModelVersion().equals("v1")));
            assertTrue(labeler.ready());
            assertEquals("v1", labeler.models().servingVersion());
        }
    }

    @Test
    void reviewRequestsRespectTheBudgetAndRankUncertainImagesFirst(EmbeddedKafka kafka) throws Exception {
        var t = Streams.topics(kafka, "t4.", 1);
        var review = new LabelerConfig.Review(3, Duration.ofHours(1), 0.0, 1.0, 1.0, 0.5);
        var cfg = Streams.config(kafka, t, "g4", "a", 16, Duration.ofSeconds(1), review, cache);
        try (var producer = Streams.producer(kafka); var labeler = new Labeler(cfg, new SimpleMeterRegistry()).start()) {
            // queued before the model exists, so one batch sees them all
            for (int i = 0; i < 9; i++) {
                boolean noisy = i % 3 == 0;
                Streams.send(producer, t.labelled(), "img-" + i, Streams.labelled("img-" + i, Streams.image(i, 32, 32, noisy), List.of("cat")));
            }
            producer.flush();
            Streams.promote(producer, t, "v1", v1, TestModels.sha(v1));
            var masks = Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(60), l -> l.size() >= 9);
            assertEquals(9, masks.size());
            var reviews = Streams.readUntil(kafka, t.review(), ai.seamstream.schemas.v1.ReviewRequest.parser(),
                    Duration.ofSeconds(5), l -> false);
            for (var m : masks) {
                var u = UncertaintyPng.decode(m.getUncertaintyPng().toByteArray(), "u");
                double frac = 0;
                for (float v : u) {
                    frac += v > 0.5 ? 1 : 0;
                }
                System.out.printf("%s uncertain %.3f scores %s%n", m.getImageId(), frac / u.length,
                        m.getClassesList().stream().map(c -> String.format("%.3f", c.getScore())).toList());
            }
            reviews.forEach(r -> System.out.println("review " + r.getImageId() + " " + r.getScore() + " " + r.getReason() + " " + r.getDetail()));
            assertEquals(3, reviews.size());
            assertEquals(Set.of("img-0", "img-3", "img-6"), reviews.stream().map(r -> r.getImageId()).collect(Collectors.toSet()));
            for (var r : reviews) {
                assertEquals("v1", r.getModelVersion());
                assertNotNull(r.getDetail());
                assertFalse(r.getSuggestedTagsList().isEmpty());
            }
            // the budget is spent for this window: more images, no more requests
            for (int i = 9; i < 12; i++) {
                Streams.send(producer, t.labelled(), "img-" + i, Streams.labelled("img-" + i, Streams.image(i, 32, 32, true), List.of("cat")));
            }
            producer.flush();
            Streams.readUntil(kafka, t.masks(), Mask.parser(), Duration.ofSeconds(60), l -> l.size() >= 12);
            assertEquals(3, Streams.readUntil(kafka, t.review(), ai.seamstream.schemas.v1.ReviewRequest.parser(),
                    Duration.ofSeconds(3), l -> false).size());
        }
    }
}
