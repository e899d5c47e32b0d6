package ai.seamstream.torch.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.MultiScaleViews;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.inference.ViewAccumulator;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.Resize;
import ai.seamstream.torch.net.SeamNetwork;
import java.util.ArrayList;
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

    /**
     * Inference settings; the reference uses scales {0.5, 1, 1.5, 2}, flips, and background score 0.26.
     * {@code pairMirror} runs a view and its mirror image as one batch of two (faster); without it each view runs
     * alone, which halves the peak memory of a forward.
     */
    public record Options(double[] scales, boolean flip, float backgroundThreshold, Normalization normalization,
                          double uncertainThreshold, MapSource source, boolean pairMirror) {
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

        /** Settings that run a view and its mirror image together. */
        public Options(double[] scales, boolean flip, float backgroundThreshold, Normalization normalization,
                       double uncertainThreshold, MapSource source) {
            this(scales, flip, backgroundThreshold, normalization, uncertainThreshold, source, true);
        }

        public static Options reference() {
            return new Options(new double[] {0.5, 1.0, 1.5, 2.0}, true, 0.26f, Normalization.IMAGENET, 0.5, MapSource.AUTO);
        }

        public Options withBackground(float t) {
            return new Options(scales, flip, t, normalization, uncertainThreshold, source, pairMirror);
        }

        public Options withSource(MapSource newSource) {
            return new Options(scales, flip, backgroundThreshold, normalization, uncertainThreshold, newSource, pairMirror);
        }

        public Options withPairMirror(boolean pair) {
            return new Options(scales, flip, backgroundThreshold, normalization, uncertainThreshold, source, pair);
        }
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
    public PseudoMaskResult run(RgbImage image, boolean[] labels) {
        return run(image, labels, List.of(options.source)).get(0);
    }

    /**
     * Runs the pipeline once per view and makes pseudo-masks from each of {@code sources} (in that order): for a
     * SEAM network the revised CAM and its own CAM come from the same forwards, at the cost of one pipeline.
     *
     * @param labels the image-level labels (one per foreground class), or null to use the network's predicted tags
     */
    public List<PseudoMaskResult> run(RgbImage image, boolean[] labels, List<MapSource> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no map source given");
        }
        int fg = net.config().classes() - 1;
        if (labels != null && labels.length != fg) {
            throw new IllegalArgumentException("expected " + fg + " labels, got " + labels.length);
        }
        int h0 = image.height();
        int w0 = image.width();
        var acc = new ArrayList<ViewAccumulator>();
        for (int i = 0; i < sources.size(); i++) {
            acc.add(new ViewAccumulator(fg, h0, w0, labels));
        }
        double probScale = MultiScaleViews.probabilityScale(options.scales);
        for (double s : options.scales) {
            RgbImage scaled = MultiScaleViews.scaled(image, s);
            int views = options.flip ? 2 : 1;
            if (options.pairMirror) {
                runViews(scaled, s == probScale, new boolean[] {false, true}, views, h0, w0, fg, sources, acc);
            } else {
                for (int v = 0; v < views; v++) {
                    runViews(scaled, s == probScale, new boolean[] {v == 1}, 1, h0, w0, fg, sources, acc);
                }
            }
        }
        return acc.stream().map(a -> a.finish(options.backgroundThreshold, options.uncertainThreshold)).toList();
    }

    /**
     * Runs the first {@code views} of the given orientations of one scaled image as one batch and adds the maps of
     * each source to its accumulator.
     */
    private void runViews(RgbImage scaled, boolean probScale, boolean[] mirrored, int views, int h0, int w0, int fg,
                          List<MapSource> sources, List<ViewAccumulator> acc) {
        try (NDManager m = net.params().manager().getParentManager().newSubManager()) {
            int hs = scaled.height();
            int ws = scaled.width();
            int plane = 3 * hs * ws;
            float[] batch = new float[views * plane];
            for (int v = 0; v < views; v++) {
                System.arraycopy(options.normalization.toChw(scaled, mirrored[v]), 0, batch, v * plane, plane);
            }
            NDArray x = m.create(batch, new Shape(views, 3, hs, ws));
            SeamNetwork.Forward out = net.forward(x, false);
            float[] gap = probScale
                    // s_k = GAP of the input-size CAM (SEAM-METHOD §2), averaged over the view and its mirror.
                    ? out.cam().get(new NDIndex(":, 1:, :, :")).mean(new int[] {3}).mean(new int[] {2}).toFloatArray() : null;
            int viewSize = fg * h0 * w0;
            for (int i = 0; i < sources.size(); i++) {
                NDArray maps = net.config().method() == NetConfig.Method.SEAM && sources.get(i) == MapSource.AUTO
                        ? out.camRv() : out.camLowRes().maximum(0f);
                NDArray fgMaps = maps.get(new NDIndex(":, 1:, :, :"));
                float[] all = Resize.bilinear(fgMaps, h0, w0, false).toFloatArray();
                for (int v = 0; v < views; v++) {
                    if (gap != null) {
                        acc.get(i).addScores(Arrays.copyOfRange(gap, v * fg, (v + 1) * fg));
                    }
                    acc.get(i).addView(Arrays.copyOfRange(all, v * viewSize, (v + 1) * viewSize), mirrored[v]);
                }
            }
        }
    }
}
