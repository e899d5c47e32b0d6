package ai.seamstream.core.metrics;

import ai.seamstream.core.mask.LabelMask;

import java.util.Arrays;

/**
 * Pixel counts of (predicted class, true class) pairs over K classes including background, with the per-class
 * IoU, over- and under-activation ratios of SEAM-METHOD.md §4.
 *
 * <p>Pixels whose truth is {@link LabelMask#IGNORE} are never counted. A prediction of {@link LabelMask#IGNORE}
 * ("no prediction") is counted as a miss: it adds to {@link #truth(int)} of the true class and to no
 * {@link #predicted(int)}, exactly as the reference evaluation treats it.
 *
 * <p>Every ratio divides by {@code T + P − TP + 1e-10}, as the reference evaluation does, so a class that is
 * neither predicted nor present anywhere has IoU, FP and FN equal to 0 (not NaN), and it still counts in
 * {@link #meanIou()} (lowering it): that is the published behaviour, kept so that numbers are comparable. For
 * a class that does occur the 1e-10 changes the ratio by a relative 1e-10 / union, far below printed precision.
 *
 * <p>Counters are {@code long}; not thread-safe (give each worker its own matrix and {@link #merge} them).
 */
public final class ConfusionMatrix {
    /** The denominator guard of the reference evaluation (SEAM-METHOD.md §4). */
    static final double EPSILON = 1e-10;

    private final int classes;
    /** counts[predicted * classes + truth]. */
    private final long[] counts;
    /** Pixels whose prediction is IGNORE, by true class. */
    private final long[] unpredicted;

    /**
     * Creates an all-zero matrix for {@code classes} classes (background included).
     *
     * @throws IllegalArgumentException if classes is not in 2..255
     */
    public ConfusionMatrix(int classes) {
        if (classes < 2 || classes > LabelMask.IGNORE) {
            throw new IllegalArgumentException("classes must be 2..255 (background plus at least one foreground class), got "
                    + classes);
        }
        this.classes = classes;
        this.counts = new long[classes * classes];
        this.unpredicted = new long[classes];
    }

    /** The number of classes K, background included. */
    public int classes() {
        return classes;
    }

    /**
     * Counts every pixel of a predicted mask against the ground truth of the same size.
     *
     * @throws IllegalArgumentException if the sizes differ (naming both), or a pixel holds a class ≥ K other than 255;
     *                                  the matrix is then unchanged
     */
    public void add(LabelMask predicted, LabelMask truth) {
        if (predicted.width() != truth.width() || predicted.height() != truth.height()) {
            throw new IllegalArgumentException("predicted mask is " + predicted.width() + "x" + predicted.height()
                    + " but the ground truth is " + truth.width() + "x" + truth.height() + " (width x height)");
        }
        byte[] p = predicted.labels();
        byte[] t = truth.labels();
        // Validate the whole mask first so that a rejected mask leaves the counts untouched.
        for (int i = 0; i < t.length; i++) {
            int g = t[i] & 0xFF;
            int q = p[i] & 0xFF;
            if (g != LabelMask.IGNORE && (g >= classes || (q >= classes && q != LabelMask.IGNORE))) {
                int w = truth.width();
                throw new IllegalArgumentException("pixel (x=" + (i % w) + ", y=" + (i / w) + ") has predicted class " + q
                        + " and true class " + g + "; valid classes are 0.." + (classes - 1) + " (255 = ignore)");
            }
        }
        for (int i = 0; i < t.length; i++) {
            int g = t[i] & 0xFF;
            if (g != LabelMask.IGNORE) {
                increment(p[i] & 0xFF, g);
            }
        }
    }

    /**
     * Counts one pixel; a truth of 255 is skipped and a prediction of 255 is a miss.
     *
     * @throws IllegalArgumentException if either class is outside 0..K−1 and not 255
     */
    public void addPixel(int predicted, int truth) {
        if (truth == LabelMask.IGNORE) {
            return;
        }
        checkClass("true class", truth);
        if (predicted != LabelMask.IGNORE) {
            checkClass("predicted class", predicted);
        }
        increment(predicted, truth);
    }

