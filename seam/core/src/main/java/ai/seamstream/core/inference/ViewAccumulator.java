package ai.seamstream.core.inference;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.postprocess.PseudoMasks;
import ai.seamstream.core.postprocess.Uncertainty;
import ai.seamstream.core.tensor.ClassMaps;
import java.util.ArrayList;
import java.util.List;

/**
 * Sums the views of one image into a pseudo-mask (SEAM-METHOD §3): each view's foreground maps, already resized to
 * the original size, are flipped back if mirrored, multiplied by the labels and added; the class probabilities are
 * the mean σ(s_k) over the views of the probability scale. Without labels the views are kept until
 * {@link #finish} knows the predicted tags. Both engines feed views in the same order (scales in order, each
 * unmirrored then mirrored), so they add the same floats in the same order.
 */
public final class ViewAccumulator {
    private final int fg;
    private final int height;
    private final int width;
    private final boolean[] labels;
    private final float[] sum;
    private final float[] probSum;
    private int probViews;
    private final List<float[]> pending;

    /**
     * @param foregroundClasses C
     * @param height            original image height
     * @param width             original image width
     * @param labels            the image-level labels (C entries), or null to use the predicted tags
     */
    public ViewAccumulator(int foregroundClasses, int height, int width, boolean[] labels) {
        if (foregroundClasses < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("need at least one class and one pixel, got " + foregroundClasses + " classes "
                    + height + "x" + width);
        }
        if (labels != null && labels.length != foregroundClasses) {
            throw new IllegalArgumentException("expected " + foregroundClasses + " labels, got " + labels.length);
        }
        this.fg = foregroundClasses;
        this.height = height;
        this.width = width;
        this.labels = labels == null ? null : labels.clone();
        this.sum = new float[Math.multiplyExact(foregroundClasses, Math.multiplyExact(height, width))];
        this.probSum = new float[foregroundClasses];
        this.pending = labels == null ? new ArrayList<>() : null;
    }

    /**
     * Adds one view: {@code maps} are C foreground maps at the original size, in the view's own orientation.
     *
     * @throws IllegalArgumentException if the array has the wrong length
     */
    public void addView(float[] maps, boolean mirrored) {
        int plane = height * width;
        if (maps.length != fg * plane) {
            throw new IllegalArgumentException("a view needs " + fg + "x" + height + "x" + width + " values, got " + maps.length);
        }
        float[] view = maps;
        if (mirrored) {
            view = new float[maps.length];
            for (int k = 0; k < fg; k++) {
                int o = k * plane;
                for (int y = 0; y < height; y++) {
                    int row = o + y * width;
                    for (int x = 0; x < width; x++) {
                        view[row + x] = maps[row + (width - 1 - x)];
                    }
                }
            }
        }
        if (pending != null) {
            pending.add(view);
        } else {
            accumulate(view, labels);
        }
    }

    /**
     * Adds the class scores of one view of the probability scale: {@code scores} holds s_k for the C foreground
     * classes (the mean of the input-size CAM, SEAM-METHOD §2).
     */
    public void addScores(float[] scores) {
        if (scores.length != fg) {
            throw new IllegalArgumentException("expected " + fg + " class scores, got " + scores.length);
        }
        for (int k = 0; k < fg; k++) {
            probSum[k] += (float) (1 / (1 + Math.exp(-scores[k])));
        }
        probViews++;
    }

    /** Normalises the sum per class, takes the argmax against background score {@code t}, and scores uncertainty. */
    public PseudoMaskResult finish(float backgroundThreshold, double uncertainThreshold) {
        float[] probs = new float[fg];
        for (int k = 0; k < fg; k++) {
            probs[k] = probSum[k] / Math.max(1, probViews);
        }
        boolean[] tags = labels;
        boolean predicted = false;
        if (tags == null) {
            predicted = true;
            tags = new boolean[fg];
            for (int k = 0; k < fg; k++) {
                tags[k] = probs[k] > 0.5f;
            }
            for (float[] view : pending) {
                accumulate(view, tags);
            }
            pending.clear();
        }
        ClassMaps normalized = PseudoMasks.normalizePerClass(new ClassMaps(fg, height, width, sum));
        LabelMask mask = PseudoMasks.argmaxWithBackground(normalized, backgroundThreshold);
        float[] u = Uncertainty.map(normalized, tags, backgroundThreshold);
        return new PseudoMaskResult(normalized, tags, predicted, probs, mask, u, Uncertainty.score(u, uncertainThreshold));
    }

    /** Adds a view's maps with absent classes zeroed (SEAM-METHOD §3: multiplied by y). */
    private void accumulate(float[] view, boolean[] tags) {
        int plane = height * width;
        for (int k = 0; k < fg; k++) {
            if (!tags[k]) {
                continue;
            }
            int o = k * plane;
            for (int i = 0; i < plane; i++) {
                sum[o + i] += view[o + i];
            }
        }
    }
}
