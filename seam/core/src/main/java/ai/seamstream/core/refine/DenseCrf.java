package ai.seamstream.core.refine;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.postprocess.PseudoMasks;
import ai.seamstream.core.tensor.ClassMaps;

/**
 * The fully connected CRF of Krähenbühl and Koltun (NIPS 2011) with mean-field inference, as the SEAM reference
 * runs it through pydensecrf (SEAM-METHOD.md §5): unary {@code −log(clip(p, 1e-5, 1))}, a Gaussian Potts kernel on
 * (x/3, y/3) with weight 3 and a bilateral Potts kernel on (x/80, y/80, r/13, g/13, b/13) with weight 10, both with
 * symmetric normalisation, 10 iterations. The Gaussian kernels are filtered on a {@link PermutohedralLattice}.
 *
 * <p>Symmetric normalisation (densecrf's {@code NORMALIZE_SYMMETRIC}) replaces each kernel matrix K by
 * {@code D^{-1/2} K D^{-1/2}} with {@code D = diag(K·1)}, the lattice's own filter of a constant image; the sums
 * include each pixel's weight on itself, as in densecrf. A mean-field step is then
 * {@code Q_i(l) ∝ exp(−U_i(l) + Σ_m w_m (K̃_m Q(l))_i)} (Potts: a label agrees with the neighbours that hold it).
 */
public final class DenseCrf {

