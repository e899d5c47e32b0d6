package ai.seamstream.labeler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.mask.UncertaintyPng;
import ai.seamstream.core.onnx.OnnxAffinityModel;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxPseudoMasks;
import ai.seamstream.core.onnx.OnnxSession;
import ai.seamstream.core.refine.MaskRefiner;
import ai.seamstream.labeler.model.ModelLoader;
import ai.seamstream.labeler.model.ModelManager;
import ai.seamstream.labeler.model.ServingModel;
import ai.seamstream.labeler.review.DefaultReviewStrategy;
import ai.seamstream.labeler.work.BatchProcessor;
import ai.seamstream.schemas.v1.ModelEvent;
import ai.seamstream.schemas.v1.ModelStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seam.labeler.refine}: the emitted masks are the core refiner's output on the same pipeline results, the walk
 * uses the affinity network the model ships, a model without one is refused under rw while the old one keeps
 * serving, and a bad setting fails at start.
 */
class RefineTest {
    static Path plain;
    static Path withAffinity;
    @TempDir
    Path cache;

    @BeforeAll
    static void models() throws Exception {
        plain = TestModels.model(1);
        withAffinity = TestModels.modelWithAffinity(3);
    }

    private static LabelerConfig config(Path cache, MaskRefiner.Options refine) {
        return new LabelerConfig("127.0.0.1:1", "g", "g-a", "a", LabelerConfig.Topics.catalog(),
                new LabelerConfig.Batching(8, Duration.ofMillis(10), 8), cache, 1, 24, 40_000_000L,
                LabelerConfig.Review.defaults(), Map.of(), false, 0, refine);
    }

