package ai.seamstream.torch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.seamstream.torch.net.NetConfig.BatchNormMode;
import ai.seamstream.torch.net.NetConfig.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * libtorch 2.7.1's CPU backward of a 3×3 convolution with fewer than 16 output channels returns a wrong input
 * gradient: a fixed wrong one on one thread, a different one on every run (sometimes NaN) on two or more; the weight
 * gradient is right.
 * A width-1/16 backbone has such convolutions in b2 (8 channels), so every layer below them learnt from garbage.
 * {@link SeamNetwork} routes them through a zero-padded weight. These tests check that convolution against a direct
 * sum, and a whole network's gradients on two threads against those on one.
 */
class NarrowConvGradientTest {

    /** Every trainable parameter's gradient of {@code sum(cam ⊙ r)} for a fixed random r, on {@code threads} threads. */
    private static List<float[]> gradients(int threads) {
        JniUtils.setNumThreads(threads);
        try (NDManager m = NDManager.newBaseManager();
             SeamNetwork net = new SeamNetwork(SeamNetworkTest.tiny(Method.SEAM, BatchNormMode.TRAIN, false), m, 3)) {
            NDArray x = SeamNetworkTest.image(m, 5, 2, 48, 48);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 SeamNetwork.Forward f = net.forward(x, false);
                 NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                SplittableRandom r = new SplittableRandom(9);
                float[] w = new float[Math.toIntExact(f.cam().getShape().size())];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) r.nextGaussian();
                }
                NDArray weights = OwnedArrays.copyOf(m, w, f.cam().getShape());
                gc.backward(f.cam().mul(weights).add(f.camRv().mul(weights)).sum());
            }
            List<float[]> out = new ArrayList<>();
            for (ParamStore.Param p : net.params().all()) {
                if (p.trainable()) {
                    try (NDScope s = new NDScope()) {
                        s.suppressNotUsedWarning();
                        out.add(net.params().get(p.name()).getGradient().toFloatArray());
                    }
                }
            }
            return out;
        }
    }

    private static float[] gaussian(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /**
     * The input gradient of {@code sum(conv(x, w) ⊙ g)} for a 3×3, stride-1 convolution with padding {@code d} and
     * dilation {@code d}, summed directly: {@code dx[n,i,y,x] = Σ g[n,o,y−d·ky+d, x−d·kx+d]·w[o,i,ky,kx]}.
     */
    private static double[] naiveInputGradient(float[] g, float[] w, int n, int in, int out, int size, int d) {
        double[] dx = new double[n * in * size * size];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        double s = 0;
                        for (int o = 0; o < out; o++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int oy = y - d * ky + d;
                                    int ox = x - d * kx + d;
                                    if (oy >= 0 && oy < size && ox >= 0 && ox < size) {
                                        s += g[((b * out + o) * size + oy) * size + ox] * w[((o * in + i) * 3 + ky) * 3 + kx];
                                    }
                                }
                            }
                        }
                        dx[((b * in + i) * size + y) * size + x] = s;
                    }
                }
            }
        }
        return dx;
    }

    @Test
    void aNarrowConvolutionsInputGradientIsTheDirectSumOnOneAndTwoThreads() {
        Engine.getInstance(); // loads libtorch before its thread setting is read
        int before = JniUtils.getNumThreads();
        int n = 2;
        int size = 12;
        try {
            for (int[] c : new int[][] {{8, 8, 1}, {16, 4, 1}, {8, 12, 2}, {8, 16, 1}}) {
                int in = c[0];
                int out = c[1];
                int d = c[2];
                float[] xv = gaussian(1, n * in * size * size);
                float[] wv = gaussian(2, out * in * 9);
                float[] gv = gaussian(3, n * out * size * size);
                double[] want = naiveInputGradient(gv, wv, n, in, out, size, d);
                double scale = Arrays.stream(want).map(Math::abs).max().orElse(1);
                for (int threads : new int[] {1, 2, 2, 2}) {
                    JniUtils.setNumThreads(threads);
                    try (NDManager m = NDManager.newBaseManager()) {
                        NDArray x = OwnedArrays.copyOf(m, xv, new Shape(n, in, size, size));
                        NDArray w = OwnedArrays.copyOf(m, wv, new Shape(out, in, 3, 3));
                        x.setRequiresGradient(true);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray y = SeamNetwork.conv2d(x, w, 1, d, d, true);
                            assertEquals(new Shape(n, out, size, size), y.getShape());
                            gc.backward(y.mul(OwnedArrays.copyOf(m, gv, y.getShape())).sum());
                        }
                        float[] got = x.getGradient().toFloatArray();
                        for (int i = 0; i < got.length; i++) {
                            assertEquals(want[i], got[i], 1e-4 * scale, in + "→" + out + " channels, dilation " + d + ", "
                                    + threads + " thread(s), element " + i);
                        }
                    }
                }
            }
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    @Test
    void gradientsOnTwoThreadsMatchThoseOnOne() {
        Engine.getInstance(); // loads libtorch before its thread setting is read
        int before = JniUtils.getNumThreads();
        try {
            List<float[]> reference = gradients(1);
            for (int run = 0; run < 3; run++) {
                List<float[]> two = gradients(2);
                assertEquals(reference.size(), two.size());
                for (int k = 0; k < reference.size(); k++) {
                    float[] a = reference.get(k);
                    float[] b = two.get(k);
                    double scale = 1e-12;
                    for (float v : a) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    for (int i = 0; i < a.length; i++) {
                        assertTrue(Float.isFinite(b[i]), "run " + run + ", parameter " + k + "[" + i + "] is " + b[i]);
                        assertEquals(a[i], b[i], 1e-4 * scale, "run " + run + ", parameter " + k + "[" + i + "]");
                    }
                }
            }
        } finally {
            JniUtils.setNumThreads(before);
        }
    }
}
