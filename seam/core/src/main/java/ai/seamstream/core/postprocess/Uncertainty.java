package ai.seamstream.core.postprocess;

import ai.seamstream.core.tensor.ClassMaps;

/**
 * How close each pixel of a pseudo-mask is to a different label: a per-pixel uncertainty map and its per-image score.
 *
 * <p>At a pixel the candidates are exactly those the mask's argmax can pick (SEAM-METHOD.md §3): the background score
 * t and the normalised score N_k of every present class k (absent classes are −1 after normalisation and can never
 * win). With b the best and s the second-best candidate, the margin {@code m = b − s} is divided by the largest
 * margin the winner could have had: t if background wins (foreground scores are ≥ 0 up to the normalisation's
 * slightly negative floor), 1 − t if a class wins (normalised scores stay below 1 and the runner-up is at least t):
 *
 * <pre>  u = 1 − clamp(m / (b is t ? t : 1 − t), 0, 1)</pre>
 *
 * <p>so u = 1 is a coin toss between two labels and u = 0 a clear winner (a pixel with N = 0 against t, or N ≈ 1
 * against t). A pixel with no present class has the single candidate t, hence u = 0. A tie between t and a class
 * counts as background winning with margin 0, so u = 1.
 */
public final class Uncertainty {
    private Uncertainty() {
    }

    /**
     * One image's uncertainty: the mean of u over its pixels and the fraction of pixels with u above a threshold.
     *
     * @param mean the mean of the map, in [0, 1]
     * @param uncertainFraction the fraction of pixels with u strictly above the threshold, in [0, 1]
     */
    public record Score(double mean, double uncertainFraction) {
    }

    /**
     * The per-pixel uncertainty u (class Javadoc) of the mask {@code argmax([t; N_k for present k])}, row-major
     * ({@code y*width + x}).
     *
     * @param normalized N: C foreground channels from {@link PseudoMasks#normalizePerClass}
     * @param labels y: one image-level flag per channel; only present classes are candidates
     * @param t the background score, 0 &lt; t &lt; 1
     * @throws IllegalArgumentException if labels does not match the channels or t is outside (0, 1)
     */
    public static float[] map(ClassMaps normalized, boolean[] labels, float t) {
        PseudoMasks.checkLabels(normalized, labels);
        if (!(t > 0f && t < 1f)) {
            throw new IllegalArgumentException("background score t must be in (0, 1) for an uncertainty map, got " + t);
        }
        int plane = normalized.planeSize();
        float[] d = normalized.data();
        float[] u = new float[plane];
        for (int p = 0; p < plane; p++) {
            // Candidate 0 is the background score t; ties keep the earlier (lower-index) candidate as winner.
            float best = t;
            boolean backgroundWins = true;
            float second = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < normalized.channels(); c++) {
                if (!labels[c]) {
                    continue;
                }
                float v = d[c * plane + p];
                if (v > best) {
                    second = best;
                    best = v;
                    backgroundWins = false;
                } else if (v > second) {
                    second = v;
                }
            }
            if (second == Float.NEGATIVE_INFINITY) {
                u[p] = 0f;
                continue;
            }
            double margin = (double) best - second;
            double scale = backgroundWins ? t : 1.0 - t;
            u[p] = (float) (1.0 - Math.min(1.0, Math.max(0.0, margin / scale)));
        }
        return u;
    }

    /**
     * Summarises an uncertainty map: its mean and the fraction of pixels with u strictly above {@code threshold}.
     *
     * @throws IllegalArgumentException if the map is empty or the threshold is NaN
     */
    public static Score score(float[] map, double threshold) {
        if (map == null || map.length == 0) {
            throw new IllegalArgumentException("uncertainty map must have at least one pixel");
        }
        if (Double.isNaN(threshold)) {
            throw new IllegalArgumentException("uncertainty threshold must be a number, got NaN");
        }
        double sum = 0;
        long above = 0;
        for (float v : map) {
            sum += v;
            if (v > threshold) {
                above++;
            }
        }
        return new Score(sum / map.length, (double) above / map.length);
    }
}
