package ai.seamstream.core.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** Checks the morphology against brute-force distance definitions written independently here. */
class MorphologyTest {
    private static final int W = 23;
    private static final int H = 17;

    private static boolean[] randomBlobs(long seed) {
        var rng = new SplitMix64(seed);
        var set = new boolean[W * H];
        for (int k = 0; k < 4; k++) {
            int cx = rng.nextInt(W);
            int cy = rng.nextInt(H);
            int r = 2 + rng.nextInt(5);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                        set[y * W + x] = true;
                    }
                }
            }
        }
        return set;
    }

    /** Squared Euclidean distance from (x, y) to the nearest pixel satisfying the predicate; MAX_VALUE if none. */
    private static int nearest(int x, int y, IntPredicate pixel) {
        int best = Integer.MAX_VALUE;
        for (int qy = 0; qy < H; qy++) {
            for (int qx = 0; qx < W; qx++) {
                if (pixel.test(qy * W + qx)) {
                    best = Math.min(best, (qx - x) * (qx - x) + (qy - y) * (qy - y));
                }
            }
        }
        return best;
    }

    @Test
    void diskSizes() {
        assertEquals(2, Morphology.disk(0).length);
        assertEquals(2 * 5, Morphology.disk(1).length);
        assertEquals(2 * 13, Morphology.disk(2).length);
        assertEquals(2 * 29, Morphology.disk(3).length);
    }

    @Test
    void dilateIsDistanceToTheSetAtMostR() {
        for (long seed = 1; seed <= 3; seed++) {
            boolean[] set = randomBlobs(seed);
            for (int r = 0; r <= 3; r++) {
                var expected = new boolean[W * H];
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        expected[y * W + x] = nearest(x, y, p -> set[p]) <= r * r;
                    }
                }
                assertArrayEquals(expected, Morphology.dilate(set, W, H, r), "seed " + seed + " r " + r);
            }
        }
    }

    @Test
    void erodeKeepsPixelsFartherThanRFromOutsideAndFromTheImageBorder() {
        for (long seed = 1; seed <= 3; seed++) {
            boolean[] set = randomBlobs(seed);
            for (int r = 0; r <= 3; r++) {
                var expected = new boolean[W * H];
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        // the nearest non-set pixel, counting the ring of pixels just outside the image as non-set
                        int d = nearest(x, y, p -> !set[p]);
                        int border = Math.min(Math.min(x + 1, W - x), Math.min(y + 1, H - y));
                        expected[y * W + x] = set[y * W + x] && d > r * r && border * border > r * r;
                    }
                }
                assertArrayEquals(expected, Morphology.erode(set, W, H, r), "seed " + seed + " r " + r);
            }
        }
    }

    @Test
    void ignoreBandMarksEveryPixelWithinRofAnotherLabel() {
        var labels = new byte[W * H];
        boolean[] a = randomBlobs(4);
        boolean[] b = randomBlobs(5);
        for (int p = 0; p < labels.length; p++) {
            labels[p] = (byte) (b[p] ? 2 : a[p] ? 1 : 0);
        }
        for (int r = 0; r <= 4; r++) {
            var expected = labels.clone();
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    byte own = labels[y * W + x];
                    if (nearest(x, y, p -> labels[p] != own) <= r * r && r > 0) {
                        expected[y * W + x] = (byte) 255;
                    }
                }
            }
            assertArrayEquals(expected, Morphology.ignoreBand(labels, W, H, r, (byte) 255), "r " + r);
        }
    }

    @Test
    void countCountsSetPixels() {
        assertEquals(2, Morphology.count(new boolean[] {true, false, true, false}));
    }
}
