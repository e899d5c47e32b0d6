package ai.seamstream.trainer.gate;

import ai.seamstream.core.metrics.ConfusionMatrix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The proxy figures' formulas, as small pure functions (documented in docs/trainer.md). */
public final class TagMetrics {
    private TagMetrics() {
    }

    /**
     * Average precision of one class: {@code AP = Σ_n (R_n − R_{n−1})·P_n} over the distinct score thresholds in
     * descending order, where P_n and R_n are the precision and recall of "score ≥ threshold n" (tied scores enter
     * together, so the order of ties does not matter). NaN when no image has the class.
     */
    public static double averagePrecision(double[] scores, boolean[] truth) {
        if (scores.length != truth.length) {
            throw new IllegalArgumentException(scores.length + " scores for " + truth.length + " labels");
        }
        int positives = 0;
        for (boolean t : truth) {
            positives += t ? 1 : 0;
        }
        if (positives == 0) {
            return Double.NaN;
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        double ap = 0;
        double prevRecall = 0;
        int tp = 0;
        int seen = 0;
        for (int n = 0; n < order.size(); ) {
            double s = scores[order.get(n)];
            while (n < order.size() && scores[order.get(n)] == s) {
                tp += truth[order.get(n)] ? 1 : 0;
                seen++;
                n++;
            }
            double recall = (double) tp / positives;
            ap += (recall - prevRecall) * ((double) tp / seen);
            prevRecall = recall;
        }
        return ap;
    }

    /**
     * Mean of {@link #averagePrecision} over the classes that occur at least once; NaN if none does.
     *
     * @param scores scores[image][class]
     * @param truth  truth[image][class]
     */
    public static double meanAveragePrecision(float[][] scores, boolean[][] truth) {
        if (scores.length != truth.length || scores.length == 0) {
            throw new IllegalArgumentException("need as many score rows as label rows (>0), got " + scores.length + " and "
                    + truth.length);
        }
        int k = truth[0].length;
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < k; c++) {
            double[] s = new double[scores.length];
            boolean[] t = new boolean[scores.length];
            for (int i = 0; i < scores.length; i++) {
                s[i] = scores[i][c];
                t[i] = truth[i][c];
            }
            double ap = averagePrecision(s, t);
            if (!Double.isNaN(ap)) {
                sum += ap;
                classes++;
            }
        }
        return classes == 0 ? Double.NaN : sum / classes;
    }

    /**
     * Micro-averaged F1 of "score &gt; threshold" against the tags over every (image, class) pair:
     * {@code 2·TP / (2·TP + FP + FN)}; 1 when there are neither tags nor predictions.
     */
    public static double microF1(float[][] scores, boolean[][] truth, double threshold) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < scores.length; i++) {
            for (int c = 0; c < truth[i].length; c++) {
                boolean p = scores[i][c] > threshold;
                if (p && truth[i][c]) {
                    tp++;
                } else if (p) {
                    fp++;
                } else if (truth[i][c]) {
                    fn++;
                }
            }
        }
        return tp + fp + fn == 0 ? 1.0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /**
     * Mean IoU over the classes that occur in either mask of the matrix (unlike the benchmark mIoU, classes absent
     * from both do not count): the overlap of two masks of the same images, 1 for identical masks. NaN if empty.
     */
    public static double overlapIou(ConfusionMatrix m) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < m.classes(); c++) {
            if (m.predicted(c) + m.truth(c) > 0) {
                sum += m.iou(c);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
