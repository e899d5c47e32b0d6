package ai.seamstream.core.onnx;

import ai.onnxruntime.OrtException;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.MultiScaleViews;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.inference.ViewAccumulator;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.resample.Bilinear;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The pseudo-mask pipeline of SEAM-METHOD §3 on ONNX Runtime, the same computation as the training framework's
 * multi-scale inference: every scale (PIL bicubic) and its mirror image is normalised and run through the exported
 * network; the foreground maps (the revised CAM, or for a CAM model or {@link MapSource#CAM} the ReLU'd stride-8
 * CAM) are resized to the original size (bilinear, align_corners=false), label-masked, flipped back and summed,
 * then normalised per class and compared with a constant background score.
 *
 * <p>Micro-batching: the views of all images of one {@link #run(List)} call are grouped by size, so an image's
 * view and its mirror, and the views of same-size images, share one session run of at most
 * {@link Options#maxBatch()} inputs.
 */
public final class OnnxPseudoMasks {

    /** Which maps become masks. */
    public enum MapSource {
        /** The revised CAM when the model has one (SEAM), else the CAM. */
        AUTO,
        /** The CAM (fc8 scores), also for a SEAM model. */
        CAM
    }

    /** Pipeline settings; {@link #of(ModelManifest)} takes them from the model's input contract. */
    public record Options(double[] scales, boolean flip, float backgroundThreshold, double uncertainThreshold,
                          MapSource source, int maxBatch) {
        public Options {
            Objects.requireNonNull(source, "source");
            if (scales == null || scales.length == 0 || Arrays.stream(scales).anyMatch(s -> !(s > 0 && s <= 8))) {
                throw new IllegalArgumentException("scales must be in (0, 8], got " + Arrays.toString(scales));
            }
            if (!(backgroundThreshold >= 0 && backgroundThreshold <= 1)) {
                throw new IllegalArgumentException("background score must be in [0, 1], got " + backgroundThreshold);
            }
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
            }
            scales = scales.clone();
        }

        /** The manifest's scales, flip, background and uncertainty thresholds; AUTO maps; up to 8 views per run. */
        public static Options of(ModelManifest m) {
            var c = m.contract();
            return new Options(c.scales().stream().mapToDouble(Double::doubleValue).toArray(), c.flip(),
                    (float) c.backgroundThreshold(), c.uncertainThreshold(), MapSource.AUTO, 8);
        }

        public Options withBackground(float t) {
            return new Options(scales, flip, t, uncertainThreshold, source, maxBatch);
        }

        public Options withScales(double[] newScales, boolean newFlip) {
            return new Options(newScales, newFlip, backgroundThreshold, uncertainThreshold, source, maxBatch);
        }

        public Options withSource(MapSource newSource) {
            return new Options(scales, flip, backgroundThreshold, uncertainThreshold, newSource, maxBatch);
        }

        public Options withMaxBatch(int n) {
            return new Options(scales, flip, backgroundThreshold, uncertainThreshold, source, n);
        }
    }

    /** One image and its labels (one per foreground class), or null labels to use the predicted tags. */
    public record Request(RgbImage image, boolean[] labels) {
        public Request {
            Objects.requireNonNull(image, "image");
        }
    }

    /** One network input: image {@code image}, scale index {@code scale}, mirrored or not, at {@code h × w}. */
    private record View(int image, int scale, boolean mirrored, int h, int w, RgbImage pixels) {
    }

    private final OnnxModel model;
    private final Options options;
    private final Normalization normalization;
    private final int fg;
    private final boolean revised;

    public OnnxPseudoMasks(OnnxModel model, Options options) {
        this.model = Objects.requireNonNull(model, "model");
        this.options = Objects.requireNonNull(options, "options");
        var c = model.manifest().contract();
        this.normalization = new Normalization(toFloats(c.mean()), toFloats(c.std()));
        this.fg = model.manifest().classes().size() - 1;
        this.revised = options.source() == MapSource.AUTO && model.manifest().hasRevisedCam();
    }

    public Options options() {
        return options;
    }

    /** Runs the pipeline on one image (labels null: predicted tags). */
    public PseudoMaskResult run(RgbImage image, boolean[] labels) throws OrtException {
        return run(List.of(new Request(image, labels))).get(0);
    }

    /**
     * Runs the pipeline on several images, batching their same-size views; results come in request order.
     *
     * @throws IllegalArgumentException if a request's labels do not have one entry per foreground class
     * @throws OrtException             if ONNX Runtime fails
     */
    public List<PseudoMaskResult> run(List<Request> requests) throws OrtException {
        for (Request r : requests) {
            if (r.labels() != null && r.labels().length != fg) {
                throw new IllegalArgumentException("expected " + fg + " labels, got " + r.labels().length);
            }
        }
        int nScales = options.scales().length;
        int nViews = options.flip() ? 2 : 1;
        double probScale = MultiScaleViews.probabilityScale(options.scales());
        // maps[image][scale*nViews + mirrored]: the view's C foreground maps at the original size
        float[][][] maps = new float[requests.size()][nScales * nViews][];
        float[][][] scores = new float[requests.size()][nScales * nViews][];
        Map<Long, List<View>> bySize = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            RgbImage img = requests.get(i).image();
            for (int j = 0; j < nScales; j++) {
                RgbImage scaled = MultiScaleViews.scaled(img, options.scales()[j]);
                for (int v = 0; v < nViews; v++) {
                    long key = ((long) scaled.height() << 32) | scaled.width();
                    bySize.computeIfAbsent(key, k -> new ArrayList<>())
                            .add(new View(i, j, v == 1, scaled.height(), scaled.width(), scaled));
                }
            }
        }
        Set<String> outputs = new LinkedHashSet<>();
        outputs.add(revised ? ModelManifest.CAM_RV : ModelManifest.CAM);
        outputs.add(ModelManifest.SCORES);
        for (List<View> group : bySize.values()) {
            for (int from = 0; from < group.size(); from += options.maxBatch()) {
                List<View> chunk = group.subList(from, Math.min(group.size(), from + options.maxBatch()));
                runChunk(chunk, requests, outputs, probScale, maps, scores);
            }
        }
        List<PseudoMaskResult> results = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            RgbImage img = requests.get(i).image();
            var acc = new ViewAccumulator(fg, img.height(), img.width(), requests.get(i).labels());
            // The training framework's order: scales in order, each unmirrored then mirrored.
            for (int j = 0; j < nScales; j++) {
                for (int v = 0; v < nViews; v++) {
                    int slot = j * nViews + v;
                    if (scores[i][slot] != null) {
                        acc.addScores(scores[i][slot]);
                    }
                    acc.addView(maps[i][slot], v == 1);
                    maps[i][slot] = null;
                }
            }
            results.add(acc.finish(options.backgroundThreshold(), options.uncertainThreshold()));
        }
        return results;
    }

    private void runChunk(List<View> chunk, List<Request> requests, Set<String> outputs, double probScale,
                          float[][][] maps, float[][][] scores) throws OrtException {
        int n = chunk.size();
        int h = chunk.get(0).h();
        int w = chunk.get(0).w();
        int plane = 3 * h * w;
        float[] batch = new float[Math.multiplyExact(n, plane)];
        for (int b = 0; b < n; b++) {
            View v = chunk.get(b);
            System.arraycopy(normalization.toChw(v.pixels(), v.mirrored()), 0, batch, b * plane, plane);
        }
        var out = model.session().run(ModelManifest.INPUT, batch, new long[] {n, 3, h, w}, outputs);
        OnnxSession.Output m = out.get(revised ? ModelManifest.CAM_RV : ModelManifest.CAM);
        OnnxSession.Output s = out.get(ModelManifest.SCORES);
        int classes = fg + 1;
        int mh = Math.toIntExact(m.shape()[2]);
        int mw = Math.toIntExact(m.shape()[3]);
        int mapPlane = mh * mw;
        int nViews = options.flip() ? 2 : 1;
        for (int b = 0; b < n; b++) {
            View v = chunk.get(b);
            RgbImage original = requests.get(v.image()).image();
            // Foreground channels 1..C of this batch element; the stride-8 CAM is ReLU'd as the training framework does.
            float[] fgMaps = Arrays.copyOfRange(m.data(), (b * classes + 1) * mapPlane, (b + 1) * classes * mapPlane);
            if (!revised) {
                for (int i = 0; i < fgMaps.length; i++) {
                    fgMaps[i] = Math.max(fgMaps[i], 0f);
                }
            }
            int slot = v.scale() * nViews + (v.mirrored() ? 1 : 0);
            maps[v.image()][slot] = Bilinear.resize(fgMaps, fg, mh, mw, original.height(), original.width(), false);
            if (options.scales()[v.scale()] == probScale) {
                scores[v.image()][slot] = Arrays.copyOfRange(s.data(), b * classes + 1, (b + 1) * classes);
            }
        }
    }

    private static float[] toFloats(List<Double> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = values.get(i).floatValue();
        }
        return f;
    }
}
