package ai.seamstream.torch.export;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxPseudoMasks;
import ai.seamstream.core.onnx.OnnxSession;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.infer.MultiScaleInference;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full-size ResNet-38 SEAM network (random weights, 21 VOC classes) exported and run on ONNX Runtime against
 * DJL: the graph outputs at an odd size and the reference 8-view pseudo-mask pipeline on an odd-sized image.
 */
class FullOnnxParityTest {
    @TempDir
    Path dir;

    @Test
    void fullResNet38MatchesDjl() throws Exception {
        ClassVocabulary vocab = ClassVocabulary.VOC2012;
        try (NDManager manager = NDManager.newBaseManager();
             SeamNetwork net = new SeamNetwork(NetConfig.reference(vocab), manager, 7)) {
            var contract = new ModelManifest.InputContract(List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225),
                    List.of(0.5, 1.0, 1.5, 2.0), true, 0.26, 0.5);
            OnnxExporter.export(net, "resnet38-random", vocab.names(), contract,
                    new ModelManifest.Provenance(null, null, null, null, "test"), dir, OnnxExporter.DEFAULT_OPSET);
            try (OnnxModel model = OnnxModel.load(dir, OnnxSession.Settings.cpu(2))) {
                OnnxParityTest.ForwardParity.check(net, model, 1, 97, 131, 11, 1e-4);
                OnnxParityTest.ForwardParity.check(net, model, 2, 48, 40, 12, 1e-4);

                RgbImage image = randomImage(131, 97, 3);
                boolean[] labels = new boolean[vocab.size() - 1];
                labels[2] = true;
                labels[14] = true;
                var djl = new MultiScaleInference(net, MultiScaleInference.Options.reference());
                var ort = new OnnxPseudoMasks(model, OnnxPseudoMasks.Options.of(model.manifest()));
                OnnxParityTest.MaskParity.assertSame(djl.run(image, labels), ort.run(image, labels), "full ResNet-38 131x97", 1e-3);
            }
        }
    }

    /** A smooth random image (blobs of colour), so that resizing it keeps structure. */
    static RgbImage randomImage(int w, int h, long seed) {
        var rng = new SplittableRandom(seed);
        byte[] rgb = new byte[w * h * 3];
        double[][] blobs = new double[6][6];
        for (double[] b : blobs) {
            b[0] = rng.nextDouble() * w;
            b[1] = rng.nextDouble() * h;
            b[2] = 5 + rng.nextDouble() * w / 3.0;
            for (int c = 3; c < 6; c++) {
                b[c] = rng.nextDouble() * 255;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 40;
                    for (double[] b : blobs) {
                        double d2 = ((x - b[0]) * (x - b[0]) + (y - b[1]) * (y - b[1])) / (b[2] * b[2]);
                        v += b[3 + c] * Math.exp(-d2);
                    }
                    rgb[(y * w + x) * 3 + c] = (byte) Math.min(255, (int) v);
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
