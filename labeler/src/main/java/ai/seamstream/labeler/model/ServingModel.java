package ai.seamstream.labeler.model;

import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxPseudoMasks;
import java.util.List;
import java.util.Objects;

/**
 * A verified, warmed-up and self-tested model ready to make masks: its version (from the model event), the ONNX
 * file's SHA-256, the open session, the pipeline over it and the mask refinement. Only the labeler's worker thread runs it.
 */
public final class ServingModel implements AutoCloseable {
    private final String version;
    private final String sha256;
    private final OnnxModel model;
    private final OnnxPseudoMasks pipeline;
    private final Refiner refiner;
    private final long warmUpMs;

    ServingModel(String version, String sha256, OnnxModel model, OnnxPseudoMasks pipeline, Refiner refiner, long warmUpMs) {
        this.version = Objects.requireNonNull(version, "version");
        this.sha256 = Objects.requireNonNull(sha256, "sha256");
        this.model = Objects.requireNonNull(model, "model");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.refiner = Objects.requireNonNull(refiner, "refiner");
        this.warmUpMs = warmUpMs;
    }

    public String version() {
        return version;
    }

    public String sha256() {
        return sha256;
    }

    /** Class vocabulary of the model, background first. */
    public List<String> classes() {
        return model.manifest().classes();
    }

    public OnnxPseudoMasks pipeline() {
        return pipeline;
    }

    /** The refinement of the emitted masks (its affinity network, when it walks, belongs to this model). */
    public Refiner refiner() {
        return refiner;
    }

    /** How long the warm-up and self-test took. */
    public long warmUpMs() {
        return warmUpMs;
    }

    @Override
    public void close() {
        try {
            refiner.close();
        } finally {
            model.close();
        }
    }

    @Override
    public String toString() {
        return version + " (" + sha256.substring(0, Math.min(12, sha256.length())) + ")";
    }
}
