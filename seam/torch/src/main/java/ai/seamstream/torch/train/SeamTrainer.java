package ai.seamstream.torch.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.seamstream.core.augment.AugmentConfig;
import ai.seamstream.core.augment.Augmenter;
import ai.seamstream.core.augment.NeighbourhoodHue;
import ai.seamstream.torch.loss.SeamObjective;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The training loop of SEAM-METHOD §2: augmented batches, the siamese objective (or the CAM baseline's
 * classification loss), backward, poly SGD, progress; stops with {@link DivergedException} on a non-finite loss.
 */
public final class SeamTrainer {

    /**
     * The benchmark's dense stand-in pre-training (not SEAM): a CAM network whose last B fc8 rows learn, per stride-8
     * cell, the {@link NeighbourhoodHue} bin of the augmented image, weighted by {@code weight} next to the
     * classification loss of the data's first {@code C − B} foreground classes (see
     * {@link SeamObjective#camWithDenseTargets}). The data's vocabulary ends with B names for the bins; their
     * image-level labels are not used.
     */
    public record DenseTargets(NeighbourhoodHue.Settings hue, double weight) {
        public DenseTargets {
            if (hue == null || !(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("dense targets need hue settings and a finite weight > 0, got " + hue
                        + ", " + weight);
            }
        }
    }

    /**
     * The largest s of the transform A a run accepts. The paper's A is any affine transform and its choice a
     * down-scale by 0.3; an up-scale (1 < s &le; 2) makes the second branch the finer one (docs/benchmarks/README.md,
     * finding 14). s = 1 would make the two branches the same image.
     */
    public static final double MAX_TRANSFORM_SCALE = 2.0;

    /**
     * Refuses a transform scale outside (0, 1) and (1, {@link #MAX_TRANSFORM_SCALE}].
     *
     * @throws IllegalArgumentException with the reason
     */
    public static void checkTransformScale(double s) {
        if (!(s > 0 && s <= MAX_TRANSFORM_SCALE) || s == 1) {
            throw new IllegalArgumentException("the transform scale s must be in (0, 1) or (1, " + MAX_TRANSFORM_SCALE
                    + "] (1 would give both siamese branches the same image), got " + s);
        }
    }

    /**
     * A training run's settings. {@code transformScale} is s of the affine transform A (0.3; any s in (0, 1) or
     * (1, {@link #MAX_TRANSFORM_SCALE}]). {@code dense}, null for every SEAM or CAM run, turns a CAM run into the
     * benchmark's dense pre-training.
     */
    public record Config(long steps, int batch, AugmentConfig augment, PolySgd.Config optimizer, double transformScale,
                         long seed, int logEvery, SeamObjective.Weights lossWeights, DenseTargets dense) {
        /** The reference's loss weights (all 1). */
        public Config(long steps, int batch, AugmentConfig augment, PolySgd.Config optimizer, double transformScale,
                      long seed, int logEvery) {
            this(steps, batch, augment, optimizer, transformScale, seed, logEvery, SeamObjective.Weights.REFERENCE);
        }

        /** No dense targets. */
        public Config(long steps, int batch, AugmentConfig augment, PolySgd.Config optimizer, double transformScale,
                      long seed, int logEvery, SeamObjective.Weights lossWeights) {
            this(steps, batch, augment, optimizer, transformScale, seed, logEvery, lossWeights, null);
        }

        public Config {
            if (lossWeights == null) {
                throw new IllegalArgumentException("loss weights must not be null");
            }
            if (steps <= 0 || batch <= 0 || logEvery <= 0) {
                throw new IllegalArgumentException("invalid training settings: steps " + steps + ", batch " + batch
                        + ", log every " + logEvery);
            }
            checkTransformScale(transformScale);
        }
    }

    /**
     * Loss values of one step (for the CAM method only {@code cls} and {@code total} are non-zero). {@code dense} is
     * the unweighted dense term of the benchmark's stand-in pre-training ({@link DenseTargets}), zero otherwise.
     */
    public record Losses(float total, float cls, float minPool, float er, float ecr, float dense) {
        /** Losses without a dense term. */
        public Losses(float total, float cls, float minPool, float er, float ecr) {
            this(total, cls, minPool, er, ecr, 0f);
        }
    }

