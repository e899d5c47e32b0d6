package ai.seamstream.torch.checkpoint;

import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to rebuild, use and reproduce a trained network: its classes and architecture, the input
 * contract for inference, how it was trained (configuration, seed, data, parent) and what it scored.
 * Serialised as {@code manifest.json} next to {@code weights.safetensors}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckpointManifest(
        String format,
        String id,
        List<String> classes,
        NetworkSpec network,
        InferenceSpec inference,
        TrainingSpec training,
        DatasetSpec dataset,
        Map<String, Double> metrics,
        String parent,
        String createdAt,
        String codeVersion,
        String weightsFile,
        String weightsSha256,
        ImportSpec imported) {

    /** The format tag this code writes and reads. */
    public static final String FORMAT = "seamstream-checkpoint/1";

    /** The architecture, enough to rebuild the network before loading weights. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NetworkSpec(String method, double width, int b2Units, int b3Units, int b4Units, int b5Units,
                              String batchNorm, boolean freezeEarly, int pcmChunk, double headWidth) {
        public static NetworkSpec of(NetConfig c) {
            BackboneConfig b = c.backbone();
            return new NetworkSpec(c.method().name(), b.width(), b.b2Units(), b.b3Units(), b.b4Units(), b.b5Units(),
                    c.bnMode().name(), c.freezeEarly(), c.pcmChunk(), c.headWidth());
        }

        /** Rebuilds the network configuration for a vocabulary of {@code classes} entries. */
        public NetConfig toConfig(int classes) {
            return new NetConfig(new BackboneConfig(width, b2Units, b3Units, b4Units, b5Units), classes,
                    NetConfig.Method.valueOf(method), NetConfig.BatchNormMode.valueOf(batchNorm), freezeEarly, pcmChunk,
                    headWidth); // absent in manifests written before it existed: 0, heads scaled with the backbone
        }
    }

    /** How to feed the network and turn its output into masks (SEAM-METHOD §0, §3). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InferenceSpec(List<Double> scales, boolean flip, double backgroundThreshold, List<Double> mean,
                                List<Double> std) {
    }

    /** The training run: configuration and seed, so that it can be repeated. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TrainingSpec(long steps, int batch, int crop, int longMin, int longMax, double lr, double headLrMultiplier,
                               double weightDecay, double momentum, double power, double transformScale, long seed,
                               String init, double seconds) {
    }

    /** The data a checkpoint was trained on. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DatasetSpec(String name, String split, int images, String idsSha256, String description) {
    }

    /**
     * Where imported weights came from ({@code seam import} or {@code seam train --init FILE}); null otherwise.
     *
     * @param file    the weight file's name (not its path)
     * @param format  params, pth or safetensors
     * @param scheme  the naming scheme recognised in it
     * @param sha256  the file's SHA-256
     * @param loaded  tensors loaded from it
     * @param kept    network tensors the file did not provide, which kept their initialisation
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ImportSpec(String file, String format, String scheme, String sha256, int loaded, List<String> kept) {
    }

    /** The class vocabulary of this checkpoint. */
    public ClassVocabulary vocabulary() {
        return ClassVocabulary.of(classes);
    }
}
