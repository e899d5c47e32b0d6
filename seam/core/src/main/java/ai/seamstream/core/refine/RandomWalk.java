package ai.seamstream.core.refine;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.postprocess.PseudoMasks;
import ai.seamstream.core.resample.Bilinear;
import ai.seamstream.core.tensor.ClassMaps;

/**
 * The AffinityNet random walk (Ahn and Kwak, CVPR 2018; SEAM-METHOD.md §5): affinities between feature-grid
 * pixels within a radius, {@code a_ij = exp(−mean_c |f_i − f_j|)} and 1 on the diagonal; the transition matrix
 * {@code T = W^∘β / colsum}; the scores, average-pooled to the grid, are propagated as {@code v·T^(2^logt)}; the
 * result is upsampled and its argmax is the mask.
 *
 * <p>The power is applied as 2^logt products of the score rows with the sparse T (each O(nnz)), never as a dense
 * P×P matrix: the reference squares a dense T logt times, which is the same product in exact arithmetic.
 */
public final class RandomWalk {

    /**
     * Random-walk settings.
     *
     * @param radius          pairs with {@code dx² + dy² < radius²} on the feature grid (reference 5)
     * @param beta            affinity power β (reference 8)
     * @param logt            the walk takes 2^logt steps (reference 6)
     * @param alpha           background score {@code (1 − max_k N_k)^α} (reference 6)
     * @param stride          image pixels per feature-grid pixel (8 for ResNet-38)
     * @param referenceBorder true keeps the reference's pair list, whose source pixels skip the last radius−1
     *                        rows and the first and last radius−1 columns (so pixels both inside those strips
     *                        are never paired); false pairs every pixel with every neighbour inside the grid
     */
    public record Config(int radius, double beta, int logt, double alpha, int stride, boolean referenceBorder) {
        public Config {
            if (radius < 1 || radius > 64) {
                throw new IllegalArgumentException("random-walk radius must be 1..64, got " + radius);
            }
            if (!(beta > 0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException("random-walk beta must be finite and > 0, got " + beta);
            }
            if (logt < 0 || logt > 16) {
                throw new IllegalArgumentException("random-walk logt must be 0..16, got " + logt);
            }
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("random-walk alpha must be finite and >= 0, got " + alpha);
            }
            if (stride < 1 || stride > 64) {
                throw new IllegalArgumentException("random-walk stride must be 1..64, got " + stride);
            }
        }

        /** The reference's settings (SEAM's infer_aff.py), with every in-grid pair kept. */
        public static Config reference() {
            return new Config(5, 8, 6, 6, 8, false);
        }
    }

    private RandomWalk() {
    }

    /** The grid offsets (dy, dx) paired with each source pixel: half of the disc, as the reference lists them. */
    static int[][] offsets(int radius) {
        var list = new java.util.ArrayList<int[]>();
        for (int x = 1; x < radius; x++) {
            list.add(new int[] {0, x});
        }
        for (int y = 1; y < radius; y++) {
            for (int x = -radius + 1; x < radius; x++) {
                if (x * x + y * y < radius * radius) {
                    list.add(new int[] {y, x});
                }
            }
        }
        return list.toArray(new int[0][]);
    }

    /**
     * The symmetric affinity matrix W over an {@code h × w} grid: 1 on the diagonal and
     * {@code exp(−mean_c |f_i − f_j|)} for each pair within the radius.
     *
     * @param features {@code channels × h × w}, channel-major
     */
    public static SparseMatrix affinity(float[] features, int channels, int h, int w, Config config) {
        if (channels < 1 || h < 1 || w < 1 || features == null || features.length != (long) channels * h * w) {
            throw new IllegalArgumentException("features must hold " + channels + " × " + h + " × " + w + " values, got "
                    + (features == null ? "null" : features.length));
        }
        int p = h * w;
        int r1 = config.radius() - 1;
        int[][] off = offsets(config.radius());
        // Pair (i, j) with i the source; collected per column in both directions, diagonal first.
        int[] count = new int[p];
        java.util.Arrays.fill(count, 1);
        forEachPair(h, w, r1, off, config.referenceBorder(), (i, j) -> {
            count[i]++;
            count[j]++;
        });
        int[] start = new int[p + 1];
        for (int j = 0; j < p; j++) {
            start[j + 1] = start[j] + count[j];
        }
        int[] rows = new int[start[p]];
        float[] values = new float[start[p]];
        int[] fill = new int[p];
        for (int j = 0; j < p; j++) {
            rows[start[j]] = j;
            values[start[j]] = 1f;
            fill[j] = 1;
        }
        forEachPair(h, w, r1, off, config.referenceBorder(), (i, j) -> {
            double s = 0;
            for (int c = 0; c < channels; c++) {
                s += Math.abs(features[c * p + i] - features[c * p + j]);
            }
            float a = (float) Math.exp(-s / channels);
            if (Float.isNaN(a)) {
                throw new IllegalArgumentException("affinity features are not finite at grid pixels " + i + " and " + j);
            }
            int kj = start[j] + fill[j]++;
            rows[kj] = i;
            values[kj] = a;
            int ki = start[i] + fill[i]++;
            rows[ki] = j;
            values[ki] = a;
        });
        return new SparseMatrix(p, start, rows, values);
    }

    private interface PairSink {
        void accept(int i, int j);
    }

