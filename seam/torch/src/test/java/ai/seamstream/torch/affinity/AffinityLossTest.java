package ai.seamstream.torch.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.refine.AffinityLabels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AffinityLossTest {

    /** The loss written out pair by pair in double, from the grid labels directly (not from the pair masks). */
    static double[] reference(float[] f, int n, int c, int h, int w, List<byte[]> grids, int radius) {
        double bg = 0;
        double fg = 0;
        double neg = 0;
        double bgN = 0;
        double fgN = 0;
        double negN = 0;
        for (int i = 0; i < n; i++) {
            byte[] g = grids.get(i);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int dy = 0; dy < radius; dy++) {
                        for (int dx = -radius + 1; dx < radius; dx++) {
                            boolean inHalfDisc = dy == 0 ? dx > 0 : dx * dx + dy * dy < radius * radius;
                            int ty = y + dy;
                            int tx = x + dx;
                            if (!inHalfDisc || ty >= h || tx < 0 || tx >= w) {
                                continue;
                            }
                            int a = g[y * w + x] & 0xFF;
                            int b = g[ty * w + tx] & 0xFF;
                            if (a == 255 || b == 255) {
                                continue;
                            }
                            double d = 0;
                            for (int k = 0; k < c; k++) {
                                d += Math.abs(f[((i * c + k) * h + y) * w + x] - f[((i * c + k) * h + ty) * w + tx]);
                            }
                            double aff = Math.exp(-d / c);
                            if (a == b && a == 0) {
                                bg -= Math.log(aff + 1e-5);
                                bgN++;
                            } else if (a == b) {
                                fg -= Math.log(aff + 1e-5);
                                fgN++;
                            } else {
                                neg -= Math.log(1 + 1e-5 - aff);
                                negN++;
                            }
                        }
                    }
                }
            }
        }
        bg /= bgN + 1e-5;
        fg /= fgN + 1e-5;
        neg /= negN + 1e-5;
        return new double[] {bg / 4 + fg / 4 + neg / 2, bg, fg, neg};
    }

    @Test
    void matchesThePairByPairDefinition() {
        int n = 2;
        int c = 3;
        int h = 5;
        int w = 6;
        int radius = 3;
        var rnd = new Random(1);
        float[] f = new float[n * c * h * w];
        for (int i = 0; i < f.length; i++) {
            f[i] = rnd.nextFloat();
        }
        var grids = new java.util.ArrayList<byte[]>();
        var labels = new java.util.ArrayList<AffinityLabels.PairMasks[]>();
        for (int i = 0; i < n; i++) {
            byte[] g = new byte[h * w];
            for (int p = 0; p < g.length; p++) {
                int r = rnd.nextInt(4);
                g[p] = (byte) (r == 3 ? 255 : r);
            }
            grids.add(g);
            labels.add(AffinityLabels.pairs(g, h, w, radius));
        }
        double[] expected = reference(f, n, c, h, w, grids, radius);
        try (NDManager m = NDManager.newBaseManager()) {
            var t = AffinityLoss.compute(m.create(f, new Shape(n, c, h, w)), labels);
            assertEquals(expected[0], t.total().getFloat(), 1e-5);
            assertEquals(expected[1], t.background().getFloat(), 1e-5);
            assertEquals(expected[2], t.foreground().getFloat(), 1e-5);
            assertEquals(expected[3], t.negative().getFloat(), 1e-5);
            assertThrows(IllegalArgumentException.class, () -> AffinityLoss.compute(m.create(f, new Shape(n, c, h, w)), labels.subList(0, 1)));
        }
    }
}
