package ai.seamstream.core.refine;

import ai.seamstream.core.tensor.ClassMaps;

/**
 * AffinityNet's training labels (Ahn and Kwak 2018, as SEAM's {@code VOC12AffDataset} makes them; SEAM-METHOD §5):
 * the CRF marginals at a low background power (α 4: a class wins only where it is confident) and a high one (α 24:
 * the background wins only where it is confident) are average-pooled to the stride grid; a grid pixel takes the
 * low-α argmax when that is a class, background when the high-α argmax is background, and is ignored otherwise
 * (and where no score reaches 1e-5). Pairs within the radius are then positive background pairs, positive
 * foreground pairs (same class) or negative pairs (different labels); pairs with an ignored end count for nothing.
 */
public final class AffinityLabels {
    /** Grid label of a pixel that takes part in no pair. */
    public static final int IGNORE = 255;

    private AffinityLabels() {
    }

    /**
     * Grid labels from the two CRF outputs (same channels: background first, then the tagged classes).
     *
     * @return {@code ceil(H/stride) × ceil(W/stride)} labels, row-major: channel indices of the CRF input, or
     *         {@link #IGNORE}
     */
    public static byte[] grid(ClassMaps lowAlpha, ClassMaps highAlpha, int stride) {
        if (lowAlpha.channels() != highAlpha.channels() || lowAlpha.height() != highAlpha.height()
                || lowAlpha.width() != highAlpha.width()) {
            throw new IllegalArgumentException("low- and high-alpha CRF outputs differ in shape");
        }
        if (stride < 1 || lowAlpha.channels() > IGNORE) {
            throw new IllegalArgumentException("stride must be >= 1 and channels < 255");
        }
        float[] la = pool(lowAlpha, stride);
        float[] ha = pool(highAlpha, stride);
        int k = lowAlpha.channels();
        int gh = (lowAlpha.height() + stride - 1) / stride;
        int gw = (lowAlpha.width() + stride - 1) / stride;
        int p = gh * gw;
        byte[] out = new byte[p];
        for (int i = 0; i < p; i++) {
            int al = 0;
            int ah = 0;
            float max = 0;
            for (int c = 0; c < k; c++) {
                if (la[c * p + i] > la[al * p + i]) {
                    al = c;
                }
                if (ha[c * p + i] > ha[ah * p + i]) {
                    ah = c;
                }
                max = Math.max(max, Math.max(la[c * p + i], ha[c * p + i]));
            }
            int label = al == 0 ? IGNORE : al;
            if (ah == 0) {
                label = 0;
            }
            if (max < 1e-5f) {
                label = IGNORE;
            }
            out[i] = (byte) label;
        }
        return out;
    }

    /** Average pooling by the stride over a zero-padded grid (psa's {@code AvgPool2d(8)} on the cropped scores). */
    static float[] pool(ClassMaps m, int s) {
        int h = m.height();
        int w = m.width();
        int gh = (h + s - 1) / s;
        int gw = (w + s - 1) / s;
        int p = gh * gw;
        float[] out = new float[m.channels() * p];
        float inv = 1f / (s * s);
        for (int c = 0; c < m.channels(); c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[c * p + (y / s) * gw + x / s] += m.get(c, y, x) * inv;
                }
            }
        }
        return out;
    }

    /**
     * The three label masks of one offset: over the source pixels {@code (y, x)} of the region where the pair
     * {@code (y, x) → (y+dy, x+dx)} lies in the grid (rows {@code 0 .. gh−dy}, columns {@code max(0,−dx) ..
     * gw − max(0,dx)}), row-major over that region.
     */
    public record PairMasks(int dy, int dx, int rows, int cols, int x0, float[] background, float[] foreground, float[] negative) {
        public double backgroundCount() {
            return sum(background);
        }

        public double foregroundCount() {
            return sum(foreground);
        }

        public double negativeCount() {
            return sum(negative);
        }

        private static double sum(float[] v) {
            double s = 0;
            for (float f : v) {
                s += f;
            }
            return s;
        }
    }

    /** The label masks of every offset of {@link RandomWalk#offsets(int)} on a grid of labels. */
    public static PairMasks[] pairs(byte[] grid, int gh, int gw, int radius) {
        if (grid.length != gh * gw) {
            throw new IllegalArgumentException("grid has " + grid.length + " labels, expected " + gh + " × " + gw);
        }
        int[][] off = RandomWalk.offsets(radius);
        var out = new PairMasks[off.length];
        for (int o = 0; o < off.length; o++) {
            int dy = off[o][0];
            int dx = off[o][1];
            int x0 = Math.max(0, -dx);
            int rows = Math.max(0, gh - dy);
            int cols = Math.max(0, gw - Math.max(0, dx) - x0);
            float[] bg = new float[rows * cols];
            float[] fg = new float[rows * cols];
            float[] neg = new float[rows * cols];
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    int from = grid[y * gw + x0 + x] & 0xFF;
                    int to = grid[(y + dy) * gw + x0 + x + dx] & 0xFF;
                    int i = y * cols + x;
                    if (from == IGNORE || to == IGNORE) {
                        continue;
                    }
                    if (from == to) {
                        if (from == 0) {
                            bg[i] = 1;
                        } else {
                            fg[i] = 1;
                        }
                    } else {
                        neg[i] = 1;
                    }
                }
            }
            out[o] = new PairMasks(dy, dx, rows, cols, x0, bg, fg, neg);
        }
        return out;
    }
}
