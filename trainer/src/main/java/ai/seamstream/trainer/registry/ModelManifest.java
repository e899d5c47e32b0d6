package ai.seamstream.trainer.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code model.json} of a registry version: provenance (parent version, training-set snapshot, configuration, seed,
 * code version), the figures, the status with its history, and where the files are. The class vocabulary, input
 * normalisation, scales/flip and background threshold are in the checkpoint's own manifest.
 *
 * @param checkpoint the checkpoint folder's name inside the version folder
 * @param onnx       the export slot's content; null until an exporter filled it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(String format, String version, ModelStatus status, String parentVersion, String snapshotId,
                            String checkpointId, String checkpoint, String weightsSha256, Map<String, Object> configuration,
                            long seed, String codeVersion, Map<String, Double> metrics, String reason, String createdAt,
                            ExportInfo onnx, List<Event> history) {

    public static final String FORMAT = "seamstream-model/1";

    /** One status change. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Event(String at, ModelStatus status, String note) {
    }

    public ModelManifest {
        history = history == null ? List.of() : List.copyOf(history);
    }

    ModelManifest withStatus(ModelStatus s, String note) {
        var h = new ArrayList<>(history);
        h.add(new Event(java.time.Instant.now().toString(), s, note));
        return new ModelManifest(format, version, s, parentVersion, snapshotId, checkpointId, checkpoint, weightsSha256,
                configuration, seed, codeVersion, metrics, reason, createdAt, onnx, h);
    }

    /** The gate's decision on a CANDIDATE: the new status, its figures merged into the metrics, and the reason. */
    ModelManifest judged(ModelStatus s, Map<String, Double> figures, String why) {
        var h = new ArrayList<>(history);
        h.add(new Event(java.time.Instant.now().toString(), s, why));
        var merged = new java.util.LinkedHashMap<String, Double>(metrics == null ? Map.of() : metrics);
        merged.putAll(figures);
        return new ModelManifest(format, version, s, parentVersion, snapshotId, checkpointId, checkpoint, weightsSha256,
                configuration, seed, codeVersion, merged, why, createdAt, onnx, h);
    }

    ModelManifest withOnnx(ExportInfo info) {
        return new ModelManifest(format, version, status, parentVersion, snapshotId, checkpointId, checkpoint, weightsSha256,
                configuration, seed, codeVersion, metrics, reason, createdAt, info, history);
    }
}
