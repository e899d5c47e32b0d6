package ai.seamstream.core.resample;

/**
 * 1-D linear interpolation matrices that reproduce PyTorch's bilinear resampling exactly, without antialiasing
 * (SEAM-METHOD §0). A 2-D resize of a plane X (in_h × in_w) is {@code R_y · X · R_xᵀ}.
 */
public final class InterpolationMatrix {
    private InterpolationMatrix() {
    }

    /**
     * The {@code out × in} matrix (row-major) whose row i holds the weights of output sample i.
     *
     * <p>align_corners=true: {@code src = i·(in−1)/(out−1)} (0 when out = 1); align_corners=false:
     * {@code src = max(0, (i+0.5)·in/out − 0.5)}; then {@code x0 = floor(src)}, {@code x1 = min(x0+1, in−1)},
     * {@code λ = src − x0}: weight 1−λ on x0 and λ on x1.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public static float[] linear(int in, int out, boolean alignCorners) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("sizes must be positive, got in=" + in + " out=" + out);
        }
        float[] m = new float[out * in];
        for (int i = 0; i < out; i++) {
            double src = sourceCoordinate(i, in, out, alignCorners);
            int x0 = (int) Math.floor(src);
            if (x0 > in - 1) {
                x0 = in - 1;
            }
            int x1 = Math.min(x0 + 1, in - 1);
            float lambda = (float) (src - x0);
            m[i * in + x0] += 1f - lambda;
            m[i * in + x1] += lambda;
        }
        return m;
    }

    /** The source coordinate of output sample i, as PyTorch computes it: the scale in float32, the position in double. */
    static double sourceCoordinate(int i, int in, int out, boolean alignCorners) {
        if (alignCorners) {
            if (out == 1) {
                return 0.0;
            }
            float scale = (float) (in - 1) / (float) (out - 1);
            return (double) scale * i;
        }
        // Matches torch 1.13's 1-D weights exactly on 20 measured size pairs (a float position drifts by ~2.6e-6).
        float scale = (float) in / (float) out;
        return Math.max(0.0, (double) scale * (i + 0.5) - 0.5);
    }
}
