package ai.seamstream.core.refine;

import ai.seamstream.core.tensor.ClassMaps;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AffinityLabelsTest {

    /** A 2-channel map, 4×2 pixels, from per-pixel (background, class) pairs. */
    static ClassMaps maps(float[][] px) {
        int n = px.length;
        float[] d = new float[2 * n];
        for (int i = 0; i < n; i++) {
            d[i] = px[i][0];
            d[n + i] = px[i][1];
        }
        return new ClassMaps(2, 1, n, d);
    }

    @Test
    void gridLabelsFollowTheLowAndHighAlphaRules() {
        // stride 1, four pixels:
        // 0: low-α says class, high-α says class      → class 1 (confident foreground)
        // 1: low-α says background, high-α background  → 0 (confident background)
        // 2: low-α says background, high-α says class  → ignored (in between)
        // 3: no score at all                           → ignored
        ClassMaps la = maps(new float[][] {{0.2f, 0.8f}, {0.9f, 0.1f}, {0.7f, 0.3f}, {0f, 0f}});
        ClassMaps ha = maps(new float[][] {{0.1f, 0.9f}, {0.6f, 0.4f}, {0.3f, 0.7f}, {0f, 0f}});
        byte[] g = AffinityLabels.grid(la, ha, 1);
        assertEquals(1, g[0]);
        assertEquals(0, g[1]);
        assertEquals(AffinityLabels.IGNORE, g[2] & 0xFF);
        assertEquals(AffinityLabels.IGNORE, g[3] & 0xFF);
    }

    @Test
    void gridPoolsByTheStrideWithZeroPadding() {
        // 1×3 pixels at stride 2: cell 0 averages pixels 0 and 1 (over 4 slots), cell 1 holds pixel 2 and padding
        ClassMaps la = maps(new float[][] {{0.1f, 0.9f}, {0.1f, 0.9f}, {0.8f, 0.2f}});
        byte[] g = AffinityLabels.grid(la, la, 2);
        assertEquals(2, g.length);
        assertEquals(1, g[0]);
        assertEquals(0, g[1]);
        float[] pooled = AffinityLabels.pool(la, 2);
        assertEquals((0.9f + 0.9f) / 4, pooled[2], 1e-7);
    }

    @Test
    void pairMasksByHand() {
        // a 2×3 grid: row 0 = [0, 1, 255], row 1 = [0, 0, 1]; radius 2 → offsets (0,1), (1,-1), (1,0), (1,1)
        byte[] grid = {0, 1, (byte) 255, 0, 0, 1};
        var p = AffinityLabels.pairs(grid, 2, 3, 2);
        assertEquals(4, p.length);
        // (0,1): sources x 0..1 in both rows: (0→1) neg, (1→255) none, (0→0) bg, (0→1) neg
        var h = p[0];
        assertEquals(2, h.rows());
        assertEquals(2, h.cols());
        assertEquals(1, h.backgroundCount());
        assertEquals(0, h.foregroundCount());
        assertEquals(2, h.negativeCount());
        // (1,0): sources row 0: (0→0) bg, (1→0) neg, (255→1) none
        var v = p[2];
        assertEquals(1, v.rows());
        assertEquals(3, v.cols());
        assertEquals(1, v.backgroundCount());
        assertEquals(1, v.negativeCount());
        // (1,1): sources row 0, x 0..1: (0→0) bg, (1→1) fg
        var d = p[3];
        assertEquals(1, d.foregroundCount());
        assertEquals(1, d.backgroundCount());
        // (1,-1): sources row 0, x 1..2: (1→0) neg, (255→0) none
        var a = p[1];
        assertEquals(1, a.x0());
        assertEquals(1, a.negativeCount());
        assertEquals(0, a.backgroundCount() + a.foregroundCount());
        assertThrows(IllegalArgumentException.class, () -> AffinityLabels.pairs(grid, 3, 3, 2));
    }
}
