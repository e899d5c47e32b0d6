package ai.seamstream.core.refine;

import java.util.Arrays;

/**
 * Gaussian filtering in a d-dimensional feature space with the permutohedral lattice (Adams, Baek and Davis,
 * "Fast High-Dimensional Filtering Using the Permutohedral Lattice", 2010), as the dense CRF of Krähenbühl and
 * Koltun uses it: each point is splatted onto the d+1 vertices of its enclosing simplex with barycentric weights,
 * the lattice is blurred with a [1/2 1 1/2] kernel along each of its d+1 axes, and the result is sliced back.
 *
 * <p>{@link #filter} approximates {@code out_i = Σ_j exp(−½‖f_i − f_j‖²) · in_j} (the sum includes j = i) in
 * O(N·d²) time instead of O(N²); the features must already be divided by the kernel's standard deviations. The
 * approximation error is a few percent and mostly a smooth change of scale, which the CRF's normalisation removes.
 *
 * <p>Building the lattice is the costly part; one lattice serves any number of {@link #filter} calls and is
 * immutable afterwards, so it may be shared between threads.
 */
public final class PermutohedralLattice {
    private final int n;
    private final int d;
    /** Lattice vertex index (0-based) of each point's d+1 simplex vertices, {@code [point*(d+1) + k]}. */
    private final int[] offsets;
    /** Barycentric weight of each point on each vertex, same layout as {@link #offsets}. */
    private final float[] weights;
    /** Number of lattice vertices. */
    private final int vertices;
    /**
     * For blur axis j and vertex v: the two neighbours' indices plus one (0 = no such vertex),
     * {@code [(j*vertices + v)*2 + 0|1]}.
     */
    private final int[] neighbours;

    private PermutohedralLattice(int n, int d, int[] offsets, float[] weights, int vertices, int[] neighbours) {
        this.n = n;
        this.d = d;
        this.offsets = offsets;
        this.weights = weights;
        this.vertices = vertices;
        this.neighbours = neighbours;
    }

