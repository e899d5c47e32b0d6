package ai.seamstream.labeler.model;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.onnx.OnnxAffinityModel;
import ai.seamstream.core.refine.MaskRefiner;
import java.io.IOException;
import java.util.Objects;

/**
 * A serving model's mask refinement ({@code seam.labeler.refine}): the core {@link MaskRefiner} on the pipeline's
 * normalised maps and tags, with the model's shipped affinity network for the walk modes. The uncertainty map stays
 * the CAM's; only the mask is replaced.
 */
public final class Refiner implements AutoCloseable {
    /** A mask and the time its refinement took (0 when refinement is off). */
    public record Refined(LabelMask mask, long nanos) {
    }

    private final MaskRefiner.Options options;
    private final OnnxAffinityModel affinity;

    /**
     * @param affinity the model's affinity network; required for the walk modes, else ignored (may be null)
     */
    public Refiner(MaskRefiner.Options options, OnnxAffinityModel affinity) {
        this.options = Objects.requireNonNull(options, "options");
        if (options.mode().needsAffinity() && affinity == null) {
            throw new IllegalArgumentException("refinement " + options.mode() + " needs an affinity network");
        }
        this.affinity = options.mode().needsAffinity() ? affinity : null;
    }

    public MaskRefiner.Options options() {
        return options;
    }

    /** Whether masks are refined at all. */
    public boolean active() {
        return options.mode() != MaskRefiner.Mode.NONE;
    }

    /** The emitted mask of one pipeline result: refined when active, else the pipeline's own. */
    public Refined refine(RgbImage image, PseudoMaskResult r) throws IOException {
        if (!active()) {
            return new Refined(r.mask(), 0);
        }
        long t0 = System.nanoTime();
        LabelMask m = MaskRefiner.refineWith(image, r.normalized(), r.tags(), affinity, options);
        return new Refined(m, System.nanoTime() - t0);
    }

    @Override
    public void close() {
        if (affinity != null) {
            affinity.close();
        }
    }
}
