package ai.seamstream.trainer.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.metrics.ConfusionMatrix;
import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.synth.SyntheticSample;
import ai.seamstream.torch.infer.MultiScaleInference;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.trainer.Fixtures;
import ai.seamstream.trainer.dataset.TrainingData.HoldOutImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HoldOutEvaluatorTest {
    static final HoldOutEvaluator.Options OPTIONS = new HoldOutEvaluator.Options(
            MultiScaleInference.Options.reference().withBackground(0.26f), 0.5, 0.5);

    static List<HoldOutImage> holdOut(SyntheticGenerator g, int withMasks) {
        var out = new ArrayList<HoldOutImage>();
        int i = 0;
        for (SyntheticSample s : g.all()) {
            out.add(new HoldOutImage(s.id(), s.image(), s.labels(), i++ < withMasks ? s.mask() : null));
        }
        return out;
    }

    @Test
    void theSameCodeScoresAnyNetworkAndAgreesWithItself() {
        SyntheticGenerator g = Fixtures.generator(21, 6);
        var spec = Fixtures.tinySpec(g.vocabulary(), 1, 0.01);
        var data = holdOut(g, 4);
        try (NDManager m = NDManager.newBaseManager(); SeamNetwork a = new SeamNetwork(spec.net(), m, 1);
             SeamNetwork b = new SeamNetwork(spec.net(), m, 2)) {
            var ea = HoldOutEvaluator.evaluate(a, data, OPTIONS);
            var again = HoldOutEvaluator.evaluate(a, data, OPTIONS);
            assertEquals(ea.report(), again.report(), "deterministic");
            EvaluationReport r = ea.report();
            assertEquals(6, r.images());
            assertEquals(4, r.imagesWithMasks());

            // mIoU: the pseudo-masks of the first 4 images against their masks, recomputed here.
            var cm = new ConfusionMatrix(g.vocabulary().size());
            var inf = new MultiScaleInference(a, OPTIONS.inference());
            for (int i = 0; i < 4; i++) {
                cm.add(inf.run(data.get(i).image(), data.get(i).labels()).mask(), data.get(i).truth());
            }
            assertEquals(cm.meanIou(), r.meanIou(), 1e-12);
            for (Double v : List.of(r.meanIou(), r.tagMap(), r.tagF1(), r.equivariance())) {
                assertNotNull(v);
                assertTrue(v >= 0 && v <= 1, r.toString());
            }
            assertEquals(1.0, HoldOutEvaluator.agreement(ea.masks(), again.masks(), g.vocabulary().size()), 1e-9);
            var eb = HoldOutEvaluator.evaluate(b, data, OPTIONS);
            double ab = HoldOutEvaluator.agreement(ea.masks(), eb.masks(), g.vocabulary().size());
            assertEquals(ab, HoldOutEvaluator.agreement(eb.masks(), ea.masks(), g.vocabulary().size()), 1e-12, "symmetric");
            assertTrue(ab < 1.0, "two differently initialised networks disagree somewhere: " + ab);
        }
    }

    @Test
    void withoutMasksMiouIsNotMeasured() {
        SyntheticGenerator g = Fixtures.generator(22, 3);
        var spec = Fixtures.tinySpec(g.vocabulary(), 1, 0.01);
        try (NDManager m = NDManager.newBaseManager(); SeamNetwork a = new SeamNetwork(spec.net(), m, 1)) {
            EvaluationReport r = HoldOutEvaluator.evaluate(a, holdOut(g, 0), OPTIONS).report();
            assertNull(r.meanIou());
            assertEquals(0, r.imagesWithMasks());
            assertTrue(!r.figures().containsKey("meanIou"));
            assertThrows(IllegalArgumentException.class, () -> HoldOutEvaluator.evaluate(a, List.of(), OPTIONS));
        }
    }

    @Test
    void badOptionsAreRefused() {
        var inf = MultiScaleInference.Options.reference();
        assertThrows(IllegalArgumentException.class, () -> new HoldOutEvaluator.Options(inf, 1.0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new HoldOutEvaluator.Options(inf, 0.5, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new HoldOutEvaluator.Options(inf, 0, 0.5));
    }
}
