package ai.seamstream.core.refine;

import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PermutohedralLatticeTest {

    /** The exact O(N²) Gaussian filter the lattice approximates: out_i = Σ_j exp(−½‖f_i − f_j‖²) in_j. */
    static double[] bruteForce(float[] f, int d, float[] in, int channels) {
        int n = f.length / d;
        double[] out = new double[channels * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    double diff = f[i * d + k] - f[j * d + k];
                    s += diff * diff;
                }
                double w = Math.exp(-0.5 * s);
                for (int c = 0; c < channels; c++) {
                    out[c * n + i] += w * in[c * n + j];
                }
            }
        }
        return out;
    }

    /** Features of a w×h image: (x/sxy, y/sxy) and, when rgb is not null, colour/srgb. */
    static float[] imageFeatures(int w, int h, double sxy, int[] rgb, double srgb) {
        int d = rgb == null ? 2 : 5;
        float[] f = new float[w * h * d];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                f[p * d] = (float) (x / sxy);
                f[p * d + 1] = (float) (y / sxy);
                if (rgb != null) {
                    for (int c = 0; c < 3; c++) {
                        f[p * d + 2 + c] = (float) (rgb[3 * p + c] / srgb);
                    }
                }
            }
        }
        return f;
    }

    /**
     * The relative L2 error of the normalised filter {@code (K v)_i / (K 1)_i}, lattice against exact: the form in
     * which the CRF uses the filter (its normalisation divides out the lattice's overall scale, see the class doc).
     */
    static double normalizedError(PermutohedralLattice lattice, float[] f, int d, float[] v) {
        float[] ones = new float[v.length];
        java.util.Arrays.fill(ones, 1f);
        float[] lv = lattice.filter(v, 1);
        float[] l1 = lattice.filter(ones, 1);
        double[] ev = bruteForce(f, d, v, 1);
        double[] e1 = bruteForce(f, d, ones, 1);
        float[] approx = new float[v.length];
        double[] exact = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            approx[i] = lv[i] / l1[i];
            exact[i] = ev[i] / e1[i];
        }
        return relativeError(approx, exact);
    }

    /** The relative L2 error of the raw filter after the one best-fitting scale factor. */
    static double scaledError(float[] approx, double[] exact) {
        double ab = 0;
        double aa = 0;
        for (int i = 0; i < exact.length; i++) {
            ab += approx[i] * exact[i];
            aa += (double) approx[i] * approx[i];
        }
        float[] scaled = new float[approx.length];
        for (int i = 0; i < approx.length; i++) {
            scaled[i] = (float) (approx[i] * ab / aa);
        }
        return relativeError(scaled, exact);
    }

    static double relativeError(float[] approx, double[] exact) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < exact.length; i++) {
            num += (approx[i] - exact[i]) * (approx[i] - exact[i]);
            den += exact[i] * exact[i];
        }
        return Math.sqrt(num / den);
    }

    @Test
    void spatialGaussianMatchesBruteForce() {
        int w = 24;
        int h = 18;
        float[] f = imageFeatures(w, h, 3, null, 0);
        var rnd = new Random(3);
        float[] in = new float[2 * w * h];
        for (int i = 0; i < in.length; i++) {
            in[i] = rnd.nextFloat();
        }
        var lattice = PermutohedralLattice.build(f, 2);
        float[] first = java.util.Arrays.copyOf(in, w * h);
        double err = normalizedError(lattice, f, 2, first);
        assertTrue(err <= 0.05, "relative error " + err);
        // two channels at once give the same as one at a time
        float[] both = lattice.filter(in, 2);
        float[] one = lattice.filter(first, 1);
        for (int i = 0; i < w * h; i++) {
            assertEquals(one[i], both[i], 1e-6);
        }
        // the raw filter is the Gaussian up to one overall factor (Krähenbühl's lattice is not mass-normalised)
        double shape = scaledError(both, bruteForce(f, 2, in, 2));
        assertTrue(shape <= 0.05, "shape error " + shape);
    }

    @Test
    void bilateralGaussianMatchesBruteForce() {
        int w = 20;
        int h = 16;
        var rnd = new Random(5);
        int[] rgb = new int[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // two colour regions with noise: the bilateral kernel must not leak across the edge
                int base = x < w / 2 ? 40 : 200;
                for (int c = 0; c < 3; c++) {
                    rgb[3 * (y * w + x) + c] = base + rnd.nextInt(21) - 10;
                }
            }
        }
        float[] f = imageFeatures(w, h, 6, rgb, 13);
        float[] in = new float[w * h];
        for (int i = 0; i < in.length; i++) {
            in[i] = rnd.nextFloat();
        }
        var lattice = PermutohedralLattice.build(f, 5);
        double err = normalizedError(lattice, f, 5, in);
        assertTrue(err <= 0.05, "relative error " + err);
        double shape = scaledError(lattice.filter(in, 1), bruteForce(f, 5, in, 1));
        assertTrue(shape <= 0.08, "shape error " + shape);
    }

    @Test
    void randomHighDimensionalPointsMatchBruteForce() {
        var rnd = new Random(11);
        int n = 300;
        int d = 4;
        float[] f = new float[n * d];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (rnd.nextGaussian() * 1.5);
        }
        float[] in = new float[n];
        for (int i = 0; i < n; i++) {
            in[i] = 1 + rnd.nextFloat();
        }
        var lattice = PermutohedralLattice.build(f, d);
        double err = normalizedError(lattice, f, d, in);
        assertTrue(err <= 0.05, "relative error " + err);
    }

    @Test
    void farApartPointsDoNotInteract() {
        // two points 100 standard deviations apart: each output is (about) its own value only
        float[] f = {0, 0, 100, 100};
        var lattice = PermutohedralLattice.build(f, 2);
        float[] out = lattice.filter(new float[] {1, 0}, 1);
        assertEquals(0, out[1], 1e-12);
        assertTrue(out[0] > 0.5 && out[0] < 1.5, "self weight " + out[0]);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> PermutohedralLattice.build(new float[] {1, 2, 3}, 2));
        assertThrows(IllegalArgumentException.class, () -> PermutohedralLattice.build(new float[] {1, Float.NaN}, 2));
        assertThrows(IllegalArgumentException.class, () -> PermutohedralLattice.build(new float[] {1, 2}, 0));
        var lattice = PermutohedralLattice.build(new float[] {1, 2}, 2);
        assertThrows(IllegalArgumentException.class, () -> lattice.filter(new float[2], 1));
    }
}