    /**
     * CRF settings.
     *
     * @param iterations     mean-field iterations (reference 10; 0 returns the softmax of the unary)
     * @param gaussianSxy    spatial standard deviation of the Gaussian kernel, pixels (reference 3)
     * @param gaussianWeight its Potts weight (reference 3); 0 switches it off
     * @param bilateralSxy   spatial standard deviation of the bilateral kernel, pixels (reference 80)
     * @param bilateralSrgb  its colour standard deviation, 0..255 units (reference 13)
     * @param bilateralWeight its Potts weight (reference 10); 0 switches it off
     * @param clip           the smallest probability in the unary {@code −log(clip(p, clip, 1))} (reference 1e-5)
     */
    public record Config(int iterations, double gaussianSxy, double gaussianWeight, double bilateralSxy,
                         double bilateralSrgb, double bilateralWeight, double clip) {
        public Config {
            if (iterations < 0 || iterations > 1000) {
                throw new IllegalArgumentException("CRF iterations must be 0..1000, got " + iterations);
            }
            positive("Gaussian sxy", gaussianSxy);
            positive("bilateral sxy", bilateralSxy);
            positive("bilateral srgb", bilateralSrgb);
            if (!(gaussianWeight >= 0) || !(bilateralWeight >= 0) || Double.isInfinite(gaussianWeight)
                    || Double.isInfinite(bilateralWeight)) {
                throw new IllegalArgumentException("CRF kernel weights must be finite and >= 0, got " + gaussianWeight
                        + " and " + bilateralWeight);
            }
            if (!(clip > 0 && clip < 1)) {
                throw new IllegalArgumentException("CRF probability clip must be in (0, 1), got " + clip);
            }
        }

        private static void positive(String what, double v) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("CRF " + what + " must be finite and > 0, got " + v);
            }
        }

        /** The reference's settings (SEAM's {@code imutils.crf_inference}). */
        public static Config reference() {
            return new Config(10, 3, 3, 80, 13, 10, 1e-5);
        }

        public Config withIterations(int n) {
            return new Config(n, gaussianSxy, gaussianWeight, bilateralSxy, bilateralSrgb, bilateralWeight, clip);
        }
    }

    private DenseCrf() {
    }

    /**
     * Mean-field marginals Q for an image and per-pixel class probabilities.
     *
     * @param probabilities C maps (channel = label, background first where there is one) at the image's size;
     *                      not renormalised, as in the reference; must not be NaN
     * @return C maps, each pixel's Q summing to 1
     */
    public static ClassMaps inference(RgbImage image, ClassMaps probabilities, Config config) {
        return model(image, probabilities, config).run(config.iterations());
    }

    /** {@link #inference} followed by the per-pixel argmax (label index = channel index). */
    public static LabelMask refine(RgbImage image, ClassMaps probabilities, Config config) {
        return PseudoMasks.argmax(inference(image, probabilities, config));
    }

    /** The CRF of one image, for stepping through mean field and measuring its free energy. */
    public static Model model(RgbImage image, ClassMaps probabilities, Config config) {
        if (image.width() != probabilities.width() || image.height() != probabilities.height()) {
            throw new IllegalArgumentException("probabilities are " + probabilities.width() + "x" + probabilities.height()
                    + " but the image is " + image.width() + "x" + image.height());
        }
        return new Model(image, probabilities, config);
    }

    /** One image's unary and normalised pairwise kernels. */
    public static final class Model {
        private final int n;
        private final int labels;
        private final int width;
        private final int height;
        private final float[] unary;
        private final Kernel[] kernels;

        private Model(RgbImage image, ClassMaps probabilities, Config config) {
            width = image.width();
            height = image.height();
            n = width * height;
            labels = probabilities.channels();
            float[] p = probabilities.data();
            unary = new float[p.length];
            float lo = (float) config.clip();
            for (int i = 0; i < p.length; i++) {
                if (Float.isNaN(p[i])) {
                    throw new IllegalArgumentException("CRF probabilities contain NaN at channel " + (i / n) + ", pixel " + (i % n));
                }
                unary[i] = (float) -Math.log(Math.min(1f, Math.max(lo, p[i])));
            }
            var list = new java.util.ArrayList<Kernel>();
            if (config.gaussianWeight() > 0) {
                list.add(new Kernel(spatialFeatures(image, config.gaussianSxy()), 2, (float) config.gaussianWeight()));
            }
            if (config.bilateralWeight() > 0) {
                list.add(new Kernel(bilateralFeatures(image, config.bilateralSxy(), config.bilateralSrgb()), 5,
                        (float) config.bilateralWeight()));
            }
            kernels = list.toArray(new Kernel[0]);
        }

        /** The mean-field starting point: softmax of the negative unary. */
        public float[] initial() {
            float[] q = new float[labels * n];
            for (int i = 0; i < q.length; i++) {
                q[i] = -unary[i];
            }
            softmaxInPlace(q);
            return q;
        }

        /** One parallel mean-field update of Q ({@code labels × N}, channel-major). */
        public float[] step(float[] q) {
            checkQ(q);
            float[] t = new float[labels * n];
            for (int i = 0; i < t.length; i++) {
                t[i] = -unary[i];
            }
            for (Kernel k : kernels) {
                float[] m = k.apply(q, labels);
                for (int i = 0; i < t.length; i++) {
                    t[i] += k.weight * m[i];
                }
            }
            softmaxInPlace(t);
            return t;
        }

        /** Q after the given number of mean-field iterations from {@link #initial()}. */
        public ClassMaps run(int iterations) {
            float[] q = initial();
            for (int it = 0; it < iterations; it++) {
                q = step(q);
            }
            return new ClassMaps(labels, height, width, q);
        }

        /**
         * The mean-field free energy {@code KL(Q‖P) − log Z}:
         * {@code Σ_i Σ_l Q_i(l)(log Q_i(l) + U_i(l)) − ½ Σ_m w_m Σ_l Q(l)ᵀ K̃_m Q(l)}, the Potts energy written
         * as −w per agreeing pair (it differs from w per disagreeing pair by a constant). The pairwise sum includes
         * i = j, as the update does; with that term the update is the exact minimiser of the energy's convex part
         * against the linearised concave part, so this energy does not increase from one iteration to the next.
         */
        public double energy(float[] q) {
            checkQ(q);
            double e = 0;
            for (int i = 0; i < q.length; i++) {
                if (q[i] > 0) {
                    e += q[i] * (Math.log(q[i]) + unary[i]);
                }
            }
            for (Kernel k : kernels) {
                float[] m = k.apply(q, labels);
                double s = 0;
                for (int i = 0; i < q.length; i++) {
                    s += (double) q[i] * m[i];
                }
                e -= 0.5 * k.weight * s;
            }
            return e;
        }

        private void checkQ(float[] q) {
            if (q == null || q.length != labels * n) {
                throw new IllegalArgumentException("Q must hold " + labels + " × " + n + " values, got " + (q == null ? "null" : q.length));
            }
        }

        private void softmaxInPlace(float[] x) {
            for (int i = 0; i < n; i++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int l = 0; l < labels; l++) {
                    max = Math.max(max, x[l * n + i]);
                }
                double sum = 0;
                for (int l = 0; l < labels; l++) {
                    float e = (float) Math.exp(x[l * n + i] - max);
                    x[l * n + i] = e;
                    sum += e;
                }
                float inv = (float) (1 / sum);
                for (int l = 0; l < labels; l++) {
                    x[l * n + i] *= inv;
                }
            }
        }
    }

    /** A Gaussian kernel on the lattice with densecrf's symmetric normalisation. */
    private static final class Kernel {
        final PermutohedralLattice lattice;
        final float weight;
        final float[] norm;

        Kernel(float[] features, int d, float weight) {
            this.lattice = PermutohedralLattice.build(features, d);
            this.weight = weight;
            int n = lattice.points();
            float[] ones = new float[n];
            java.util.Arrays.fill(ones, 1f);
            float[] sums = lattice.filter(ones, 1);
            norm = new float[n];
            for (int i = 0; i < n; i++) {
                norm[i] = (float) (1 / Math.sqrt(sums[i] + 1e-20));
            }
        }

        /** D^{-1/2} K D^{-1/2} applied to each of the label planes. */
        float[] apply(float[] q, int labels) {
            int n = norm.length;
            float[] in = new float[q.length];
            for (int l = 0; l < labels; l++) {
                int o = l * n;
                for (int i = 0; i < n; i++) {
                    in[o + i] = q[o + i] * norm[i];
                }
            }
            float[] out = lattice.filter(in, labels);
            for (int l = 0; l < labels; l++) {
                int o = l * n;
                for (int i = 0; i < n; i++) {
                    out[o + i] *= norm[i];
                }
            }
            return out;
        }
    }

    static float[] spatialFeatures(RgbImage image, double sxy) {
        int w = image.width();
        int h = image.height();
        float[] f = new float[w * h * 2];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * 2;
                f[p] = (float) (x / sxy);
                f[p + 1] = (float) (y / sxy);
            }
        }
        return f;
    }

    static float[] bilateralFeatures(RgbImage image, double sxy, double srgb) {
        int w = image.width();
        int h = image.height();
        byte[] rgb = image.rgb();
        float[] f = new float[w * h * 5];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int p = i * 5;
                f[p] = (float) (x / sxy);
                f[p + 1] = (float) (y / sxy);
                for (int c = 0; c < 3; c++) {
                    f[p + 2 + c] = (float) ((rgb[3 * i + c] & 0xFF) / srgb);
                }
            }
        }
        return f;
    }
}
