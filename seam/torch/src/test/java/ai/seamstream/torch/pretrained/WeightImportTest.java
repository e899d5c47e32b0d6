package ai.seamstream.torch.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.SafeTensors;
import ai.seamstream.core.weights.DType;
import ai.seamstream.core.weights.WeightFile;
import ai.seamstream.core.weights.WeightFormat;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.GoldenCams;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.NetConfig.BatchNormMode;
import ai.seamstream.torch.net.NetConfig.Method;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.pretrained.NameMapping.Scheme;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each fixture format (written by real PyTorch, see import/make_fixtures.py) loads through the readers and the name
 * mapping into SeamNetwork and reproduces the CAMs that a PyTorch forward of the same network computed.
 */
class WeightImportTest {
    /** The fixtures' network: width 1/128, units 2/1/2/2, 3 foreground classes. */
    static final BackboneConfig FIXTURE_BACKBONE = new BackboneConfig(1.0 / 128, 2, 1, 2, 2);
    static final ClassVocabulary CLASSES = ClassVocabulary.ofForeground(List.of("a", "b", "c"));

    static Path fixture(String name) throws Exception {
        return Path.of(WeightImportTest.class.getResource("/import/" + name).toURI());
    }

    static NetConfig config(BackboneConfig backbone, Method method) {
        return NetConfig.of(backbone, CLASSES, method, BatchNormMode.FROZEN, false, 4096);
    }

    @Test
    void legacyPthReproducesThePyTorchCams() throws Exception {
        WeightFile wf = WeightFormat.read(fixture("seam_legacy.pth"), null);
        assertEquals(WeightFormat.PTH, wf.format());
        assertEquals(DType.INT64, wf.dtypes().get("b2.bn_branch2a.num_batches_tracked"));
        assertCams(wf, null, 135); // the state dict of make_fixtures.py, 21 num_batches_tracked included
    }

    @Test
    void zipPthWithDataParallelPrefixReproducesThePyTorchCams() throws Exception {
        WeightFile wf = WeightFormat.read(fixture("seam_zip.pth"), WeightFormat.PTH);
        assertTrue(wf.tensors().get(0).name().startsWith("module."), wf.tensors().get(0).name());
        assertCams(wf, null, -1);
    }

    @Test
    void safetensorsReproducesThePyTorchCams() throws Exception {
        assertCams(WeightFormat.read(fixture("seam.safetensors"), null), null, -1);
    }

    @Test
    void mxnetImageNetBackboneReproducesThePyTorchCamsWithTheHeadsAdded() throws Exception {
        WeightFile params = WeightFormat.read(fixture("imagenet.params"), null);
        assertEquals(WeightFormat.PARAMS, params.format());
        assertTrue(params.byName().containsKey("arg:res2b1_branch2a_weight"));
        assertTrue(params.byName().containsKey("aux:bn7_moving_var"));
        // The ImageNet file brings no heads: take them from the state dict, as a user's training would learn them.
        WeightFile heads = WeightFormat.read(fixture("seam.safetensors"), null);
        assertCams(params, heads, -1);
    }

    @Test
    void strictModeListsMissingUnexpectedAndWronglyShapedTensors() throws Exception {
        WeightFile wf = WeightFormat.read(fixture("seam.safetensors"), null);
        try (NDManager manager = NDManager.newBaseManager()) {
            // One unit fewer in b2: b2_1.* is unexpected; strict refuses, lenient loads the rest.
            var fewer = new BackboneConfig(1.0 / 128, 1, 1, 2, 2);
            try (SeamNetwork net = new SeamNetwork(config(fewer, Method.SEAM), manager, 1)) {
                var e = assertThrows(IllegalArgumentException.class, () -> PretrainedImport.load(net.params(), wf, true));
                assertTrue(e.getMessage().contains("b2_1.conv_branch2a.weight") && e.getMessage().contains("10 unexpected"),
                        e.getMessage());
                var report = PretrainedImport.load(net.params(), wf, false);
                assertEquals(10, report.unexpected().size());
                assertEquals(net.params().all().size(), report.loaded());
            }
            // A CAM state dict (no PCM heads) into a SEAM network: strict names the missing heads.
            var camOnly = new WeightFile(wf.format(), wf.tensors().stream()
                    .filter(t -> !t.name().startsWith("f8_") && !t.name().startsWith("f9")).toList(), wf.dtypes());
            try (SeamNetwork net = new SeamNetwork(config(FIXTURE_BACKBONE, Method.SEAM), manager, 1)) {
                var e = assertThrows(IllegalArgumentException.class, () -> PretrainedImport.load(net.params(), camOnly, true));
                assertTrue(e.getMessage().contains("3 missing [f8_3.weight, f8_4.weight, f9.weight]"), e.getMessage());
                assertEquals(List.of("f8_3.weight", "f8_4.weight", "f9.weight"),
                        PretrainedImport.load(net.params(), camOnly, false).missing());
            }
            // Twice the width: every tensor has the wrong shape, in either mode.
            try (SeamNetwork net = new SeamNetwork(config(new BackboneConfig(1.0 / 64, 2, 1, 2, 2), Method.SEAM), manager, 1)) {
                var e = assertThrows(IllegalArgumentException.class, () -> PretrainedImport.load(net.params(), wf, false));
                assertTrue(e.getMessage().contains("b7.conv_branch1.weight: network (64, 32, 1, 1), file (32, 16, 1, 1)"),
                        e.getMessage());
            }
        }
    }

    @Test
    void mxnetStrictModeExpectsTheBackboneOnly() throws Exception {
        WeightFile params = WeightFormat.read(fixture("imagenet.params"), null);
        try (NDManager manager = NDManager.newBaseManager();
             SeamNetwork net = new SeamNetwork(config(FIXTURE_BACKBONE, Method.SEAM), manager, 1)) {
            var report = PretrainedImport.load(net.params(), params, true);
            assertEquals(Scheme.MXNET_IMAGENET, report.scheme());
            assertEquals(List.of("arg:linear1000_weight", "arg:linear1000_bias"), report.dropped());
            assertEquals(List.of("fc8.weight", "f8_3.weight", "f8_4.weight", "f9.weight"), report.kept());
            assertEquals(net.params().all().size() - 4, report.loaded());
            assertTrue(report.missing().isEmpty() && report.unexpected().isEmpty());
        }
    }

    /** Loads {@code wf} (then {@code extra}, for the heads) strictly where it can and compares the three outputs. */
    private static void assertCams(WeightFile wf, WeightFile extra, int expectedTensors) throws Exception {
        Map<String, NamedTensor> expected = SafeTensors.read(fixture("expected.safetensors")).byName();
        if (expectedTensors > 0) {
            assertEquals(expectedTensors, wf.tensors().size(), "tensors in the file");
        }
        try (NDManager manager = NDManager.newBaseManager();
             SeamNetwork net = new SeamNetwork(config(FIXTURE_BACKBONE, Method.SEAM), manager, 7)) {
            var report = PretrainedImport.load(net.params(), wf, true);
            if (extra != null) {
                var heads = new WeightFile(extra.format(), extra.tensors().stream()
                        .filter(t -> PretrainedImport.isHead(t.name())).toList(), extra.dtypes());
                assertEquals(4, PretrainedImport.load(net.params(), heads, false).loaded());
            } else {
                assertEquals(net.params().all().size(), report.loaded());
            }
            GoldenCams.assertForwardMatches(expected, net, manager, scale -> 1e-4 * Math.max(1, scale));
        }
    }
}
