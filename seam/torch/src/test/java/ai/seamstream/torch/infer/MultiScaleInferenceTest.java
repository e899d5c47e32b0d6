package ai.seamstream.torch.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.torch.infer.MultiScaleInference.MapSource;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Several map sources from one pipeline run give exactly what a run per source gives. */
class MultiScaleInferenceTest {

    private static RgbImage noise(int w, int h, long seed) {
        var rng = new SplittableRandom(seed);
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) rng.nextInt(256);
        }
        return new RgbImage(w, h, rgb);
    }

    private static void assertSame(PseudoMaskResult expected, PseudoMaskResult actual) {
        assertArrayEquals(expected.normalized().data(), actual.normalized().data());
        assertArrayEquals(expected.classProbabilities(), actual.classProbabilities());
        assertArrayEquals(expected.tags(), actual.tags());
        assertArrayEquals(expected.mask().labels(), actual.mask().labels());
        assertArrayEquals(expected.uncertainty(), actual.uncertainty());
    }

    @Test
    void theRevisedCamAndTheOwnCamFromOneRunMatchSeparateRuns() {
        try (NDManager manager = NDManager.newBaseManager()) {
            var cfg = new NetConfig(BackboneConfig.small(0.0625, 1), 4, NetConfig.Method.SEAM,
                    NetConfig.BatchNormMode.TRAIN, false, 4096);
            try (SeamNetwork net = new SeamNetwork(cfg, manager, 7)) {
                RgbImage image = noise(37, 29, 3); // odd sizes: every scale resamples
                boolean[] labels = {true, false, true};
                var reference = MultiScaleInference.Options.reference();
                PseudoMaskResult rv = new MultiScaleInference(net, reference).run(image, labels);
                PseudoMaskResult cam = new MultiScaleInference(net, reference.withSource(MapSource.CAM)).run(image, labels);
                assertFalse(java.util.Arrays.equals(rv.normalized().data(), cam.normalized().data()),
                        "cam_rv and the CAM should differ, or the test shows nothing");

                List<PseudoMaskResult> both = new MultiScaleInference(net, reference)
                        .run(image, labels, List.of(MapSource.AUTO, MapSource.CAM));
                assertEquals(2, both.size());
                assertSame(rv, both.get(0));
                assertSame(cam, both.get(1));
                // Predicted tags (no labels) come from the same scores for each source.
                List<PseudoMaskResult> predicted = new MultiScaleInference(net, reference.withPairMirror(false))
                        .run(image, null, List.of(MapSource.CAM, MapSource.AUTO));
                assertSame(new MultiScaleInference(net, reference.withPairMirror(false).withSource(MapSource.CAM))
                        .run(image, null), predicted.get(0));
                assertSame(new MultiScaleInference(net, reference.withPairMirror(false)).run(image, null), predicted.get(1));
                assertThrows(IllegalArgumentException.class,
                        () -> new MultiScaleInference(net, reference).run(image, labels, List.of()));
            }
        }
    }
}
