package ai.seamstream.core.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Objects;

/**
 * The manifest of an exported inference model ({@code model.json} beside {@code model.onnx}): what the ONNX file is
 * (its SHA-256 and opset), its inputs and outputs, the input contract a caller must honour to get the masks the
 * training framework gets (normalisation, scales, flip, background score), the class vocabulary and provenance.
 *
 * @param format      {@link #FORMAT}
 * @param id          the model id (the source checkpoint's id)
 * @param classes     the class vocabulary, background first (C+1 names)
 * @param method      {@code SEAM} (outputs include the revised CAM) or {@code CAM}
 * @param onnxFile    the ONNX file's name inside the model directory
 * @param onnxSha256  hex SHA-256 of the ONNX file
 * @param opset       the ONNX default-domain opset the graph was written for
 * @param inputs      graph inputs with their shapes
 * @param outputs     graph outputs with their shapes
 * @param contract    how to feed the network and turn its outputs into masks
 * @param provenance  where the weights came from
 * @param affinity    the AffinityNet shipped with the model for the random-walk refinement, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(String format, String id, List<String> classes, String method, String onnxFile,
                            String onnxSha256, int opset, List<TensorSpec> inputs, List<TensorSpec> outputs,
                            InputContract contract, Provenance provenance, AffinityRef affinity) {

    /** The format tag this code writes and reads. */
    public static final String FORMAT = "seamstream-onnx-model/1";
    /** The manifest's file name in a model directory. */
    public static final String FILE = "model.json";
    /** The graph input: N×3×H×W normalised float32. */
    public static final String INPUT = "image";
    /** Output: the PCM-revised CAM at the input size, N×(C+1)×H×W (SEAM only). */
    public static final String CAM_RV = "cam_rv";
    /** Output: the raw fc8 scores at stride 8, N×(C+1)×ceil(H/8)×ceil(W/8). */
    public static final String CAM = "cam";
    /** Output: class scores s_k, the mean of the input-size CAM, N×(C+1). */
    public static final String SCORES = "scores";

    /** A manifest without a shipped affinity network. */
    public ModelManifest(String format, String id, List<String> classes, String method, String onnxFile, String onnxSha256,
                         int opset, List<TensorSpec> inputs, List<TensorSpec> outputs, InputContract contract,
                         Provenance provenance) {
        this(format, id, classes, method, onnxFile, onnxSha256, opset, inputs, outputs, contract, provenance, null);
    }

    public ModelManifest {
        classes = classes == null ? null : List.copyOf(classes);
        inputs = inputs == null ? null : List.copyOf(inputs);
        outputs = outputs == null ? null : List.copyOf(outputs);
    }

    /**
     * A named tensor of the graph. {@code shape} holds one entry per axis: a number for a fixed size, a name
     * ({@code batch}, {@code height}) for a dynamic one.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TensorSpec(String name, String type, List<String> shape) {
        public TensorSpec {
            shape = shape == null ? null : List.copyOf(shape);
        }
    }

    /**
     * The input contract (SEAM-METHOD §0 and §3): RGB scaled to 0..1 then {@code (x − mean)/std}, NCHW; every scale
     * resized from the original with PIL-exact bicubic to {@code round_half_even(side·s)}; each scale also mirrored
     * when {@code flip}; the mask's constant background score; and the uncertainty threshold.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InputContract(List<Double> mean, List<Double> std, List<Double> scales, boolean flip,
                                double backgroundThreshold, double uncertainThreshold) {
        public InputContract {
            mean = mean == null ? null : List.copyOf(mean);
            std = std == null ? null : List.copyOf(std);
            scales = scales == null ? null : List.copyOf(scales);
        }
    }

    /** Where the model came from: the checkpoint and its weights' hash, when, and which code exported it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Provenance(String checkpointId, String weightsSha256, String parent, String exportedAt,
                             String codeVersion) {
    }

    /**
     * An exported AffinityNet inside the model directory ({@link AffinityManifest}): the sub-folder's name (one path
     * element) and the SHA-256 of its ONNX file, which loading checks against the sub-folder's own manifest.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record AffinityRef(String directory, String onnxSha256) {
    }

    /** This manifest with the given affinity network recorded. */
    public ModelManifest withAffinity(AffinityRef ref) {
        return new ModelManifest(format, id, classes, method, onnxFile, onnxSha256, opset, inputs, outputs, contract,
                provenance, ref);
    }

    /** The spec of a named output, if the graph has it. */
    public TensorSpec output(String name) {
        Objects.requireNonNull(name, "name");
        return outputs.stream().filter(t -> name.equals(t.name())).findFirst().orElse(null);
    }

    /** Whether the graph carries the revised CAM (a SEAM network). */
    public boolean hasRevisedCam() {
        return output(CAM_RV) != null;
    }
}
