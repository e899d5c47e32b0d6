package ai.seamstream.core.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.image.RgbImage;
import org.junit.jupiter.api.Test;

class ViewAccumulatorTest {
    // Two foreground classes on a 1×3 image; channel-major [class][x].
    private static final float[] VIEW = {1, 2, 3, 9, 9, 9};
    private static final float[] MIRRORED = {3, 2, 1, 9, 9, 9};

    @Test
    void mirroredViewsAreFlippedBackAndAbsentClassesDropped() {
        var acc = new ViewAccumulator(2, 1, 3, new boolean[] {true, false});
        acc.addView(VIEW, false);
        acc.addView(MIRRORED, true);
        acc.addScores(new float[] {0f, (float) Math.log(3)});
        PseudoMaskResult r = acc.finish(0.26f, 0.5);
        // S_1 = [2, 4, 6]; N = (S − min − 1e-5)/(max − min + 1e-5) with the minimum pixel set to 0 first, which
        // leaves it at −(min + 1e-5)/(max − min + 1e-5), as the reference (SEAM-METHOD §3)
        float[] n = r.normalized().data();
        assertEquals(-(2 + 1e-5) / (4 + 1e-5), n[0], 1e-6);
        assertEquals((2 - 1e-5) / (4 + 1e-5), n[1], 1e-6);
        assertEquals((4 - 1e-5) / (4 + 1e-5), n[2], 1e-6);
        // class 2 is absent: its sum stays 0 although its maps were large, and an all-zero class normalises to −1
        assertArrayEquals(new float[] {-1, -1, -1}, new float[] {n[3], n[4], n[5]}, 1e-6f);
        // background 0.26 beats 0 at x=0; class 1 wins elsewhere
        assertArrayEquals(new byte[] {0, 1, 1}, r.mask().labels());
        assertEquals(0.5f, r.classProbabilities()[0], 1e-6f);
        assertEquals(0.75f, r.classProbabilities()[1], 1e-6f);
        assertFalse(r.predictedTags());
    }

    @Test
    void withoutLabelsTheScoresPredictTheTagsAndTheSameMaskFollows() {
        var acc = new ViewAccumulator(2, 1, 3, null);
        acc.addView(VIEW, false);
        acc.addView(MIRRORED, true);
        acc.addScores(new float[] {2f, -2f});
        PseudoMaskResult r = acc.finish(0.26f, 0.5);
        assertTrue(r.predictedTags());
        assertArrayEquals(new boolean[] {true, false}, r.tags());
        assertArrayEquals(new byte[] {0, 1, 1}, r.mask().labels());
    }

    @Test
    void wrongSizesAreRefused() {
        var acc = new ViewAccumulator(2, 1, 3, null);
        assertThrows(IllegalArgumentException.class, () -> acc.addView(new float[5], false));
        assertThrows(IllegalArgumentException.class, () -> acc.addScores(new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new ViewAccumulator(2, 1, 3, new boolean[3]));
    }

    @Test
    void scaledSidesRoundHalfToEvenAndTheProbabilityScaleIsTheOneNearestOne() {
        RgbImage img = RgbImage.blank(375, 5);
        RgbImage s = MultiScaleViews.scaled(img, 1.5);
        assertEquals(562, s.width()); // 562.5 rounds to even, as Python's round
        assertEquals(8, s.height()); // 7.5 -> 8
        assertEquals(img, MultiScaleViews.scaled(img, 1.0));
        assertEquals(1.0, MultiScaleViews.probabilityScale(new double[] {0.5, 1.0, 1.5, 2.0}));
        assertEquals(0.75, MultiScaleViews.probabilityScale(new double[] {0.5, 0.75, 1.5}));
        assertThrows(IllegalArgumentException.class, () -> MultiScaleViews.scaled(img, 0));
    }
}
