package ai.seamstream.labeler;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.torch.export.OnnxExporter;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Real ONNX model directories for the tests: the small SEAM backbone (width 1/16) with random weights of a given
 * seed, exported by the real exporter ({@code seam/torch}, test scope only), once per JVM under {@code target/}.
 */
public final class TestModels {
    public static final List<String> CLASSES = List.of("background", "cat", "dog", "bird");
    private static final Path ROOT = Path.of("target", "test-models");

    private TestModels() {
    }

    /** The exported model directory of seed {@code seed}. */
    public static synchronized Path model(long seed) throws Exception {
        Path dir = ROOT.resolve("seam-" + seed).toAbsolutePath();
        if (Files.isRegularFile(dir.resolve(ModelManifest.FILE))) {
            return dir;
        }
        var contract = new ModelManifest.InputContract(List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225),
                List.of(1.0), true, 0.26, 0.5);
        try (NDManager m = NDManager.newBaseManager()) {
            var cfg = new NetConfig(BackboneConfig.small(0.0625, 1), CLASSES.size(), NetConfig.Method.SEAM,
                    NetConfig.BatchNormMode.FROZEN, false, 4096);
            try (SeamNetwork net = new SeamNetwork(cfg, m, seed)) {
                OnnxExporter.export(net, "seam-" + seed, CLASSES, contract,
                        new ModelManifest.Provenance(null, null, null, null, "test"), dir, OnnxExporter.DEFAULT_OPSET);
            }
        }
        return dir;
    }

    /** The ONNX file's SHA-256 from the directory's manifest. */
    public static String sha(Path dir) throws Exception {
        return ai.seamstream.core.onnx.OnnxModel.readManifest(dir).onnxSha256();
    }
}