    private static void forEachPair(int h, int w, int r1, int[][] off, boolean referenceBorder, PairSink sink) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (referenceBorder && (y >= h - r1 || x < r1 || x >= w - r1)) {
                    continue;
                }
                for (int[] o : off) {
                    int ty = y + o[0];
                    int tx = x + o[1];
                    if (ty < h && tx >= 0 && tx < w) {
                        sink.accept(y * w + x, ty * w + tx);
                    }
                }
            }
        }
    }

    /** {@code T = W^∘β / colsum}: each column of the element-wise power divided by its sum. */
    public static SparseMatrix transition(SparseMatrix affinity, double beta) {
        return affinity.powerColumnNormalized(beta);
    }

    /** {@code v·T^(2^logt)} for {@code rows} row vectors (row-major {@code rows × P}), by 2^logt sparse products. */
    public static float[] propagate(SparseMatrix t, float[] v, int rows, int logt) {
        if (logt < 0 || logt > 16) {
            throw new IllegalArgumentException("logt must be 0..16, got " + logt);
        }
        float[] out = v;
        for (int s = 0; s < (1 << logt); s++) {
            out = t.leftMultiply(out, rows);
        }
        return out;
    }

    /**
     * Scores at image size through the walk: zero-padded to the grid times the stride, average-pooled by the
     * stride, propagated, bilinearly upsampled (align_corners=false) to the padded size, and cropped back.
     *
     * @param scores K maps at the image's size H×W
     * @param t      the transition matrix over the {@code ceil(H/stride) × ceil(W/stride)} grid
     */
    public static ClassMaps propagateScores(ClassMaps scores, SparseMatrix t, Config config) {
        int s = config.stride();
        int h = scores.height();
        int w = scores.width();
        int gh = (h + s - 1) / s;
        int gw = (w + s - 1) / s;
        if (t.size() != gh * gw) {
            throw new IllegalArgumentException("a " + w + "x" + h + " image at stride " + s + " needs a " + gw + "x" + gh
                    + " grid (" + gh * gw + " pixels), the transition matrix has " + t.size());
        }
        int k = scores.channels();
        int p = gh * gw;
        float[] pooled = new float[k * p];
        float inv = 1f / (s * s);
        for (int c = 0; c < k; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    pooled[c * p + (y / s) * gw + x / s] += scores.get(c, y, x) * inv;
                }
            }
        }
        float[] walked = propagate(t, pooled, k, config.logt());
        ClassMaps up = Bilinear.resize(new ClassMaps(k, gh, gw, walked), gh * s, gw * s, false);
        float[] out = new float[k * h * w];
        for (int c = 0; c < k; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(up.data(), (c * gh * s + y) * gw * s, out, (c * h + y) * w, w);
            }
        }
        return new ClassMaps(k, h, w, out);
    }

    /**
     * The random-walk mask: background {@code (1 − max_k N_k)^α} over the tagged classes' normalised maps, the walk
     * on the affinity features, and the argmax (class index = vocabulary index, 0 background).
     *
     * @param normalized the C foreground maps N at image size ({@code PseudoMasks.normalizePerClass})
     * @param tags       which foreground classes are present; the others never win
     * @param features   affinity features {@code channels × ceil(H/stride) × ceil(W/stride)}
     */
    public static LabelMask walk(ClassMaps normalized, boolean[] tags, float[] features, int channels, Config config) {
        return argmaxToClasses(walkScores(normalized, tags, features, channels, config), presentClasses(tags));
    }

    /**
     * The walked scores before the argmax: channel 0 the background, then one channel per tagged class in
     * vocabulary order (see {@link #walk}).
     */
    public static ClassMaps walkScores(ClassMaps normalized, boolean[] tags, float[] features, int channels, Config config) {
        int[] present = presentClasses(tags);
        if (tags.length != normalized.channels()) {
            throw new IllegalArgumentException("expected " + normalized.channels() + " tags, got " + tags.length);
        }
        int s = config.stride();
        int gh = (normalized.height() + s - 1) / s;
        int gw = (normalized.width() + s - 1) / s;
        SparseMatrix t = transition(affinity(features, channels, gh, gw, config), config.beta());
        ClassMaps bgcam = PseudoMasks.powerBackground(select(normalized, present), config.alpha());
        return propagateScores(bgcam, t, config);
    }

    static int[] presentClasses(boolean[] tags) {
        if (tags == null) {
            throw new IllegalArgumentException("tags must not be null");
        }
        return java.util.stream.IntStream.range(0, tags.length).filter(k -> tags[k]).toArray();
    }

    /** The maps of the given foreground classes, in order (zero maps when none is given: background only). */
    static ClassMaps select(ClassMaps maps, int[] classes) {
        int plane = maps.planeSize();
        if (classes.length == 0) {
            // (1 − max over nothing)^α would be undefined; a zero map keeps the background at 1.
            return ClassMaps.zeros(1, maps.height(), maps.width());
        }
        float[] out = new float[classes.length * plane];
        for (int i = 0; i < classes.length; i++) {
            System.arraycopy(maps.data(), maps.offset(classes[i]), out, i * plane, plane);
        }
        return new ClassMaps(classes.length, maps.height(), maps.width(), out);
    }

    /** Argmax over [background, present...] mapped back to class indices (ties to the lower channel). */
    static LabelMask argmaxToClasses(ClassMaps scores, int[] present) {
        LabelMask local = PseudoMasks.argmax(scores);
        byte[] labels = local.labels();
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i] & 0xFF;
            labels[i] = (byte) (c == 0 || present.length == 0 ? 0 : present[c - 1] + 1);
        }
        return local;
    }
}
