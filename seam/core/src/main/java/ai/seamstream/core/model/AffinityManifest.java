package ai.seamstream.core.model;

import ai.seamstream.core.model.ModelManifest.TensorSpec;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The manifest of an exported AffinityNet ({@code model.json} beside {@code affinity.onnx}, format {@link #FORMAT}):
 * the ONNX file and its SHA-256, the opset, the graph's input and output, the feature map's stride and channel
 * count, the pair radius the network was trained with (the random walk pairs pixels within it), the input contract
 * and provenance. The random walk (SEAM-METHOD §5) uses the {@link #OUTPUT} map as its per-pixel features.
 *
 * @param format          {@link #FORMAT}
 * @param id              the model id (the affinity checkpoint's source SEAM checkpoint id and the heads)
 * @param classes         the class vocabulary of the SEAM checkpoint it was trained from, background first
 * @param onnxFile        the ONNX file's name inside the directory
 * @param onnxSha256      hex SHA-256 of the ONNX file
 * @param opset           the ONNX default-domain opset the graph was written for
 * @param inputs          graph inputs (one: {@link #INPUT})
 * @param outputs         graph outputs (one: {@link #OUTPUT})
 * @param featureStride   image pixels per feature-grid pixel (8)
 * @param featureChannels channels of the feature map
 * @param radius          the pair radius the network was trained with
 * @param contract        how to feed it
 * @param provenance      where the weights came from ({@code checkpointId} is the SEAM checkpoint the affinity
 *                        network started from, {@code weightsSha256} the affinity checkpoint's weights)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AffinityManifest(String format, String id, List<String> classes, String onnxFile, String onnxSha256,
                               int opset, List<TensorSpec> inputs, List<TensorSpec> outputs, int featureStride,
                               int featureChannels, int radius, Contract contract, ModelManifest.Provenance provenance) {

    /** The format tag this code writes and reads. */
    public static final String FORMAT = "seamstream-onnx-affinity/1";
    /** The manifest's file name (the same name as a SEAM model's; the format tells them apart). */
    public static final String FILE = ModelManifest.FILE;
    /** The ONNX file's name as the exporter writes it. */
    public static final String ONNX_FILE = "affinity.onnx";
    /** The graph input: N×3×H×W normalised float32, H and W padded to a multiple of {@code padMultiple}. */
    public static final String INPUT = ModelManifest.INPUT;
    /** The graph output: N×channels×ceil(H/stride)×ceil(W/stride). */
    public static final String OUTPUT = "features";

    public AffinityManifest {
        classes = classes == null ? null : List.copyOf(classes);
        inputs = inputs == null ? null : List.copyOf(inputs);
        outputs = outputs == null ? null : List.copyOf(outputs);
    }

    /**
     * The input contract: RGB scaled to 0..1 then {@code (x − mean)/std}, NCHW, and the normalised image zero-padded
     * at the bottom and right to a multiple of {@code padMultiple} (the reference's {@code infer_aff.py}).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Contract(List<Double> mean, List<Double> std, int padMultiple) {
        public Contract {
            mean = mean == null ? null : List.copyOf(mean);
            std = std == null ? null : List.copyOf(std);
        }
    }
}