    /** What a progress listener sees: the step just finished, its losses averaged since the last report, speed, ETA. */
    public record Progress(long step, long totalSteps, Losses losses, double imagesPerSecond, Duration eta) {
        /** One log line: step, losses (the dense term only when there is one), images/s, ETA. */
        public String line() {
            long s = eta.toSeconds();
            String dense = losses.dense == 0f ? "" : String.format(" dense %.4f", losses.dense);
            return String.format("step %d/%d (%.0f%%) loss %.4f [cls %.4f min %.4f er %.4f ecr %.4f%s] %.1f img/s ETA %dm%02ds",
                    step, totalSteps, 100.0 * step / totalSteps, losses.total, losses.cls, losses.minPool, losses.er,
                    losses.ecr, dense, imagesPerSecond, s / 60, s % 60);
        }
    }

    /** The outcome of a run: mean losses of the first and last reporting windows, and the time it took. */
    public record Result(long steps, Losses first, Losses last, double seconds, List<Progress> history) {
    }

    /** Thrown when the loss becomes NaN or infinite: the run is stopped and nothing should be saved or promoted. */
    public static final class DivergedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DivergedException(String message) {
            super(message);
        }
    }

    /** Receives progress reports. */
    @FunctionalInterface
    public interface Listener {
        void onProgress(Progress p);
    }

    /** Consecutive steps with a non-finite gradient tolerated before the run is declared diverged. */
    static final int MAX_SKIPPED_STEPS = 5;

    private SeamTrainer() {
    }

