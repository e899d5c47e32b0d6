package ai.seamstream.torch.affinity;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.seamstream.core.augment.ColorJitter;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.postprocess.PseudoMasks;
import ai.seamstream.core.refine.AffinityLabels;
import ai.seamstream.core.refine.DenseCrf;
import ai.seamstream.core.refine.MaskRefiner;
import ai.seamstream.core.tensor.ClassMaps;
import ai.seamstream.torch.infer.MultiScaleInference;
import ai.seamstream.torch.train.PolySgd;
import ai.seamstream.torch.train.TrainingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Training AffinityNet (SEAM's {@code train_aff.py}, SEAM-METHOD §5): labels from the SEAM network's CRF-refined
 * maps at background powers α 4 and 24, then SGD on the three-part affinity loss with random flips, colour jitter
 * and crops; BatchNorm and conv1a/b2 frozen, heads at 10× the learning rate.
 */
public final class AffinityTraining {

    /**
     * Training settings.
     *
     * @param crop       square crop side, a multiple of 8 (zero padding where the image is smaller: ignored pairs)
     * @param lowAlpha   background power of the confident-foreground CRF (reference 4)
     * @param highAlpha  background power of the confident-background CRF (reference 24)
     */
    public record Config(long steps, int batch, int crop, double lr, double headLrMultiplier, double weightDecay,
                         double momentum, double jitter, double hue, double lowAlpha, double highAlpha, int radius, long seed,
                         int logEvery) {
        public Config {
            if (steps < 1 || batch < 1 || crop < 8 || crop % 8 != 0 || radius < 1 || logEvery < 1) {
                throw new IllegalArgumentException("affinity training needs steps, batch >= 1, a crop that is a multiple of 8, "
                        + "radius >= 1; got steps " + steps + ", batch " + batch + ", crop " + crop + ", radius " + radius);
            }
            if (!(lowAlpha >= 0 && highAlpha > lowAlpha)) {
                throw new IllegalArgumentException("need 0 <= low alpha < high alpha, got " + lowAlpha + " and " + highAlpha);
            }
        }
    }

    /** One training image with its two CRF outputs (background, then the tagged classes). */
    public record Example(String id, RgbImage image, ClassMaps low, ClassMaps high) {
    }

    /** Progress of the run. */
    public record Progress(long step, long steps, float loss, float background, float foreground, float negative, double imagesPerSecond) {
    }

    private AffinityTraining() {
    }

    /** CRF outputs at both powers for every training image, from the SEAM network's pseudo-mask maps. */
    public static List<Example> labels(MultiScaleInference inference, TrainingSet set, Config cfg, DenseCrf.Config crf,
                                       Consumer<String> log) {
        var out = new ArrayList<Example>();
        int done = 0;
        for (var ex : set.examples()) {
            var r = inference.run(ex.image(), ex.labels());
            out.add(new Example(ex.id(), ex.image(), crfMaps(ex.image(), r.normalized(), r.tags(), cfg.lowAlpha(), crf),
                    crfMaps(ex.image(), r.normalized(), r.tags(), cfg.highAlpha(), crf)));
            if (++done % 50 == 0 || done == set.examples().size()) {
                log.accept("affinity labels: " + done + "/" + set.examples().size() + " images");
            }
        }
        return out;
    }

    static ClassMaps crfMaps(RgbImage img, ClassMaps normalized, boolean[] tags, double alpha, DenseCrf.Config crf) {
        var present = new ArrayList<Integer>();
        for (int k = 0; k < tags.length; k++) {
            if (tags[k]) {
                present.add(k);
            }
        }
        int plane = normalized.planeSize();
        float[] sel = new float[Math.max(1, present.size()) * plane];
        for (int i = 0; i < present.size(); i++) {
            System.arraycopy(normalized.data(), normalized.offset(present.get(i)), sel, i * plane, plane);
        }
        ClassMaps bgcam = PseudoMasks.powerBackground(new ClassMaps(Math.max(1, present.size()), normalized.height(),
                normalized.width(), sel), alpha);
        return DenseCrf.inference(img, bgcam, crf);
    }

    /** Trains {@code net} in place; returns the progress reports. */
    public static List<Progress> train(AffinityNetwork net, List<Example> data, Config cfg, Consumer<Progress> listener) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no training images");
        }
        var sgd = new PolySgd(net.params(), new PolySgd.Config(cfg.lr(), cfg.headLrMultiplier(), cfg.weightDecay(), cfg.momentum(),
                0.9, cfg.steps()));
        var rng = new SplittableRandom(cfg.seed());
        int[] order = new int[data.size()];
        int pos = order.length;
        int crop = cfg.crop();
        int g = crop / 8;
        var history = new ArrayList<Progress>();
        double[] window = new double[4];
        int windowSteps = 0;
        long windowStart = System.nanoTime();
        try {
            for (long step = 0; step < cfg.steps(); step++) {
                float[] images = new float[cfg.batch() * 3 * crop * crop];
                var labels = new ArrayList<AffinityLabels.PairMasks[]>();
                for (int b = 0; b < cfg.batch(); b++) {
                    if (pos == order.length) {
                        for (int i = 0; i < order.length; i++) {
                            order[i] = i;
                        }
                        for (int i = order.length - 1; i > 0; i--) {
                            int j = rng.nextInt(i + 1);
                            int t = order[i];
                            order[i] = order[j];
                            order[j] = t;
                        }
                        pos = 0;
                    }
                    Example ex = data.get(order[pos++]);
                    Sample s = sample(ex, cfg, rng);
                    System.arraycopy(s.chw, 0, images, b * 3 * crop * crop, 3 * crop * crop);
                    labels.add(AffinityLabels.pairs(AffinityLabels.grid(s.low, s.high, 8), g, g, cfg.radius()));
                }
                float[] l = new float[4];
                try (NDManager m = net.params().manager().getParentManager().newSubManager()) {
                    NDArray x = m.create(images, new Shape(cfg.batch(), 3, crop, crop));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray f = net.features(x, true);
                        AffinityLoss.Terms t = AffinityLoss.compute(f, labels);
                        l[0] = t.total().getFloat();
                        l[1] = t.background().getFloat();
                        l[2] = t.foreground().getFloat();
                        l[3] = t.negative().getFloat();
                        if (!Float.isFinite(l[0])) {
                            throw new IllegalStateException("affinity loss became " + l[0] + " at step " + (step + 1)
                                    + "; lower the learning rate");
                        }
                        gc.backward(t.total());
                    }
                }
                try {
                    sgd.step();
                } catch (PolySgd.NonFiniteGradientException e) {
                    org.slf4j.LoggerFactory.getLogger(AffinityTraining.class).warn("skipped update: {}", e.getMessage());
                }
                for (int i = 0; i < 4; i++) {
                    window[i] += l[i];
                }
                windowSteps++;
                if ((step + 1) % cfg.logEvery() == 0 || step + 1 == cfg.steps()) {
                    long now = System.nanoTime();
                    var p = new Progress(step + 1, cfg.steps(), (float) (window[0] / windowSteps), (float) (window[1] / windowSteps),
                            (float) (window[2] / windowSteps), (float) (window[3] / windowSteps),
                            windowSteps * cfg.batch() / ((now - windowStart) / 1e9));
                    history.add(p);
                    listener.accept(p);
                    window = new double[4];
                    windowSteps = 0;
                    windowStart = now;
                }
            }
        } finally {
            sgd.close();
        }
        return history;
    }

    private record Sample(float[] chw, ClassMaps low, ClassMaps high) {
    }

    /** Flip, colour jitter, then a random crop (zero-padded; padded label pixels carry no score and are ignored). */
    private static Sample sample(Example ex, Config cfg, SplittableRandom rng) {
        RgbImage img = ex.image();
        ClassMaps low = ex.low();
        ClassMaps high = ex.high();
        if (rng.nextBoolean()) {
            img = flip(img);
            low = ai.seamstream.core.resample.Bilinear.flipHorizontal(low);
            high = ai.seamstream.core.resample.Bilinear.flipHorizontal(high);
        }
        double j = cfg.jitter();
        if (j > 0) {
            img = ColorJitter.brightness(img, 1 + rng.nextDouble(-j, j));
            img = ColorJitter.contrast(img, 1 + rng.nextDouble(-j, j));
            img = ColorJitter.saturation(img, 1 + rng.nextDouble(-j, j));
        }
        if (cfg.hue() > 0) {
            img = ColorJitter.hue(img, rng.nextDouble(-cfg.hue(), cfg.hue()));
        }
        int crop = cfg.crop();
        int w = img.width();
        int h = img.height();
        // psa's RandomCrop: the crop's offset in the image (≥ 0 when the image is larger) and the image's offset
        // in the crop (≥ 0 when it is smaller)
        int cx = w > crop ? rng.nextInt(w - crop + 1) : 0;
        int cy = h > crop ? rng.nextInt(h - crop + 1) : 0;
        int px = w < crop ? rng.nextInt(crop - w + 1) : 0;
        int py = h < crop ? rng.nextInt(crop - h + 1) : 0;
        float[] full = Normalization.IMAGENET.toChw(img);
        float[] chw = new float[3 * crop * crop];
        int k = low.channels();
        float[] lo = new float[k * crop * crop];
        float[] hi = new float[k * crop * crop];
        for (int y = 0; y < crop; y++) {
            int sy = y - py + cy;
            if (sy < 0 || sy >= h) {
                continue;
            }
            for (int x = 0; x < crop; x++) {
                int sx = x - px + cx;
                if (sx < 0 || sx >= w) {
                    continue;
                }
                for (int c = 0; c < 3; c++) {
                    chw[(c * crop + y) * crop + x] = full[(c * h + sy) * w + sx];
                }
                for (int c = 0; c < k; c++) {
                    lo[(c * crop + y) * crop + x] = low.get(c, sy, sx);
                    hi[(c * crop + y) * crop + x] = high.get(c, sy, sx);
                }
            }
        }
        return new Sample(chw, new ClassMaps(k, crop, crop, lo), new ClassMaps(k, crop, crop, hi));
    }

    private static RgbImage flip(RgbImage img) {
        var out = RgbImage.blank(img.width(), img.height());
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    out.set(img.width() - 1 - x, y, c, img.get(x, y, c));
                }
            }
        }
        return out;
    }

    /**
     * The affinity features of one image for the random walk: the normalised image zero-padded to a multiple of 8
     * (as the reference's {@code infer_aff.py}), through the network in eval mode.
     */
    public static MaskRefiner.AffinityFeatures features(AffinityNetwork net, RgbImage img) {
        int w = img.width();
        int h = img.height();
        int pw = (w + 7) / 8 * 8;
        int ph = (h + 7) / 8 * 8;
        float[] full = Normalization.IMAGENET.toChw(img);
        float[] padded = new float[3 * ph * pw];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(full, (c * h + y) * w, padded, (c * ph + y) * pw, w);
            }
        }
        try (NDManager m = net.params().manager().getParentManager().newSubManager()) {
            NDArray f = net.features(m.create(padded, new Shape(1, 3, ph, pw)), false);
            Shape s = f.getShape();
            return new MaskRefiner.AffinityFeatures(f.toFloatArray(), Math.toIntExact(s.get(1)), Math.toIntExact(s.get(2)),
                    Math.toIntExact(s.get(3)));
        }
    }
}
