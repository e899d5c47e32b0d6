package ai.seamstream.torch.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.torch.net.Pcm;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The arithmetic of {@code seam inspect-pcm}, each piece against the network's own PCM or by hand. */
class InspectPcmCommandTest {

    private static float[] random(long seed, int n, double lo) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(lo, 1);
        }
        return v;
    }

    @Test
    void affinityAtPowerOneIsThePcmsAffinity() {
        int d = 5;
        int h = 3;
        int w = 4;
        int p = h * w;
        float[] e = random(3, d * p, -1);
        float[] ours = InspectPcmCommand.affinity(e, d, p, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] pcm = Pcm.affinity(m.create(e, new Shape(1, d, h, w))).toFloatArray();
            assertArrayEquals(pcm, ours, 1e-6f);
        }
    }

    @Test
    void aPowerSharpensEachColumnAndKeepsItNormalised() {
        // Two-dimensional embedding of three cells: angles 0°, 60° and 90° between them.
        float[] e = {1, 0.5f, 0, 0, (float) Math.sqrt(0.75), 1}; // row k = component k of every cell
        float[] a = InspectPcmCommand.affinity(e, 2, 3, 2);
        // Column 0: cos with cell 0 is 1, 0.5, 0; squared 1, 0.25, 0; normalised by 1.25 (+1e-5).
        assertEquals(1 / 1.25, a[0], 1e-5);
        assertEquals(0.25 / 1.25, a[3], 1e-5);
        assertEquals(0, a[6], 1e-7);
        for (int j = 0; j < 3; j++) {
            assertEquals(1.0, a[j] + a[3 + j] + a[6 + j], 1e-4, "column " + j);
        }
    }

    @Test
    void reviseIsTheForegroundOfThePcmsProduct() {
        int k = 3;
        int h = 2;
        int w = 3;
        int p = h * w;
        float[] camNorm = random(5, k * p, 0);
        float[] e = random(6, 4 * p, -1);
        float[] aff = InspectPcmCommand.affinity(e, 4, p, 1);
        float[] ours = InspectPcmCommand.revise(camNorm, aff, k, p);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray rv = Pcm.revise(m.create(camNorm, new Shape(1, k, h, w)), m.create(e, new Shape(1, 4, h, w)));
            float[] all = rv.toFloatArray();
            float[] fg = java.util.Arrays.copyOfRange(all, p, k * p);
            assertArrayEquals(fg, ours, 1e-5f);
        }
    }

    @Test
    void cellsTakeTheLabelUnderTheirAlignCornersCentre() {
        var truth = LabelMask.zeros(9, 9);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 9; x++) {
                truth.set(x, y, x + 10 * y);
            }
        }
        LabelMask cells = InspectPcmCommand.cellTruth(truth, 9, 9, 3, 3);
        // centres at pixels 0, 4 and 8 of each axis
        assertArrayEquals(new byte[] {0, 4, 8, 40, 44, 48, 80, 84, 88}, cells.labels());
        // The network saw the image at twice its size (18×18): centres 0, 8.5, 17 there are 0, 4.25, 8.5 here,
        // rounded half up to 0, 4 and 9, and 9 clamped to the last pixel, 8.
        LabelMask scaled = InspectPcmCommand.cellTruth(truth, 18, 18, 3, 3);
        assertArrayEquals(new byte[] {0, 4, 8, 40, 44, 48, 80, 84, 88}, scaled.labels());
    }

    @Test
    void reachCountsHotCellMassOnColdCellsOfTheirClassAndOnBackground() {
        int p = 4;
        int classes = 3; // background and two foreground classes
        // aff[i·p + j]: column j (the receiving cell) sums to 1.
        float[][] cols = {{0.7f, 0.1f, 0.1f, 0.1f}, {0.4f, 0.3f, 0.2f, 0.1f}, {0.25f, 0.25f, 0.25f, 0.25f},
            {0.1f, 0.2f, 0.3f, 0.4f}};
        float[] aff = new float[p * p];
        for (int j = 0; j < p; j++) {
            for (int i = 0; i < p; i++) {
                aff[i * p + j] = cols[j][i];
            }
        }
        // ĉ: class 1 hot at cell 0 (1.0), cold at cell 1 (0.2); class 2 cold at cell 3 (0.3), hot nowhere.
        float[] camNorm = {0, 0, 1, 0.7f, 1.0f, 0.2f, 0, 0, 0, 0, 0, 0.3f};
        byte[] cells = {1, 1, 0, 2};
        double[] acc = new double[6];
        InspectPcmCommand.addReach(aff, camNorm, cells, classes, p, acc);
        // Cell 1 (class 1, cold) draws A[0,1] = 0.4 from class 1's hot cell 0; cell 0 is hot itself and cell 3's
        // class has no hot cell, so neither counts. Background cell 2 draws A[0,2] = 0.25 from the hot cells. The hot
        // cell 0 keeps A[0,0] = 0.7 from its class's hot cells.
        assertArrayEquals(new double[] {0.4, 1, 0.25, 1, 0.7, 1}, acc, 1e-6);

        // Class 2 hot at cell 3 too: background cell 2 now draws from cells 0 and 3; an ignored cell adds nothing to
        // the first two, but the hot cell 3 (ignored or not) keeps A[3,3] = 0.4 of class 2's peak.
        float[] camNorm2 = camNorm.clone();
        camNorm2[2 * p + 3] = 0.9f;
        byte[] cells2 = {1, 1, 0, (byte) LabelMask.IGNORE};
        InspectPcmCommand.addReach(aff, camNorm2, cells2, classes, p, acc);
        assertArrayEquals(new double[] {0.8, 2, 0.25 + 0.5, 2, 0.7 + 0.7 + 0.4, 3}, acc, 1e-6);

        // No hot cell anywhere: nothing is added.
        InspectPcmCommand.addReach(aff, new float[classes * p], cells, classes, p, acc);
        assertArrayEquals(new double[] {0.8, 2, 0.75, 2, 1.8, 3}, acc, 1e-6);
    }
}
