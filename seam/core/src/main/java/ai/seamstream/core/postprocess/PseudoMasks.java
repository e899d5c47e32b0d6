package ai.seamstream.core.postprocess;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.tensor.ClassMaps;

import java.util.Arrays;

/**
 * The pseudo-mask formulas of SEAM-METHOD.md §3 that turn summed multi-scale foreground CAMs into a label mask,
 * computed in float32 as the reference does with numpy float32 arrays.
 *
 * <p>"Foreground maps" have C channels, channel k−1 holding class k; "maps with background" have C+1 channels,
 * channel index = class index.
 */
public final class PseudoMasks {
    /** The reference's normalisation guard, 1e-5 rounded to float32 as numpy does when it meets a float32 array. */
    static final float EPSILON = 1e-5f;

    private PseudoMasks() {
    }

    /**
     * Zeroes, in place, the channel of every class whose image-level label is false (S ⊙ y, SEAM-METHOD.md §3), and
     * returns the same instance.
     *
     * @param labels y: one flag per foreground channel
     * @throws IllegalArgumentException if labels does not have one entry per channel
     */
    public static ClassMaps maskAbsent(ClassMaps foreground, boolean[] labels) {
        checkLabels(foreground, labels);
        int plane = foreground.planeSize();
        for (int c = 0; c < foreground.channels(); c++) {
            if (!labels[c]) {
                int off = foreground.offset(c);
                Arrays.fill(foreground.data(), off, off + plane, 0f);
            }
        }
        return foreground;
    }

    /**
     * Per-class min–max normalisation of summed CAMs into new maps (the input is not modified), SEAM-METHOD.md §3:
     * {@code S ← max(S, 0)}; with min and max of that S, pixels with {@code S < min + 1e-5} are set to 0, then
     * {@code N = (S − min − 1e-5)/(max − min + 1e-5)}.
     *
     * <p>Exactly as the reference: a zeroed pixel becomes slightly negative ({@code −(min + 1e-5)/(max − min + 1e-5)}),
     * and an all-zero (absent) class becomes −1 everywhere, so it can never beat a background score t ≥ 0.
     *
     * @throws IllegalArgumentException naming the channel and pixel if a score is NaN or infinite
     */
    public static ClassMaps normalizePerClass(ClassMaps summed) {
        ClassMaps out = summed.copy();
        float[] d = out.data();
        int plane = out.planeSize();
        for (int c = 0; c < out.channels(); c++) {
            int off = out.offset(c);
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = off; i < off + plane; i++) {
                float v = d[i];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("summed CAM has a non-finite score " + v + " in channel " + c
                            + " at (x=" + ((i - off) % out.width()) + ", y=" + ((i - off) / out.width()) + ")");
                }
                // max(S, 0) first: min and max are taken over the clamped maps.
                if (v < 0f) {
                    v = 0f;
                    d[i] = 0f;
                }
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            // Both guards are float32 sums, as numpy evaluates cam_min + 1e-5 and cam_max - cam_min + 1e-5.
            float floor = min + EPSILON;
            float range = (max - min) + EPSILON;
            for (int i = off; i < off + plane; i++) {
                float v = d[i] < floor ? 0f : d[i];
                d[i] = ((v - min) - EPSILON) / range;
            }
        }
        return out;
    }

    /**
     * The pseudo-mask {@code argmax([t; N_1..N_C])} with a constant background score t (SEAM-METHOD.md §3):
     * class index = channel + 1, ties go to the lower index (so background wins a tie with t), and a NaN score never wins.
     *
     * @throws IllegalArgumentException if there are more than 254 channels (class indices must stay below 255)
     */
    public static LabelMask argmaxWithBackground(ClassMaps normalized, float t) {
        checkClassCount(normalized.channels() + 1);
        int plane = normalized.planeSize();
        float[] d = normalized.data();
        byte[] labels = new byte[plane];
        for (int p = 0; p < plane; p++) {
            float best = t;
            int arg = 0;
            for (int c = 0; c < normalized.channels(); c++) {
                float v = d[c * plane + p];
                if (v > best) {
                    best = v;
                    arg = c + 1;
                }
            }
            labels[p] = (byte) arg;
        }
        return new LabelMask(normalized.width(), normalized.height(), labels);
    }

    /**
     * The CRF input variant (SEAM-METHOD.md §3): C+1 channels with channel 0 = {@code (max(0, 1 − max_k N_k))^α}
     * and channels 1..C = N (copied).
     *
     * <p>The base is clamped at 0 so that a score above 1 cannot yield a negative base (NaN for a fractional α);
     * normalised maps stay below 1, so this never changes the reference's result. The base is not clamped above:
     * where every class is negative the background exceeds 1, as in the reference. The maximum runs over all
     * channels; after {@link #maskAbsent} and {@link #normalizePerClass} an absent class is −1, which changes the
     * background only at pixels where every present class is below −1, where it exceeds 1 either way. The power is
     * taken in double and rounded to float32 (numpy's float32 power may differ by one ulp).
     *
     * @param alpha α ≥ 0: 4 for the low, 24 for the high background of the reference
     * @throws IllegalArgumentException if α is negative or not finite, or there are more than 254 channels
     */
    public static ClassMaps powerBackground(ClassMaps normalized, double alpha) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("background exponent alpha must be finite and >= 0, got " + alpha);
        }
        checkClassCount(normalized.channels() + 1);
        int plane = normalized.planeSize();
        int channels = normalized.channels();
        float[] in = normalized.data();
        float[] out = new float[(channels + 1) * plane];
        System.arraycopy(in, 0, out, plane, channels * plane);
        for (int p = 0; p < plane; p++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < channels; c++) {
                max = Math.max(max, in[c * plane + p]);
            }
            float base = Math.max(0f, 1f - max);
            out[p] = (float) Math.pow(base, alpha);
        }
        return new ClassMaps(channels + 1, normalized.height(), normalized.width(), out);
    }

    /**
     * The per-pixel argmax over maps that include background in channel 0 (channel index = class index; ties to
     * the lower index; a NaN score never wins over a number, and a pixel with only NaN scores gets class 0).
     *
     * @throws IllegalArgumentException if there are more than 255 channels
     */
    public static LabelMask argmax(ClassMaps withBackground) {
        checkClassCount(withBackground.channels());
        int plane = withBackground.planeSize();
        float[] d = withBackground.data();
        byte[] labels = new byte[plane];
        for (int p = 0; p < plane; p++) {
            float best = Float.NEGATIVE_INFINITY;
            int arg = 0;
            for (int c = 0; c < withBackground.channels(); c++) {
                float v = d[c * plane + p];
                if (v > best) {
                    best = v;
                    arg = c;
                }
            }
            labels[p] = (byte) arg;
        }
        return new LabelMask(withBackground.width(), withBackground.height(), labels);
    }

    static void checkLabels(ClassMaps foreground, boolean[] labels) {
        if (labels == null || labels.length != foreground.channels()) {
            throw new IllegalArgumentException("expected one image-level label per foreground channel ("
                    + foreground.channels() + "), got " + (labels == null ? "null" : labels.length));
        }
    }

    private static void checkClassCount(int classes) {
        if (classes > LabelMask.IGNORE) {
            throw new IllegalArgumentException("at most 255 classes fit a label mask (255 means ignore), got " + classes);
        }
    }
}
