package ai.seamstream.torch.cli;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.export.OnnxExporter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** {@code seam export}: a checkpoint's inference network as {@code model.onnx} + {@code model.json} for ONNX Runtime. */
final class ExportCommand {
    private ExportCommand() {
    }

    static void run(Args a, PrintStream out) throws IOException {
        Path ckpt = a.existingDir("checkpoint");
        Path dest = a.path("out");
        int opset = a.integer("opset", OnnxExporter.DEFAULT_OPSET, OnnxExporter.MIN_OPSET, OnnxExporter.MAX_OPSET);
        a.finish();
        EngineSetup.configure(1, 0);
        ModelManifest m;
        try (NDManager manager = NDManager.newBaseManager(); Checkpoint.Loaded loaded = Checkpoint.load(ckpt, manager)) {
            m = OnnxExporter.export(loaded, dest, opset);
        }
        out.println("exported " + m.id() + " (" + m.method() + ", " + m.classes().size() + " classes, opset " + m.opset()
                + ") -> " + dest.resolve(m.onnxFile()) + " sha256 " + m.onnxSha256());
    }
}