    /** A blob on a gradient, so the CRF has a colour edge to move to. */
    private static RgbImage image(int w, int h, int seed) {
        var rnd = new java.util.Random(seed);
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean blob = (x - w / 2) * (x - w / 2) + (y - h / 2) * (y - h / 2) < w * h / 10;
                img.set(x, y, 0, blob ? 210 + rnd.nextInt(30) : (x * 200) / w);
                img.set(x, y, 1, blob ? 30 + rnd.nextInt(20) : 90 + rnd.nextInt(40));
                img.set(x, y, 2, blob ? 40 : (y * 255) / h);
            }
        }
        return img;
    }

    private record Case(String id, RgbImage image, List<String> tags) {
    }

    private static final List<Case> CASES = List.of(new Case("a", image(40, 32, 1), List.of("cat")),
            new Case("b", image(33, 27, 2), List.of("dog", "bird")), new Case("c", image(48, 40, 3), List.of()));

    private static List<ConsumerRecord<String, byte[]>> records() {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            out.add(new ConsumerRecord<>("labelled", 0, i, c.id, Streams.labelled(c.id, c.image, c.tags).toByteArray()));
        }
        return out;
    }

    private static boolean[] given(List<String> tags) {
        if (tags.isEmpty()) {
            return null;
        }
        boolean[] g = new boolean[TestModels.CLASSES.size() - 1];
        for (String t : tags) {
            g[TestModels.CLASSES.indexOf(t) - 1] = true;
        }
        return g;
    }

    /** The plain pipeline's results for the cases, in one run as the labeler's batch has them. */
    private static List<PseudoMaskResult> plainResults(OnnxModel model) throws Exception {
        var pipeline = new OnnxPseudoMasks(model, OnnxPseudoMasks.Options.of(model.manifest()).withMaxBatch(8));
        List<OnnxPseudoMasks.Request> requests = new ArrayList<>();
        for (Case c : CASES) {
            requests.add(new OnnxPseudoMasks.Request(c.image, given(c.tags)));
        }
        return pipeline.run(requests);
    }

    private BatchProcessor.Outcome process(Path model, MaskRefiner.Options refine) throws Exception {
        var cfg = config(cache, refine);
        var loader = new ModelLoader(cache, cfg.sessionSettings(), 8, 24, refine);
        try (ServingModel serving = loader.load("v1", model.toUri(), TestModels.sha(model))) {
            var processor = new BatchProcessor(cfg, new DefaultReviewStrategy(1, 1, 0.5), System::currentTimeMillis);
            return processor.process(records(), serving);
        }
    }

    @Test
    void crfMasksAreTheCoreRefinersOutputForTheSameMapsAndTheUncertaintyStaysTheCams() throws Exception {
        var refine = LabelerConfig.refinement("crf", 4, 10);
        var outcome = process(plain, refine);
        assertEquals(CASES.size(), outcome.masks().size(), "refused: " + outcome.refused());
        assertTrue(outcome.refineNanos() > 0);
        int changed = 0;
        try (OnnxModel model = OnnxModel.load(plain, OnnxSession.Settings.cpu(1))) {
            List<PseudoMaskResult> expected = plainResults(model);
            for (int i = 0; i < CASES.size(); i++) {
                Case c = CASES.get(i);
                var made = outcome.masks().get(i).mask();
                assertEquals(c.id, made.getImageId());
                PseudoMaskResult r = expected.get(i);
                LabelMask want = MaskRefiner.refine(c.image, r.normalized(), r.tags(), (MaskRefiner.AffinityFeatures) null, refine);
                LabelMask got = PaletteMaskCodec.decode(made.getMaskPng().toByteArray(), c.id);
                assertArrayEquals(want.labels(), got.labels(), c.id);
                assertArrayEquals(UncertaintyPng.encode(r.uncertainty(), c.image.width(), c.image.height()),
                        made.getUncertaintyPng().toByteArray(), c.id + ": the uncertainty is the CAM's");
                changed += java.util.Arrays.equals(want.labels(), r.mask().labels()) ? 0 : 1;
                assertTrue(made.getLatency().getRefineMs() >= 0);
            }
        }
        assertTrue(changed > 0, "the CRF changed no mask; the comparison would not tell refined from plain masks");
        // refinement off: the plain masks, no refinement time
        var off = process(plain, LabelerConfig.refinement("none", 4, 10));
        assertEquals(0, off.refineNanos());
        try (OnnxModel model = OnnxModel.load(plain, OnnxSession.Settings.cpu(1))) {
            List<PseudoMaskResult> expected = plainResults(model);
            for (int i = 0; i < CASES.size(); i++) {
                assertArrayEquals(expected.get(i).mask().labels(),
                        PaletteMaskCodec.decode(off.masks().get(i).mask().getMaskPng().toByteArray(), "x").labels());
                assertEquals(0, off.masks().get(i).mask().getLatency().getRefineMs());
            }
        }
    }

    @Test
    void theWalkRunsOnTheAffinityNetworkTheModelShips() throws Exception {
        var refine = LabelerConfig.refinement("rw+crf", 4, 10);
        var outcome = process(withAffinity, refine);
        assertEquals(CASES.size(), outcome.masks().size(), "refused: " + outcome.refused());
        assertTrue(Files.isRegularFile(cache.resolve("v1").resolve("affinity").resolve("affinity.onnx")), "fetched with the model");
        try (OnnxModel model = OnnxModel.load(withAffinity, OnnxSession.Settings.cpu(1));
             OnnxAffinityModel aff = OnnxAffinityModel.loadShipped(withAffinity, model.manifest(), OnnxSession.Settings.cpu(1))) {
            List<PseudoMaskResult> expected = plainResults(model);
            for (int i = 0; i < CASES.size(); i++) {
                Case c = CASES.get(i);
                PseudoMaskResult r = expected.get(i);
                LabelMask want = MaskRefiner.refineWith(c.image, r.normalized(), r.tags(), aff, refine);
                LabelMask got = PaletteMaskCodec.decode(outcome.masks().get(i).mask().getMaskPng().toByteArray(), c.id);
                assertArrayEquals(want.labels(), got.labels(), c.id);
            }
        }
    }

    @Test
    void underRwAModelWithoutAnAffinityNetworkIsRefusedAndTheOldOneKeepsServing() throws Exception {
        var refine = LabelerConfig.refinement("rw", 4, 10);
        var loader = new ModelLoader(cache, OnnxSession.Settings.cpu(1), 8, 24, refine);
        var e = assertThrows(ModelLoader.ModelLoadException.class, () -> loader.load("v9", plain.toUri(), TestModels.sha(plain)));
        assertEquals("load", e.step());
        assertTrue(e.getMessage().contains("seam.labeler.refine=rw") && e.getMessage().contains("ships no affinity network"),
                e.getMessage());

        try (var manager = new ModelManager(loader, new LabelerMetrics(new SimpleMeterRegistry()))) {
            manager.apply(event("v1", withAffinity));
            manager.reconcile();
            assertEquals("v1", manager.forBatch().version());
            manager.apply(event("v2", plain));
            manager.reconcile();
            assertEquals("v1", manager.forBatch().version(), "the old model keeps serving");
            assertEquals("v2", manager.lastFailure().version());
            assertEquals("load", manager.lastFailure().step());
            assertTrue(manager.lastFailure().message().contains("affinity"), manager.lastFailure().message());
        }
    }

    private static ModelEvent event(String version, Path dir) throws Exception {
        return ModelEvent.newBuilder().setModelVersion(version).setStatus(ModelStatus.MODEL_STATUS_PROMOTED)
                .setUri(dir.toUri().toString()).setSha256(TestModels.sha(dir)).setTimeMs(System.currentTimeMillis()).build();
    }

    @Test
    void refinementSettingsAreParsedWithSeamMethodDefaults() {
        var crf = LabelerConfig.refinement("crf", 4, 10);
        assertEquals(MaskRefiner.Mode.CRF, crf.mode());
        var ref = MaskRefiner.Options.reference(MaskRefiner.Mode.CRF);
        assertEquals(ref.crf(), crf.crf());
        assertEquals(ref.walk(), crf.walk());
        assertEquals(4.0, crf.crfAlpha());
        assertEquals(MaskRefiner.Mode.RW_CRF, LabelerConfig.refinement(" RW+CRF ", 4, 10).mode());
        assertEquals(3, LabelerConfig.refinement("crf", 4, 3).crf().iterations());
        var e = assertThrows(IllegalArgumentException.class, () -> LabelerConfig.refinement("dense", 4, 10));
        assertEquals("seam.labeler.refine must be none, crf, rw or rw+crf, got 'dense'", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LabelerConfig.refinement("crf", -1, 10)).getMessage()
                .contains("refine-crf-alpha"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LabelerConfig.refinement("crf", 4, 0)).getMessage()
                .contains("refine-crf-iterations"));
    }

    /** Settings as the service reads them: every key at its default unless given. */
    private static LabelerSettings settings(Map<String, Object> given) {
        java.lang.reflect.InvocationHandler h = new java.lang.reflect.InvocationHandler() {
            @Override
            public Object invoke(Object proxy, java.lang.reflect.Method m, Object[] args) {
                if (given.containsKey(m.getName())) {
                    return given.get(m.getName());
                }
                if (m.getReturnType().isInterface() && m.getReturnType().getName().startsWith(LabelerSettings.class.getName())) {
                    return Proxy.newProxyInstance(RefineTest.class.getClassLoader(), new Class<?>[] {m.getReturnType()}, this);
                }
                if (m.getReturnType() == Optional.class) {
                    return Optional.empty();
                }
                if (m.getReturnType() == Map.class) {
                    return Map.of();
                }
                var d = m.getAnnotation(io.smallrye.config.WithDefault.class);
                assertNotNull(d, "no default for " + m);
                String v = d.value();
                Class<?> t = m.getReturnType();
                if (t == int.class) {
                    return Integer.parseInt(v);
                }
                if (t == long.class) {
                    return Long.parseLong(v);
                }
                if (t == double.class) {
                    return Double.parseDouble(v);
                }
                if (t == boolean.class) {
                    return Boolean.parseBoolean(v);
                }
                if (t == Duration.class) {
                    return v.endsWith("ms") ? Duration.ofMillis(Long.parseLong(v.replace("ms", "")))
                            : Duration.ofMinutes(Long.parseLong(v.replace("m", "")));
                }
                return v;
            }
        };
        return (LabelerSettings) Proxy.newProxyInstance(RefineTest.class.getClassLoader(), new Class<?>[] {LabelerSettings.class}, h);
    }

    @Test
    void theServiceIsOffByDefaultAndRefusesAnUnknownModeAtStart() {
        var defaults = LabelerService.config(settings(Map.of("instance", Optional.of("t"))));
        assertEquals(MaskRefiner.Mode.NONE, defaults.refine().mode());
        var crf = LabelerService.config(settings(Map.of("instance", Optional.of("t"), "refine", "crf", "refineCrfIterations", 5)));
        assertEquals(MaskRefiner.Mode.CRF, crf.refine().mode());
        assertEquals(5, crf.refine().crf().iterations());
        var e = assertThrows(IllegalArgumentException.class,
                () -> LabelerService.config(settings(Map.of("instance", Optional.of("t"), "refine", "walk"))));
        assertTrue(e.getMessage().startsWith("seam.labeler.refine must be none, crf, rw or rw+crf"), e.getMessage());
    }
}