    /**
     * Trains {@code net} in place.
     *
     * @param cancelled polled once per step; when it answers true the run stops after that step
     * @throws DivergedException on a non-finite loss
     */
    public static Result train(SeamNetwork net, TrainingSet data, Config cfg, Listener listener, BooleanSupplier cancelled) {
        NetConfig nc = net.config();
        if (nc.classes() != data.classes().size()) {
            throw new IllegalArgumentException("the network has " + nc.classes() + " classes, the data " + data.classes().size());
        }
        DenseTargets dense = cfg.dense();
        int bins = dense == null ? 0 : dense.hue().bins();
        if (dense != null && (nc.method() != NetConfig.Method.CAM || data.classes().foregroundCount() <= bins)) {
            throw new IllegalArgumentException("dense targets need a CAM network and a vocabulary of classes followed by "
                    + bins + " bin names, got " + nc.method() + " with " + data.classes().foregroundCount()
                    + " foreground names");
        }
        int grid = NeighbourhoodHue.cells(cfg.augment().cropSize(), 8);
        var augmenter = new Augmenter(cfg.augment());
        var sgd = new PolySgd(net.params(), cfg.optimizer());
        var order = new EpochOrder(data.size(), cfg.seed());
        int crop = cfg.augment().cropSize();
        int classes = nc.classes();
        var history = new ArrayList<Progress>();
        Losses first = null;
        double[] window = new double[6];
        int windowSteps = 0;
        long start = System.nanoTime();
        long windowStart = start;
        long step = 0;
        int badSteps = 0;
        try {
            for (step = 0; step < cfg.steps(); step++) {
                float[] images = new float[cfg.batch() * 3 * crop * crop];
                float[] labels = new float[cfg.batch() * classes];
                float[] oneHot = dense == null ? null : new float[cfg.batch() * bins * grid * grid];
                for (int b = 0; b < cfg.batch(); b++) {
                    TrainingSet.Example ex = data.examples().get(order.next());
                    // Each sample's randomness depends only on (seed, step, slot): a run is reproducible.
                    var rng = new SplittableRandom(mix(cfg.seed(), step, b));
                    var aug = augmenter.apply(ex.image(), rng);
                    System.arraycopy(aug.chw(), 0, images, b * 3 * crop * crop, 3 * crop * crop);
                    if (dense != null) {
                        // Targets from the augmented image itself: flips, crops and colour jitter move them along.
                        int[] t = NeighbourhoodHue.targets(aug.chw(), crop, crop, cfg.augment().norm(), 8, dense.hue());
                        for (int i = 0; i < t.length; i++) {
                            if (t[i] != NeighbourhoodHue.IGNORE) {
                                oneHot[(b * bins + t[i]) * grid * grid + i] = 1f;
                            }
                        }
                    }
                    labels[b * classes] = 1f; // ỹ = [1; y]: background is always present
                    for (int k = 0; k < ex.labels().length; k++) {
                        labels[b * classes + 1 + k] = ex.labels()[k] ? 1f : 0f;
                    }
                }
                Losses l;
                try (NDManager m = net.params().manager().getParentManager().newSubManager()) {
                    NDArray x = m.create(images, new Shape(cfg.batch(), 3, crop, crop));
                    NDArray y = m.create(labels, new Shape(cfg.batch(), classes));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        SeamObjective.Terms t = nc.method() == NetConfig.Method.SEAM
                                ? SeamObjective.seam(net, x, y, cfg.transformScale(), true, cfg.lossWeights())
                                : dense != null
                                ? SeamObjective.camWithDenseTargets(net, x, y, data.classes().foregroundCount() - bins,
                                        m.create(oneHot, new Shape(cfg.batch(), bins, grid, grid)), dense.weight(), true)
                                : SeamObjective.cam(net, x, y, true);
                        l = new Losses(t.total().getFloat(), t.cls().getFloat(), t.minPool().getFloat(), t.er().getFloat(),
                                t.ecr().getFloat(), t.dense().getFloat());
                        if (!Float.isFinite(l.total)) {
                            throw new DivergedException("loss became " + l.total + " at step " + (step + 1) + " (cls " + l.cls
                                    + ", min " + l.minPool + ", er " + l.er + ", ecr " + l.ecr + "); lower the learning rate");
                        }
                        gc.backward(t.total());
                    }
                }
                try {
                    sgd.step();
                    badSteps = 0;
                } catch (PolySgd.NonFiniteGradientException e) {
                    // One bad batch is skipped (nothing was applied); a run of them means the run has diverged.
                    if (++badSteps > MAX_SKIPPED_STEPS) {
                        throw new DivergedException(e.getMessage() + " (" + badSteps + " steps in a row); lower the learning rate");
                    }
                    org.slf4j.LoggerFactory.getLogger(SeamTrainer.class).warn("skipped update: {}", e.getMessage());
                }
                window[0] += l.total;
                window[1] += l.cls;
                window[2] += l.minPool;
                window[3] += l.er;
                window[4] += l.ecr;
                window[5] += l.dense;
                windowSteps++;
                boolean last = step + 1 == cfg.steps() || cancelled.getAsBoolean();
                if ((step + 1) % cfg.logEvery() == 0 || last) {
                    long now = System.nanoTime();
                    Losses mean = new Losses((float) (window[0] / windowSteps), (float) (window[1] / windowSteps),
                            (float) (window[2] / windowSteps), (float) (window[3] / windowSteps), (float) (window[4] / windowSteps),
                            (float) (window[5] / windowSteps));
                    double ips = windowSteps * cfg.batch() / ((now - windowStart) / 1e9);
                    double secPerStep = (now - start) / 1e9 / (step + 1);
                    var p = new Progress(step + 1, cfg.steps(), mean,
                            ips, Duration.ofMillis((long) (secPerStep * (cfg.steps() - step - 1) * 1000)));
                    if (first == null) {
                        first = mean;
                    }
                    history.add(p);
                    listener.onProgress(p);
                    window = new double[6];
                    windowSteps = 0;
                    windowStart = now;
                }
                if (last && step + 1 < cfg.steps()) {
                    step++;
                    break;
                }
            }
        } finally {
            sgd.close();
        }
        Losses lastLosses = history.isEmpty() ? null : history.get(history.size() - 1).losses();
        return new Result(step, first, lastLosses, (System.nanoTime() - start) / 1e9, history);
    }

    private static long mix(long seed, long step, int slot) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + slot * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Visits every example once per epoch in a seeded random order, like a shuffling data loader. */
    static final class EpochOrder {
        private final int[] perm;
        private final SplittableRandom rng;
        private int pos;

        EpochOrder(int n, long seed) {
            this.perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            this.rng = new SplittableRandom(seed);
            shuffle();
        }

        int next() {
            if (pos == perm.length) {
                shuffle();
            }
            return perm[pos++];
        }

        private void shuffle() {
            for (int i = perm.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            pos = 0;
        }
    }
}
