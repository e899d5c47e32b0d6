package ai.seamstream.torch.cli;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.model.AffinityManifest;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.torch.affinity.AffinityCheckpoint;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.export.AffinityOnnxExporter;
import ai.seamstream.torch.export.OnnxExporter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code seam export}: a checkpoint's inference network as {@code model.onnx} + {@code model.json} for ONNX Runtime,
 * with {@code --affinity DIR} also the affinity network in the {@code affinity/} sub-folder (named in the manifest);
 * {@code seam export-affinity}: an affinity checkpoint alone as {@code affinity.onnx} + {@code model.json}.
 */
final class ExportCommand {
    private ExportCommand() {
    }

    static void run(Args a, PrintStream out) throws IOException {
        Path ckpt = a.existingDir("checkpoint");
        Path dest = a.path("out");
        int opset = a.integer("opset", OnnxExporter.DEFAULT_OPSET, OnnxExporter.MIN_OPSET, OnnxExporter.MAX_OPSET);
        Path affinity = a.has("affinity") ? a.existingDir("affinity") : null;
        a.finish();
        EngineSetup.configure(1, 0);
        ModelManifest m;
        try (NDManager manager = NDManager.newBaseManager()) {
            if (affinity != null) {
                AffinityCheckpoint.readManifest(affinity); // a wrong folder fails before the SEAM export writes anything
            }
            try (Checkpoint.Loaded loaded = Checkpoint.load(ckpt, manager)) {
                m = OnnxExporter.export(loaded, dest, opset);
            }
            out.println("exported " + m.id() + " (" + m.method() + ", " + m.classes().size() + " classes, opset " + m.opset()
                    + ") -> " + dest.resolve(m.onnxFile()) + " sha256 " + m.onnxSha256());
            if (affinity != null) {
                try (AffinityCheckpoint.Loaded aff = AffinityCheckpoint.load(affinity, manager)) {
                    m = AffinityOnnxExporter.attach(aff, dest, opset);
                }
                out.println("affinity network -> " + dest.resolve(m.affinity().directory()).resolve(AffinityManifest.ONNX_FILE)
                        + " sha256 " + m.affinity().onnxSha256());
            }
        }
    }

    /** {@code seam export-affinity --checkpoint DIR --out DIR [--opset 17]}. */
    static void runAffinity(Args a, PrintStream out) throws IOException {
        Path ckpt = a.existingDir("checkpoint");
        Path dest = a.path("out");
        int opset = a.integer("opset", OnnxExporter.DEFAULT_OPSET, OnnxExporter.MIN_OPSET, OnnxExporter.MAX_OPSET);
        a.finish();
        EngineSetup.configure(1, 0);
        AffinityManifest m;
        try (NDManager manager = NDManager.newBaseManager(); AffinityCheckpoint.Loaded loaded = AffinityCheckpoint.load(ckpt, manager)) {
            m = AffinityOnnxExporter.export(loaded, dest, opset);
        }
        out.println("exported " + m.id() + " (" + m.featureChannels() + " feature channels at stride " + m.featureStride()
                + ", radius " + m.radius() + ", opset " + m.opset() + ") -> " + dest.resolve(m.onnxFile()) + " sha256 " + m.onnxSha256());
    }
}