    /**
     * Adds {@code n} pixels of one (predicted, truth) pair: the bulk form of {@link #addPixel} used by the threshold
     * sweep and by tests that need counts beyond the int range.
     */
    void addCount(int predicted, int truth, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("pixel count must be non-negative, got " + n);
        }
        checkClass("true class", truth);
        if (predicted == LabelMask.IGNORE) {
            unpredicted[truth] = Math.addExact(unpredicted[truth], n);
        } else {
            checkClass("predicted class", predicted);
            counts[predicted * classes + truth] = Math.addExact(counts[predicted * classes + truth], n);
        }
    }

    /**
     * Adds all counts of another matrix of the same class count to this one.
     *
     * @throws IllegalArgumentException if the class counts differ
     * @throws ArithmeticException if a counter would overflow a long
     */
    public void merge(ConfusionMatrix other) {
        if (other.classes != classes) {
            throw new IllegalArgumentException("cannot merge a " + other.classes + "-class confusion matrix into a "
                    + classes + "-class one");
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] = Math.addExact(counts[i], other.counts[i]);
        }
        for (int i = 0; i < unpredicted.length; i++) {
            unpredicted[i] = Math.addExact(unpredicted[i], other.unpredicted[i]);
        }
    }

    /** The number of counted pixels predicted as {@code predicted} (255 = no prediction) whose truth is {@code truth}. */
    public long count(int predicted, int truth) {
        checkClass("true class", truth);
        if (predicted == LabelMask.IGNORE) {
            return unpredicted[truth];
        }
        checkClass("predicted class", predicted);
        return counts[predicted * classes + truth];
    }

    /** TP_c: counted pixels predicted as c whose truth is c. */
    public long truePositives(int c) {
        checkClass("class", c);
        return counts[c * classes + c];
    }

    /** P_c: counted pixels (truth ≠ 255) predicted as c. */
    public long predicted(int c) {
        checkClass("class", c);
        long sum = 0;
        for (int g = 0; g < classes; g++) {
            sum += counts[c * classes + g];
        }
        return sum;
    }

    /** T_c: counted pixels whose truth is c, whatever was predicted. */
    public long truth(int c) {
        checkClass("class", c);
        long sum = unpredicted[c];
        for (int q = 0; q < classes; q++) {
            sum += counts[q * classes + c];
        }
        return sum;
    }

    /** The number of counted pixels (those with truth ≠ 255). */
    public long total() {
        long sum = 0;
        for (long n : counts) {
            sum += n;
        }
        for (long n : unpredicted) {
            sum += n;
        }
        return sum;
    }

    /** IoU_c = TP/(T + P − TP + 1e-10) (SEAM-METHOD.md §4; 0 for a class absent from prediction and truth). */
    public double iou(int c) {
        long tp = truePositives(c);
        return tp / union(c);
    }

    /** mIoU: the mean of {@link #iou(int)} over all K classes, background included (SEAM-METHOD.md §4). */
    public double meanIou() {
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += iou(c);
        }
        return sum / classes;
    }

    /** FP_c = (P − TP)/(T + P − TP + 1e-10), the over-activation share of the union (SEAM-METHOD.md §4). */
    public double falsePositive(int c) {
        return (predicted(c) - truePositives(c)) / union(c);
    }

    /** FN_c = (T − TP)/(T + P − TP + 1e-10), the under-activation share of the union (SEAM-METHOD.md §4). */
    public double falseNegative(int c) {
        return (truth(c) - truePositives(c)) / union(c);
    }

    /** The paper's m_FP: the mean of {@link #falsePositive(int)} over the foreground classes 1..K−1. */
    public double meanFalsePositive() {
        double sum = 0;
        for (int c = 1; c < classes; c++) {
            sum += falsePositive(c);
        }
        return sum / (classes - 1);
    }

    /** The paper's m_FN: the mean of {@link #falseNegative(int)} over the foreground classes 1..K−1. */
    public double meanFalseNegative() {
        double sum = 0;
        for (int c = 1; c < classes; c++) {
            sum += falseNegative(c);
        }
        return sum / (classes - 1);
    }

    /** An independent copy of this matrix. */
    public ConfusionMatrix copy() {
        var m = new ConfusionMatrix(classes);
        m.merge(this);
        return m;
    }

    private double union(int c) {
        long tp = truePositives(c);
        return (double) (truth(c) + predicted(c) - tp) + EPSILON;
    }

    private void increment(int predicted, int truth) {
        if (predicted == LabelMask.IGNORE) {
            unpredicted[truth]++;
        } else {
            counts[predicted * classes + truth]++;
        }
    }

    private void checkClass(String what, int c) {
        if (c < 0 || c >= classes) {
            throw new IllegalArgumentException(what + " " + c + " is outside 0.." + (classes - 1));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix m && m.classes == classes && Arrays.equals(m.counts, counts)
                && Arrays.equals(m.unpredicted, unpredicted);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(counts) + Arrays.hashCode(unpredicted);
    }

    @Override
    public String toString() {
        return "ConfusionMatrix[classes=" + classes + ", pixels=" + total() + ", mIoU=" + meanIou() + "]";
    }
}
