package ai.seamstream.core.resample;

import ai.seamstream.core.tensor.ClassMaps;

/**
 * PyTorch's bilinear resampling without antialiasing ({@code F.interpolate(mode='bilinear', size=...)}),
 * applied separably with the 1-D weights of {@link InterpolationMatrix#linear} (SEAM-METHOD §0).
 */
public final class Bilinear {
    private Bilinear() {
    }

    /**
     * Resizes a {@code channels × inH × inW} channel-major float array to {@code channels × outH × outW}.
     *
     * <p>Each output is {@code (1−μ)·((1−λ)·a + λ·b) + μ·((1−λ)·c + λ·d)}: the width is interpolated first and the
     * height second, the order of PyTorch's CPU kernel. With align_corners=true the weights are PyTorch's and results
     * agree to float rounding (3e-8 against torch 1.13); with align_corners=false InterpolationMatrix rounds the
     * source coordinate to float where torch keeps it in double, so outputs can differ by about 1e-6 of the input
     * range.
     *
     * @throws IllegalArgumentException if a size is not positive or the array length is not channels·inH·inW
     */
    public static float[] resize(float[] chw, int channels, int inH, int inW, int outH, int outW,
            boolean alignCorners) {
        if (channels <= 0 || inH <= 0 || inW <= 0 || outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("sizes must be positive, got channels=" + channels + " in=" + inH + "x"
                    + inW + " out=" + outH + "x" + outW);
        }
        if (chw == null || chw.length != (long) channels * inH * inW) {
            throw new IllegalArgumentException("expected " + ((long) channels * inH * inW) + " values for " + channels
                    + "x" + inH + "x" + inW + ", got " + (chw == null ? "null" : chw.length));
        }
        Taps ty = Taps.of(inH, outH, alignCorners);
        Taps tx = Taps.of(inW, outW, alignCorners);
        float[] out = new float[channels * outH * outW];
        float[] rows = new float[inH * outW];
        for (int c = 0; c < channels; c++) {
            int inBase = c * inH * inW;
            // Width pass: every input row to outW samples.
            for (int y = 0; y < inH; y++) {
                int src = inBase + y * inW;
                int dst = y * outW;
                for (int x = 0; x < outW; x++) {
                    rows[dst + x] = tx.apply(chw, src, 1, x);
                }
            }
            // Height pass over the width-resampled rows.
            int outBase = c * outH * outW;
            for (int y = 0; y < outH; y++) {
                int dst = outBase + y * outW;
                for (int x = 0; x < outW; x++) {
                    out[dst + x] = ty.apply(rows, x, outW, y);
                }
            }
        }
        return out;
    }

    /** Resizes every channel of a stack of class maps to {@code outH × outW} (see {@link #resize(float[], int, int, int, int, int, boolean)}). */
    public static ClassMaps resize(ClassMaps maps, int outH, int outW, boolean alignCorners) {
        float[] data = resize(maps.data(), maps.channels(), maps.height(), maps.width(), outH, outW, alignCorners);
        return new ClassMaps(maps.channels(), outH, outW, data);
    }

    /** A new stack of class maps mirrored left to right ({@code out(c, y, x) = in(c, y, W−1−x)}). */
    public static ClassMaps flipHorizontal(ClassMaps maps) {
        int w = maps.width();
        float[] in = maps.data();
        float[] out = new float[in.length];
        for (int row = 0; row < maps.channels() * maps.height(); row++) {
            int base = row * w;
            for (int x = 0; x < w; x++) {
                out[base + x] = in[base + w - 1 - x];
            }
        }
        return new ClassMaps(maps.channels(), maps.height(), w, out);
    }

    /**
     * The output length PyTorch gives a resize by scale factor: {@code floor(in·scale)}, computed in double as
     * {@code F.interpolate} does (SEAM-METHOD §0; 448·0.3 gives 134).
     *
     * @throws IllegalArgumentException if {@code in} is not positive, {@code scale} is not a positive finite number,
     *                                  or the result is below 1 or above {@link Integer#MAX_VALUE}
     */
    public static int scaledSize(int in, double scale) {
        if (in <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + in);
        }
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be a positive finite number, got " + scale);
        }
        double out = Math.floor(in * scale);
        if (out < 1 || out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("scaling " + in + " by " + scale + " gives " + out
                    + " samples, outside 1.." + Integer.MAX_VALUE);
        }
        return (int) out;
    }

    /** The non-zero weights of each row of an {@link InterpolationMatrix#linear} matrix: at most two adjacent taps. */
    private record Taps(int[] first, float[] w0, float[] w1) {
        static Taps of(int in, int out, boolean alignCorners) {
            float[] m = InterpolationMatrix.linear(in, out, alignCorners);
            int[] first = new int[out];
            float[] w0 = new float[out];
            float[] w1 = new float[out];
            for (int i = 0; i < out; i++) {
                int row = i * in;
                int lo = 0;
                while (lo < in - 1 && m[row + lo] == 0f) {
                    lo++;
                }
                first[i] = lo;
                w0[i] = m[row + lo];
                w1[i] = lo + 1 < in ? m[row + lo + 1] : 0f;
            }
            return new Taps(first, w0, w1);
        }

        /** Output sample i from {@code data[base + k·stride]}, k = input index. */
        float apply(float[] data, int base, int stride, int i) {
            int k = first[i];
            float v = data[base + k * stride] * w0[i];
            float b = w1[i];
            // A zero second tap (the last input sample, or λ = 0) adds nothing and may lie past the end.
            return b == 0f ? v : v + data[base + (k + 1) * stride] * b;
        }
    }
}
