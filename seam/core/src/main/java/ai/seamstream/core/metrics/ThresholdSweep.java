package ai.seamstream.core.metrics;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.tensor.ClassMaps;

/**
 * The background-threshold sweep of SEAM-METHOD.md §4: one confusion matrix for each constant background score
 * {@code t_i = i/100}, i = 0..59, where the prediction at t is {@code argmax([t; N_1..N_C])} with ties to the lower
 * index (background wins a tie with t), exactly as {@code PseudoMasks.argmaxWithBackground(maps, (float) t)} does.
 *
 * <p>t is compared in float32, as the reference compares it inside a float32 score tensor. Since the prediction
 * at t is background for {@code t ≥ max_k N_k} and the foreground argmax otherwise, each pixel is reduced once to
 * (true class, foreground argmax, number of thresholds below its foreground maximum); the 60 matrices are derived
 * from those counts on demand. Not thread-safe: give each worker its own sweep and {@link #merge} them.
 */
public final class ThresholdSweep {
    /** The number of thresholds, t = 0.00 .. 0.59. */
    public static final int STEPS = 60;

    /** The float32 values the reference compares against, ascending. */
    private static final float[] THRESHOLDS_F32 = new float[STEPS];

    static {
        for (int i = 0; i < STEPS; i++) {
            THRESHOLDS_F32[i] = (float) threshold(i);
        }
    }

    private final int classes;
    /**
     * histogram[(k * classes + truth) * (classes − 1) + (argmax − 1)]: pixels whose foreground maximum exceeds exactly
     * the first k thresholds (k = 0..60), so they are predicted as argmax for i &lt; k and as background for i ≥ k.
     */
    private final long[] histogram;

    /**
     * Creates an empty sweep for {@code classes} classes, background included.
     *
     * @throws IllegalArgumentException if classes is not in 2..255
     */
    public ThresholdSweep(int classes) {
        if (classes < 2 || classes > LabelMask.IGNORE) {
            throw new IllegalArgumentException("classes must be 2..255 (background plus at least one foreground class), got "
                    + classes);
        }
        this.classes = classes;
        this.histogram = new long[(STEPS + 1) * classes * (classes - 1)];
    }

    /** The i-th threshold, {@code i/100.0}. */
    public static double threshold(int i) {
        if (i < 0 || i >= STEPS) {
            throw new IllegalArgumentException("threshold index " + i + " is outside 0.." + (STEPS - 1));
        }
        return i / 100.0;
    }

    /** The number of classes K, background included. */
    public int classes() {
        return classes;
    }

    /**
     * Counts one image.
     *
     * @param normalizedForeground N: classes − 1 channels at the ground-truth size, already label-masked and
     *                             normalised as SEAM-METHOD.md §3 produces them
     * @param truth                the ground truth; 255 pixels are skipped
     * @throws IllegalArgumentException if the channel count or size does not match, or a true class is ≥ K and not
     *                                  255; the sweep is then unchanged
     */
    public void add(ClassMaps normalizedForeground, LabelMask truth) {
        int fg = classes - 1;
        if (normalizedForeground.channels() != fg) {
            throw new IllegalArgumentException("a " + classes + "-class sweep needs " + fg + " foreground channels, got "
                    + normalizedForeground.channels());
        }
        if (normalizedForeground.width() != truth.width() || normalizedForeground.height() != truth.height()) {
            throw new IllegalArgumentException("score maps are " + normalizedForeground.width() + "x"
                    + normalizedForeground.height() + " but the ground truth is " + truth.width() + "x" + truth.height()
                    + " (width x height)");
        }
        int plane = normalizedForeground.planeSize();
        float[] d = normalizedForeground.data();
        byte[] t = truth.labels();
        // Validate the whole mask first so that a rejected image leaves the counts untouched.
        for (int p = 0; p < plane; p++) {
            int g = t[p] & 0xFF;
            if (g != LabelMask.IGNORE && g >= classes) {
                throw new IllegalArgumentException("ground-truth pixel (x=" + (p % truth.width()) + ", y="
                        + (p / truth.width()) + ") has class " + g + "; valid classes are 0.." + (classes - 1)
                        + " (255 = ignore)");
            }
        }
        for (int p = 0; p < plane; p++) {
            int g = t[p] & 0xFF;
            if (g == LabelMask.IGNORE) {
                continue;
            }
            // Foreground argmax with ties to the lower index; NaN never wins, an all-NaN pixel stays background.
            float max = Float.NEGATIVE_INFINITY;
            int arg = 1;
            for (int c = 0; c < fg; c++) {
                float v = d[c * plane + p];
                if (v > max) {
                    max = v;
                    arg = c + 1;
                }
            }
            int k = thresholdsBelow(max);
            histogram[(k * classes + g) * fg + (arg - 1)]++;
        }
    }

