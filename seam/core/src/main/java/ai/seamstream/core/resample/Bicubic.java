package ai.seamstream.core.resample;

import ai.seamstream.core.image.RgbImage;

/**
 * PIL's {@code Image.resize(size, Image.BICUBIC)} on 8-bit RGB, reproduced bit for bit: the reference pipeline's
 * random long-side resize (SEAM-METHOD §2) uses it.
 *
 * <p>The kernel is the cubic convolution with a = −0.5 and support 2, stretched by the scale factor when
 * downscaling (so it antialiases); weights are normalised per output sample, converted to 22-bit fixed point,
 * and applied first along the width and then along the height, each pass rounding and clipping to 0..255.
 */
public final class Bicubic {
    /** PIL's {@code PRECISION_BITS}: 32 bits minus 8 for the sample minus 2 for overshoot headroom. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;
    private static final double A = -0.5;

    private Bicubic() {
    }

    /**
     * Resizes an image to {@code outW × outH}; a same-size resize returns a copy, as PIL does.
     *
     * @throws IllegalArgumentException if a target size is not positive
     */
    public static RgbImage resize(RgbImage img, int outW, int outH) {
        if (outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + outW + "x" + outH);
        }
        int w = img.width();
        int h = img.height();
        byte[] pixels = img.rgb();
        int width = w;
        if (outW != w) {
            pixels = horizontal(pixels, w, h, coefficients(w, outW));
            width = outW;
        }
        if (outH != h) {
            pixels = vertical(pixels, width, h, coefficients(h, outH));
        }
        return new RgbImage(outW, outH, pixels == img.rgb() ? pixels.clone() : pixels);
    }

    /** PIL's {@code bicubic_filter}. */
    static double filter(double x) {
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((A + 2.0) * x - (A + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * A;
        }
        return 0.0;
    }

    /**
     * Fixed-point weights for one axis, as PIL's {@code precompute_coeffs} then {@code normalize_coeffs_8bpc}:
     * output sample i reads {@code count[i]} inputs from {@code first[i]} with weights {@code k[i·ksize + j]}.
     */
    record Coefficients(int ksize, int[] first, int[] count, int[] k) {
    }

    static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] k = new int[outSize * ksize];
        double[] w = new double[ksize];
        double ss = 1.0 / filterScale;
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            // C's (int) cast truncates toward zero; Java's does the same.
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                w[x] = filter((x + xmin - center + 0.5) * ss);
                ww += w[x];
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0.0 ? w[x] / ww : w[x];
                k[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                        : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(ksize, first, count, k);
    }

    /** Rounds a fixed-point sum (which started at one half) down to 8 bits and clips it, as PIL's {@code clip8}. */
    private static byte clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static byte[] horizontal(byte[] in, int w, int h, Coefficients co) {
        int outW = co.first().length;
        byte[] out = new byte[3 * outW * h];
        int[] k = co.k();
        int ksize = co.ksize();
        for (int y = 0; y < h; y++) {
            int row = 3 * y * w;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = co.first()[xx];
                int n = co.count()[xx];
                int kb = xx * ksize;
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int x = 0; x < n; x++) {
                    int p = row + 3 * (x + xmin);
                    int kx = k[kb + x];
                    s0 += (in[p] & 0xFF) * kx;
                    s1 += (in[p + 1] & 0xFF) * kx;
                    s2 += (in[p + 2] & 0xFF) * kx;
                }
                int o = 3 * (y * outW + xx);
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] in, int w, int h, Coefficients co) {
        int outH = co.first().length;
        byte[] out = new byte[3 * w * outH];
        int[] k = co.k();
        int ksize = co.ksize();
        for (int yy = 0; yy < outH; yy++) {
            int ymin = co.first()[yy];
            int n = co.count()[yy];
            int kb = yy * ksize;
            for (int x = 0; x < w; x++) {
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int y = 0; y < n; y++) {
                    int p = 3 * ((y + ymin) * w + x);
                    int ky = k[kb + y];
                    s0 += (in[p] & 0xFF) * ky;
                    s1 += (in[p + 1] & 0xFF) * ky;
                    s2 += (in[p + 2] & 0xFF) * ky;
                }
                int o = 3 * (yy * w + x);
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return out;
    }
}
