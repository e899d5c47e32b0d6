package ai.seamstream.trainer.export;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.export.OnnxExporter;
import ai.seamstream.trainer.registry.ExportInfo;
import ai.seamstream.trainer.registry.ModelExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The serving export of a registry version: the checkpoint's inference network as one ONNX graph plus its
 * {@code model.json} (what {@code seam export} writes), which the labeler fetches, verifies and loads.
 */
@Named("onnx")
@ApplicationScoped
public class OnnxModelExporter implements ModelExporter {
    private final int opset;

    /** An exporter writing the given ONNX opset ({@link OnnxExporter#MIN_OPSET}..{@link OnnxExporter#MAX_OPSET}). */
    public OnnxModelExporter(@ConfigProperty(name = "seam.trainer.onnx-opset", defaultValue = "17") int opset) {
        if (opset < OnnxExporter.MIN_OPSET || opset > OnnxExporter.MAX_OPSET) {
            throw new IllegalArgumentException("seam.trainer.onnx-opset must be in " + OnnxExporter.MIN_OPSET + ".."
                    + OnnxExporter.MAX_OPSET + ", got " + opset);
        }
        this.opset = opset;
    }

    @Override
    public ExportInfo export(Path checkpointDir, Path slot) throws IOException {
        try (NDManager manager = NDManager.newBaseManager(); Checkpoint.Loaded loaded = Checkpoint.load(checkpointDir, manager)) {
            ModelManifest m = OnnxExporter.export(loaded, slot, opset);
            var details = new LinkedHashMap<String, String>();
            details.put("manifest", ModelManifest.FILE);
            details.put("opset", Integer.toString(m.opset()));
            details.put("method", m.method());
            return new ExportInfo(m.onnxFile(), m.onnxSha256(), "seam-onnx opset " + m.opset(), Map.copyOf(details));
        }
    }
}