    /**
     * Builds the lattice for N points.
     *
     * @param features row-major {@code N × d} (point i's features at {@code [i*d, i*d + d)}), already scaled by
     *                 the inverse standard deviations; must be finite
     * @param d        feature dimension, 1..16
     */
    public static PermutohedralLattice build(float[] features, int d) {
        if (d < 1 || d > 16) {
            throw new IllegalArgumentException("feature dimension must be 1..16, got " + d);
        }
        if (features == null || features.length == 0 || features.length % d != 0) {
            throw new IllegalArgumentException("features must hold N × " + d + " values with N ≥ 1, got "
                    + (features == null ? "null" : features.length));
        }
        int n = features.length / d;
        int d1 = d + 1;
        // Diagonal of the scaled elevation matrix E (Adams et al. 2010, p. 5): this spacing makes one blur pass
        // along every axis match a Gaussian of unit standard deviation in the input space.
        double invStdDev = Math.sqrt(2.0 / 3.0) * d1;
        double[] scale = new double[d];
        for (int i = 0; i < d; i++) {
            scale[i] = invStdDev / Math.sqrt((i + 1.0) * (i + 2.0));
        }
        // canonical[k*(d+1) + i]: the k-th vertex of the canonical simplex, coordinate i
        int[] canonical = new int[d1 * d1];
        for (int k = 0; k <= d; k++) {
            for (int i = 0; i <= d - k; i++) {
                canonical[k * d1 + i] = k;
            }
            for (int i = d - k + 1; i <= d; i++) {
                canonical[k * d1 + i] = k - d1;
            }
        }
        var table = new KeyTable(d, Math.max(16, n * d1 / 4));
        int[] offsets = new int[n * d1];
        float[] weights = new float[n * d1];
        double[] elevated = new double[d1];
        int[] rem0 = new int[d1];
        int[] rank = new int[d1];
        double[] bary = new double[d + 2];
        int[] key = new int[d];
        for (int p = 0; p < n; p++) {
            int base = p * d;
            for (int i = 0; i < d; i++) {
                if (!Float.isFinite(features[base + i])) {
                    throw new IllegalArgumentException("feature " + i + " of point " + p + " is not finite: " + features[base + i]);
                }
            }
            // Elevate onto the hyperplane Σx = 0 of R^{d+1}.
            double sm = 0;
            for (int i = d; i > 0; i--) {
                double cf = features[base + i - 1] * scale[i - 1];
                elevated[i] = sm - i * cf;
                sm += cf;
            }
            elevated[0] = sm;
            // The nearest remainder-0 point, then the permutation sorting the differences.
            int sum = 0;
            for (int i = 0; i <= d; i++) {
                double v = elevated[i] / d1;
                int up = (int) Math.ceil(v) * d1;
                int down = (int) Math.floor(v) * d1;
                rem0[i] = (up - elevated[i] < elevated[i] - down) ? up : down;
                sum += rem0[i];
            }
            sum /= d1;
            Arrays.fill(rank, 0);
            for (int i = 0; i < d; i++) {
                double di = elevated[i] - rem0[i];
                for (int j = i + 1; j <= d; j++) {
                    if (di < elevated[j] - rem0[j]) {
                        rank[i]++;
                    } else {
                        rank[j]++;
                    }
                }
            }
            if (sum > 0) {
                for (int i = 0; i <= d; i++) {
                    if (rank[i] >= d1 - sum) {
                        rem0[i] -= d1;
                        rank[i] += sum - d1;
                    } else {
                        rank[i] += sum;
                    }
                }
            } else if (sum < 0) {
                for (int i = 0; i <= d; i++) {
                    if (rank[i] < -sum) {
                        rem0[i] += d1;
                        rank[i] += d1 + sum;
                    } else {
                        rank[i] += sum;
                    }
                }
            }
            // Barycentric coordinates of the point in its simplex.
            Arrays.fill(bary, 0);
            for (int i = 0; i <= d; i++) {
                double v = (elevated[i] - rem0[i]) / d1;
                bary[d - rank[i]] += v;
                bary[d + 1 - rank[i]] -= v;
            }
            bary[0] += 1.0 + bary[d + 1];
            for (int k = 0; k <= d; k++) {
                for (int i = 0; i < d; i++) {
                    key[i] = rem0[i] + canonical[k * d1 + rank[i]];
                }
                offsets[p * d1 + k] = table.insert(key);
                weights[p * d1 + k] = (float) bary[k];
            }
        }
        int m = table.size();
        int[] neighbours = new int[d1 * m * 2];
        int[] n1 = new int[d1];
        int[] n2 = new int[d1];
        for (int j = 0; j <= d; j++) {
            for (int v = 0; v < m; v++) {
                int kb = v * d;
                for (int k = 0; k < d; k++) {
                    n1[k] = table.keys[kb + k] - 1;
                    n2[k] = table.keys[kb + k] + 1;
                }
                // Axis j moves by (d+1)·e_j − 1; for j = d the implied last coordinate carries the (d+1).
                if (j < d) {
                    n1[j] = table.keys[kb + j] + d;
                    n2[j] = table.keys[kb + j] - d;
                }
                neighbours[(j * m + v) * 2] = table.find(n1) + 1;
                neighbours[(j * m + v) * 2 + 1] = table.find(n2) + 1;
            }
        }
        return new PermutohedralLattice(n, d, offsets, weights, m, neighbours);
    }

    /** Number of points the lattice was built for. */
    public int points() {
        return n;
    }

    /** Feature dimension. */
    public int dimension() {
        return d;
    }

    /** Number of lattice vertices in use (at most N·(d+1)). */
    public int vertices() {
        return vertices;
    }

