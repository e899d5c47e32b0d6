package ai.seamstream.torch.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bilinear resize by matrix products against a per-pixel implementation of SEAM-METHOD §0's formulas. */
class ResizeTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** PyTorch's source coordinate, written out from §0 (scale in float, position in double, as torch computes it). */
    private static double src(int dst, int in, int out, boolean alignCorners) {
        if (alignCorners) {
            return out == 1 ? 0 : (double) ((float) (in - 1) / (float) (out - 1)) * dst;
        }
        return Math.max(0.0, (double) ((float) in / (float) out) * (dst + 0.5) - 0.5);
    }

    private static float[] naive(float[] x, int planes, int inH, int inW, int outH, int outW, boolean ac) {
        float[] y = new float[planes * outH * outW];
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < outH; i++) {
                double sy = src(i, inH, outH, ac);
                int y0 = Math.min((int) Math.floor(sy), inH - 1);
                int y1 = Math.min(y0 + 1, inH - 1);
                double ly = sy - y0;
                for (int j = 0; j < outW; j++) {
                    double sx = src(j, inW, outW, ac);
                    int x0 = Math.min((int) Math.floor(sx), inW - 1);
                    int x1 = Math.min(x0 + 1, inW - 1);
                    double lx = sx - x0;
                    int o = p * inH * inW;
                    double v = (1 - ly) * ((1 - lx) * x[o + y0 * inW + x0] + lx * x[o + y0 * inW + x1])
                            + ly * ((1 - lx) * x[o + y1 * inW + x0] + lx * x[o + y1 * inW + x1]);
                    y[(p * outH + i) * outW + j] = (float) v;
                }
            }
        }
        return y;
    }

    private static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }

    @Test
    void alignCornersUpsamplingOfATwoByTwo() {
        NDArray x = manager.create(new float[] {0, 1, 2, 3}, new Shape(1, 1, 2, 2));
        float[] got = Resize.bilinear(x, 3, 3, true).toFloatArray();
        assertArrayEquals(new float[] {0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3}, got, 1e-7f);
    }

    @Test
    void matchesPerPixelFormulaInBothModes() {
        int[][] sizes = {{7, 9, 3, 4}, {7, 9, 15, 20}, {5, 6, 5, 11}, {56, 56, 448, 448}, {448, 448, 134, 134}, {4, 4, 1, 1}};
        for (boolean ac : new boolean[] {true, false}) {
            for (int[] sz : sizes) {
                int planes = 2 * 3;
                float[] x = random(sz[0] * 31L + sz[2], planes * sz[0] * sz[1]);
                float[] want = naive(x, planes, sz[0], sz[1], sz[2], sz[3], ac);
                NDArray in = manager.create(x, new Shape(2, 3, sz[0], sz[1]));
                NDArray out = Resize.bilinear(in, sz[2], sz[3], ac);
                assertEquals(new Shape(2, 3, sz[2], sz[3]), out.getShape());
                assertArrayEquals(want, out.toFloatArray(), 2e-6f, "sizes " + java.util.Arrays.toString(sz) + " ac=" + ac);
            }
        }
    }

    @Test
    void sameSizeIsAFreshCopy() {
        NDArray x = manager.create(random(3, 2 * 5 * 7), new Shape(1, 2, 5, 7));
        NDArray y = Resize.bilinear(x, 5, 7, false);
        assertNotSame(x, y);
        assertArrayEquals(x.toFloatArray(), y.toFloatArray());
    }

    @Test
    void gradientIsTheTransposedInterpolation() {
        int inH = 4, inW = 5, outH = 7, outW = 3;
        NDArray x = manager.create(random(4, inH * inW), new Shape(1, 1, inH, inW));
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(Resize.bilinear(x, outH, outW, true).sum());
        }
        // d(sum y)/dx[i][j] = (Σ_a Ry[a][i]) · (Σ_b Rx[b][j]), computed from the per-pixel weights.
        double[] rowWeight = new double[inH];
        for (int a = 0; a < outH; a++) {
            double s = src(a, inH, outH, true);
            int y0 = Math.min((int) Math.floor(s), inH - 1);
            rowWeight[y0] += 1 - (s - y0);
            rowWeight[Math.min(y0 + 1, inH - 1)] += s - y0;
        }
        double[] colWeight = new double[inW];
        for (int b = 0; b < outW; b++) {
            double s = src(b, inW, outW, true);
            int x0 = Math.min((int) Math.floor(s), inW - 1);
            colWeight[x0] += 1 - (s - x0);
            colWeight[Math.min(x0 + 1, inW - 1)] += s - x0;
        }
        float[] g = x.getGradient().toFloatArray();
        for (int i = 0; i < inH; i++) {
            for (int j = 0; j < inW; j++) {
                assertEquals(rowWeight[i] * colWeight[j], g[i * inW + j], 1e-5, "pixel " + i + "," + j);
            }
        }
    }

    @Test
    void scaledIsFloorOfProduct() {
        assertEquals(134, Resize.scaled(448, 0.3));
        assertEquals(112, Resize.scaled(375, 0.3)); // 112.5
        assertEquals(150, Resize.scaled(500, 0.3));
        assertEquals(896, Resize.scaled(448, 2.0));
        assertThrows(IllegalArgumentException.class, () -> Resize.scaled(3, 0.3));
        assertThrows(IllegalArgumentException.class, () -> Resize.scaled(10, -1));
    }

    @Test
    void rejectsWrongRank() {
        assertThrows(IllegalArgumentException.class, () -> Resize.bilinear(manager.zeros(new Shape(3, 4, 4)), 2, 2, true));
    }
}