    /**
     * Adds all counts of another sweep with the same class count.
     *
     * @throws IllegalArgumentException if the class counts differ
     */
    public void merge(ThresholdSweep other) {
        if (other.classes != classes) {
            throw new IllegalArgumentException("cannot merge a " + other.classes + "-class sweep into a " + classes
                    + "-class one");
        }
        for (int i = 0; i < histogram.length; i++) {
            histogram[i] = Math.addExact(histogram[i], other.histogram[i]);
        }
    }

    /**
     * The confusion matrix of the masks predicted with background score t.
     *
     * @param t one of the sweep's thresholds 0.00, 0.01, ..., 0.59
     * @throws IllegalArgumentException if t is not on that grid
     */
    public ConfusionMatrix at(double t) {
        return matrix(index(t));
    }

    /** The mIoU at each threshold, index i for t = i/100. */
    public double[] meanIouCurve() {
        double[] curve = new double[STEPS];
        for (int i = 0; i < STEPS; i++) {
            curve[i] = matrix(i).meanIou();
        }
        return curve;
    }

    /** The threshold with the highest mIoU (the smaller t on a tie), with that mIoU and its confusion matrix. */
    public Best best() {
        int bestIndex = 0;
        ConfusionMatrix bestMatrix = matrix(0);
        double bestIou = bestMatrix.meanIou();
        for (int i = 1; i < STEPS; i++) {
            ConfusionMatrix m = matrix(i);
            double iou = m.meanIou();
            if (iou > bestIou) {
                bestIndex = i;
                bestMatrix = m;
                bestIou = iou;
            }
        }
        return new Best(threshold(bestIndex), bestIou, bestMatrix);
    }

    /**
     * The best point of a sweep.
     *
     * @param threshold the background score t
     * @param meanIou   the mIoU at t, background included
     * @param matrix    the confusion matrix at t
     */
    public record Best(double threshold, double meanIou, ConfusionMatrix matrix) {
    }

    /** The number of thresholds strictly below the foreground maximum, i.e. those at which a class beats t. */
    private static int thresholdsBelow(float max) {
        int lo = 0;
        int hi = STEPS;
        // First index whose threshold is ≥ max (NaN compares false everywhere and so yields 0: background).
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (THRESHOLDS_F32[mid] < max) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int index(double t) {
        long i = Math.round(t * 100.0);
        if (!(Math.abs(t - i / 100.0) < 1e-9) || i < 0 || i >= STEPS) {
            throw new IllegalArgumentException("threshold " + t + " is not one of the sweep's values 0.00, 0.01, ..., "
                    + threshold(STEPS - 1));
        }
        return (int) i;
    }

    private ConfusionMatrix matrix(int i) {
        int fg = classes - 1;
        var m = new ConfusionMatrix(classes);
        for (int k = 0; k <= STEPS; k++) {
            for (int g = 0; g < classes; g++) {
                int row = (k * classes + g) * fg;
                for (int a = 1; a <= fg; a++) {
                    long n = histogram[row + a - 1];
                    if (n != 0) {
                        // A class beats t_i exactly when t_i is among the k thresholds below the pixel's maximum.
                        m.addCount(i < k ? a : 0, g, n);
                    }
                }
            }
        }
        return m;
    }
}
