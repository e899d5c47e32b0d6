package ai.seamstream.torch.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.postprocess.PseudoMasks;
import ai.seamstream.core.postprocess.Uncertainty;
import ai.seamstream.core.resample.Bicubic;
import ai.seamstream.core.resample.Rounding;
import ai.seamstream.core.tensor.ClassMaps;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.Resize;
import ai.seamstream.torch.net.SeamNetwork;
import java.util.Arrays;
import java.util.List;

/**
 * Pseudo-masks by multi-scale, flipped inference (SEAM-METHOD §3): every scale and its mirror image go through the
 * network, the foreground maps (the revised CAM for SEAM, the ReLU'd raw CAM for the CAM baseline) are resized to
 * the original size, label-masked, flipped back and summed; then per-class min–max normalisation and argmax
 * against a constant background score.
 */
public final class MultiScaleInference {

    /** Which of the network's maps become pseudo-masks. */
    public enum MapSource {
        /** cam_rv for a SEAM network (the reference), the CAM for a CAM baseline. */
        AUTO,
        /** Always the CAM (fc8 scores), also for a SEAM network: shows what the PCM adds. */
        CAM
    }

    /** Inference settings; the reference uses scales {0.5, 1, 1.5, 2}, flips, and background score 0.26. */
    public record Options(double[] scales, boolean flip, float backgroundThreshold, Normalization normalization,
                          double uncertainThreshold, MapSource source) {
        public Options {
            if (source == null) {
                throw new IllegalArgumentException("map source must not be null");
            }
            if (scales.length == 0 || Arrays.stream(scales).anyMatch(s -> !(s > 0 && s <= 8))) {
                throw new IllegalArgumentException("scales must be in (0, 8], got " + Arrays.toString(scales));
            }
            if (!(backgroundThreshold >= 0 && backgroundThreshold <= 1)) {
                throw new IllegalArgumentException("background score must be in [0, 1], got " + backgroundThreshold);
            }
            scales = scales.clone();
        }

        public static Options reference() {
            return new Options(new double[] {0.5, 1.0, 1.5, 2.0}, true, 0.26f, Normalization.IMAGENET, 0.5, MapSource.AUTO);
        }

        public Options withBackground(float t) {
            return new Options(scales, flip, t, normalization, uncertainThreshold, source);
        }

        public Options withSource(MapSource newSource) {
            return new Options(scales, flip, backgroundThreshold, normalization, uncertainThreshold, newSource);
        }
    }

    /**
     * One image's outcome: the normalised foreground maps N (C channels at the original size), the tags used and
     * whether they were predicted, the network's class probabilities σ(s_k), the mask, and its uncertainty.
     */
    public record Result(ClassMaps normalized, boolean[] tags, boolean predictedTags, float[] classProbabilities,
                         LabelMask mask, float[] uncertainty, Uncertainty.Score uncertaintyScore) {
    }

    private final SeamNetwork net;
    private final Options options;

