package ai.seamstream.core.refine;

import ai.seamstream.core.image.RgbImage;
import java.io.IOException;
import java.util.List;

/**
 * Where the random walk's affinity features come from: an AffinityNet run on ONNX Runtime
 * ({@code core.onnx.OnnxAffinityModel}) or on DJL (the {@code seam} command's checkpoint path). Both pad the
 * normalised image to a multiple of the stride and return the network's feature map on the walk's grid.
 */
public interface AffinityFeatureSource extends AutoCloseable {
    /** The affinity features of one image, {@code channels × ceil(H/stride) × ceil(W/stride)}. */
    MaskRefiner.AffinityFeatures features(RgbImage image) throws IOException;

    /** The pair radius the network was trained with; the walk pairs pixels within it. */
    int radius();

    /** The feature grid's stride in image pixels. */
    int stride();

    /** The class vocabulary of the SEAM model it was trained from, background first. */
    List<String> classes();

    /**
     * The walk's settings for this network: {@code base}'s β, logt and α with this network's radius and stride.
     */
    default RandomWalk.Config walkConfig(RandomWalk.Config base) {
        return new RandomWalk.Config(radius(), base.beta(), base.logt(), base.alpha(), stride(), base.referenceBorder());
    }

    @Override
    void close();
}
