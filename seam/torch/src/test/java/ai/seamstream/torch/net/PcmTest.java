package ai.seamstream.torch.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** The PCM input (SEAM-METHOD §1.3 step 2) and the PCM revision (§1.4) against hand-computed values. */
class PcmTest {
    private static final float E = 1e-5f;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
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
    void pcmInputNormalisesRebuildsBackgroundAndKeepsOnlyForegroundWinners() {
        // 1×3×1×4: background, fg1 = [4, 1, 2, 2], fg2 = [4, 1, -3, 2.5] (both maxima 4, so pixel 1 is a tie).
        float[] cam = {
            2f, -1f, 0f, 7f,
            4f, 1f, 2f, 2f,
            4f, 1f, -3f, 2.5f,
        };
        NDArray x = manager.create(cam, new Shape(1, 3, 1, 4));
        x.setRequiresGradient(true);
        NDArray out;
        GradientCollector gc = Engine.getInstance().newGradientCollector();
        try {
            out = Pcm.pcmInput(x);
            assertFalse(out.hasGradient(), "the PCM input must carry no gradient");
        } finally {
            gc.close();
        }
        float m = 4f + E;
        float a0 = (4f - E) / m, a1 = (1f - E) / m, a2 = (2f - E) / m;
        float b0 = (4f - E) / m, b1 = (1f - E) / m, b3 = (2.5f - E) / m;
        float[] want = {
            1f - a0, 1f - a1, 1f - a2, 1f - b3,
            a0, a1, a2, 0f,     // pixel 0 is a tie at the top too; pixel 3 is lost to fg2
            b0, b1, 0f, b3,     // pixel 2: ReLU'd to 0 and below fg1
        };
        assertArrayEquals(want, out.toFloatArray(), 1e-7f);
    }

    /** Hand-computed 3-pixel example: e0 = (1,0), e1 = (0,2), e2 = (−1,1); A02 is negative and ReLU'd away. */
    @Test
    void reviseMatchesThreePixelHandComputation() {
        NDArray embedding = manager.create(new float[] {1, 0, -1, 0, 2, 1}, new Shape(1, 2, 1, 3));
        float[] c = {1f, 0f, 0.5f, 0f, 1f, 0.5f};
        NDArray camNorm = manager.create(c, new Shape(1, 2, 1, 3));
        double e = 1e-5;
        double s2 = Math.sqrt(2);
        double[][] a = new double[3][3];
        a[0][0] = 1 / ((1 + e) * (1 + e));
        a[1][1] = 4 / ((2 + e) * (2 + e));
        a[2][2] = 2 / ((s2 + e) * (s2 + e));
        a[1][2] = a[2][1] = 2 / ((2 + e) * (s2 + e));
        a[0][2] = a[2][0] = 0; // −1/((1+e)(√2+e)) < 0
        a[0][1] = a[1][0] = 0;
        double[][] norm = new double[3][3];
        for (int j = 0; j < 3; j++) {
            double col = a[0][j] + a[1][j] + a[2][j];
            for (int i = 0; i < 3; i++) {
                norm[i][j] = a[i][j] / (col + e);
            }
        }
        float[] aff = Pcm.affinity(embedding).toFloatArray();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(norm[i][j], aff[i * 3 + j], 1e-6, "Â[" + i + "][" + j + "]");
            }
        }
        float[] rv = Pcm.revise(camNorm, embedding).toFloatArray();
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 3; j++) {
                double want = 0;
                for (int i = 0; i < 3; i++) {
                    want += c[k * 3 + i] * norm[i][j];
                }
                assertEquals(want, rv[k * 3 + j], 1e-6, "cam_rv[" + k + "][" + j + "]");
            }
        }
    }

    @Test
    void affinityColumnsSumToOneAndZeroPixelsStayZero() {
        int n = 2, d = 5, h = 4, w = 6, p = h * w;
        float[] v = random(11, n * d * p);
        for (int ch = 0; ch < d; ch++) {
            v[ch * p + 7] = 0f; // sample 0, pixel 7 has a zero embedding: its column has no positive affinity
        }
        float[] aff = Pcm.affinity(manager.create(v, new Shape(n, d, h, w))).toFloatArray();
        assertEquals(n * p * p, aff.length);
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < p; j++) {
                double col = 0;
                for (int i = 0; i < p; i++) {
                    float x = aff[(b * p + i) * p + j];
                    assertFalse(Float.isNaN(x) || x < 0f, "Â entries are finite and non-negative");
                    col += x;
                }
                if (b == 0 && j == 7) {
                    assertEquals(0.0, col, 0.0);
                } else {
                    assertEquals(1.0, col, 1e-5, "column " + j + " of sample " + b);
                }
            }
        }
    }

    @Test
    void chunkedEqualsUnchunkedInValueAndGradient() {
        int n = 2, d = 6, k = 4, h = 5, w = 7;
        float[] ev = random(12, n * d * h * w);
        float[] cv = random(13, n * k * h * w);
        NDArray camNorm = manager.create(cv, new Shape(n, k, h, w));
        float[] whole = null;
        float[] wholeGrad = null;
        for (int chunk : new int[] {35, 1, 8, 34, 1000}) {
            NDArray embedding = manager.create(ev, new Shape(n, d, h, w));
            embedding.setRequiresGradient(true);
            NDArray rv;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                rv = Pcm.revise(camNorm, embedding, chunk);
                // A weighted sum, so every output element matters to the gradient.
                NDArray weights = manager.create(random(14, n * k * h * w), new Shape(n, k, h, w));
                gc.backward(rv.mul(weights).sum());
            }
            assertEquals(new Shape(n, k, h, w), rv.getShape());
            float[] g = embedding.getGradient().toFloatArray();
            if (whole == null) {
                whole = rv.toFloatArray();
                wholeGrad = g;
            } else {
                assertArrayEquals(whole, rv.toFloatArray(), 1e-6f, "chunk " + chunk);
                assertArrayEquals(wholeGrad, g, 1e-5f, "gradient with chunk " + chunk);
            }
        }
    }

    @Test
    void rejectsMismatchedSizes() {
        assertThrows(IllegalArgumentException.class, () -> Pcm.revise(manager.zeros(new Shape(1, 3, 4, 4)),
                manager.zeros(new Shape(1, 5, 4, 3)), 4));
        assertThrows(IllegalArgumentException.class, () -> Pcm.revise(manager.zeros(new Shape(1, 3, 4, 4)),
                manager.zeros(new Shape(1, 5, 4, 4)), 0));
        assertThrows(IllegalArgumentException.class, () -> Pcm.pcmInput(manager.zeros(new Shape(1, 1, 4, 4))));
    }
}