    public MultiScaleInference(SeamNetwork net, Options options) {
        this.net = net;
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /**
     * Runs the full pipeline on one image.
     *
     * @param labels the image-level labels (one per foreground class), or null to use the network's predicted tags
     */
    public Result run(RgbImage image, boolean[] labels) {
        int fg = net.config().classes() - 1;
        if (labels != null && labels.length != fg) {
            throw new IllegalArgumentException("expected " + fg + " labels, got " + labels.length);
        }
        int h0 = image.height();
        int w0 = image.width();
        float[] sum = new float[fg * h0 * w0];
        float[] probSum = new float[fg];
        int probViews = 0;
        double probScale = closestToOne(options.scales);
        boolean[] tags = labels;
        // Without labels the maps of every view are kept until the tags are known.
        List<float[]> pending = labels == null ? new java.util.ArrayList<>() : null;
        for (double s : options.scales) {
            RgbImage scaled = s == 1.0 ? image
                    : Bicubic.resize(image, Math.max(1, (int) Rounding.roundHalfEven(w0 * s)),
                            Math.max(1, (int) Rounding.roundHalfEven(h0 * s)));
            int views = options.flip ? 2 : 1;
            try (NDManager m = net.params().manager().getParentManager().newSubManager()) {
                int hs = scaled.height();
                int ws = scaled.width();
                float[] batch = new float[views * 3 * hs * ws];
                System.arraycopy(options.normalization.toChw(scaled), 0, batch, 0, 3 * hs * ws);
                if (views == 2) {
                    System.arraycopy(options.normalization.toChw(scaled, true), 0, batch, 3 * hs * ws, 3 * hs * ws);
                }
                NDArray x = m.create(batch, new Shape(views, 3, hs, ws));
                SeamNetwork.Forward out = net.forward(x, false);
                NDArray maps = net.config().method() == NetConfig.Method.SEAM && options.source == MapSource.AUTO
                        ? out.camRv() : out.camLowRes().maximum(0f);
                NDArray fgMaps = maps.get(new NDIndex(":, 1:, :, :"));
                NDArray full = Resize.bilinear(fgMaps, h0, w0, false);
                float[] all = full.toFloatArray();
                if (s == probScale) {
                    // s_k = GAP of the input-size CAM (SEAM-METHOD §2), averaged over the view and its mirror.
                    float[] gap = out.cam().get(new NDIndex(":, 1:, :, :")).mean(new int[] {3}).mean(new int[] {2}).toFloatArray();
                    for (int v = 0; v < views; v++) {
                        for (int k = 0; k < fg; k++) {
                            probSum[k] += (float) (1 / (1 + Math.exp(-gap[v * fg + k])));
                        }
                    }
                    probViews += views;
                }
                int plane = h0 * w0;
                for (int v = 0; v < views; v++) {
                    float[] view = new float[fg * plane];
                    for (int k = 0; k < fg; k++) {
                        int src = (v * fg + k) * plane;
                        if (v == 1) { // flip back the mirrored view
                            for (int y = 0; y < h0; y++) {
                                for (int xx = 0; xx < w0; xx++) {
                                    view[k * plane + y * w0 + xx] = all[src + y * w0 + (w0 - 1 - xx)];
                                }
                            }
                        } else {
                            System.arraycopy(all, src, view, k * plane, plane);
                        }
                    }
                    if (pending != null) {
                        pending.add(view);
                    } else {
                        accumulate(sum, view, tags, plane);
                    }
                }
            }
        }
        float[] probs = new float[fg];
        for (int k = 0; k < fg; k++) {
            probs[k] = probSum[k] / Math.max(1, probViews);
        }
        boolean predicted = false;
        if (tags == null) {
            predicted = true;
            tags = new boolean[fg];
            for (int k = 0; k < fg; k++) {
                tags[k] = probs[k] > 0.5f;
            }
            for (float[] view : pending) {
                accumulate(sum, view, tags, h0 * w0);
            }
        }
        ClassMaps normalized = PseudoMasks.normalizePerClass(new ClassMaps(fg, h0, w0, sum));
        LabelMask mask = PseudoMasks.argmaxWithBackground(normalized, options.backgroundThreshold);
        float[] u = Uncertainty.map(normalized, tags, options.backgroundThreshold);
        return new Result(normalized, tags, predicted, probs, mask, u, Uncertainty.score(u, options.uncertainThreshold));
    }

    /** Adds a view's maps with absent classes zeroed (SEAM-METHOD §3: multiplied by y). */
    private static void accumulate(float[] sum, float[] view, boolean[] tags, int plane) {
        for (int k = 0; k < tags.length; k++) {
            if (!tags[k]) {
                continue;
            }
            int o = k * plane;
            for (int i = 0; i < plane; i++) {
                sum[o + i] += view[o + i];
            }
        }
    }

    private static double closestToOne(double[] scales) {
        double best = scales[0];
        for (double s : scales) {
            if (Math.abs(s - 1) < Math.abs(best - 1)) {
                best = s;
            }
        }
        return best;
    }
}