    /**
     * Filters {@code channels} value planes: {@code out[c*N + i] ≈ Σ_j exp(−½‖f_i − f_j‖²) in[c*N + j]}.
     *
     * @param in       {@code channels × N}, channel-major
     * @param channels number of value planes, ≥ 1
     * @return a new {@code channels × N} array
     */
    public float[] filter(float[] in, int channels) {
        if (channels < 1 || in == null || in.length != (long) channels * n) {
            throw new IllegalArgumentException("expected " + channels + " × " + n + " values, got "
                    + (in == null ? "null" : in.length));
        }
        int d1 = d + 1;
        int vs = channels;
        // Vertex values, interleaved per vertex, with a zero slot 0 for missing neighbours.
        float[] values = new float[(vertices + 1) * vs];
        for (int p = 0; p < n; p++) {
            for (int k = 0; k < d1; k++) {
                int o = (offsets[p * d1 + k] + 1) * vs;
                float w = weights[p * d1 + k];
                for (int c = 0; c < vs; c++) {
                    values[o + c] += w * in[c * n + p];
                }
            }
        }
        float[] next = new float[(vertices + 1) * vs];
        for (int j = 0; j <= d; j++) {
            int nb = j * vertices * 2;
            for (int v = 0; v < vertices; v++) {
                int o = (v + 1) * vs;
                int a = neighbours[nb + v * 2] * vs;
                int b = neighbours[nb + v * 2 + 1] * vs;
                for (int c = 0; c < vs; c++) {
                    next[o + c] = values[o + c] + 0.5f * (values[a + c] + values[b + c]);
                }
            }
            float[] t = values;
            values = next;
            next = t;
        }
        // Adams et al.'s constant that brings the blurred lattice back to the scale of the Gaussian.
        float alpha = (float) (1.0 / (1.0 + Math.pow(2, -d)));
        float[] out = new float[channels * n];
        for (int p = 0; p < n; p++) {
            for (int k = 0; k < d1; k++) {
                int o = (offsets[p * d1 + k] + 1) * vs;
                float w = weights[p * d1 + k] * alpha;
                for (int c = 0; c < vs; c++) {
                    out[c * n + p] += w * values[o + c];
                }
            }
        }
        return out;
    }

    /** Open-addressing hash table from d integer coordinates to dense vertex indices. */
    private static final class KeyTable {
        private final int d;
        private int[] keys;
        private int[] slots; // vertex index + 1, 0 = empty
        private int size;

        KeyTable(int d, int capacityHint) {
            this.d = d;
            int cap = Integer.highestOneBit(Math.max(16, capacityHint) * 2);
            slots = new int[cap];
            keys = new int[Math.max(16, capacityHint) * d];
        }

        int size() {
            return size;
        }

        private int hash(int[] key) {
            int h = 0;
            for (int i = 0; i < d; i++) {
                h = (h + key[i]) * 2531011;
            }
            return h ^ (h >>> 15);
        }

        private boolean matches(int vertex, int[] key) {
            int b = vertex * d;
            for (int i = 0; i < d; i++) {
                if (keys[b + i] != key[i]) {
                    return false;
                }
            }
            return true;
        }

        /** The vertex index of key, or −1. */
        int find(int[] key) {
            int mask = slots.length - 1;
            for (int s = hash(key) & mask; ; s = (s + 1) & mask) {
                int v = slots[s];
                if (v == 0) {
                    return -1;
                }
                if (matches(v - 1, key)) {
                    return v - 1;
                }
            }
        }

        /** The vertex index of key, added if new. */
        int insert(int[] key) {
            if ((size + 1) * 2 > slots.length) {
                grow();
            }
            int mask = slots.length - 1;
            for (int s = hash(key) & mask; ; s = (s + 1) & mask) {
                int v = slots[s];
                if (v == 0) {
                    if ((size + 1) * d > keys.length) {
                        keys = Arrays.copyOf(keys, Math.max(keys.length * 2, (size + 1) * d));
                    }
                    System.arraycopy(key, 0, keys, size * d, d);
                    slots[s] = ++size;
                    return size - 1;
                }
                if (matches(v - 1, key)) {
                    return v - 1;
                }
            }
        }

        private void grow() {
            int[] old = slots;
            slots = new int[old.length * 2];
            int mask = slots.length - 1;
            int[] key = new int[d];
            for (int v : old) {
                if (v != 0) {
                    System.arraycopy(keys, (v - 1) * d, key, 0, d);
                    int s = hash(key) & mask;
                    while (slots[s] != 0) {
                        s = (s + 1) & mask;
                    }
                    slots[s] = v;
                }
            }
        }
    }
}
