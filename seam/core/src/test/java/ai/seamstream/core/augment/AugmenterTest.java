package ai.seamstream.core.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.augment.Augmenter.Jitter;
import ai.seamstream.core.augment.Augmenter.Plan;
import ai.seamstream.core.image.GoldenFiles;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.resample.Bicubic;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AugmenterTest {
    private static final Normalization NORM = Normalization.IMAGENET;

    /**
     * The reference transform with fixed draws, computed by make_golden.py with PIL 9.4 and numpy (imutils'
     * RandomResizeLong, flip, ImageEnhance/adjust_hue in the given order, Normalize, imutils.RandomCrop).
     */
    @Test
    void equalsTheReferenceTransformBitForBit() {
        Augmenter a0 = new Augmenter(AugmentConfig.reference().withSizes(20, 20, 40));
        Plan p0 = new Plan(26, true, List.of(new Jitter(ColorJitter.Op.HUE, 0.0625),
                new Jitter(ColorJitter.Op.CONTRAST, 1.2), new Jitter(ColorJitter.Op.BRIGHTNESS, 0.8),
                new Jitter(ColorJitter.Op.SATURATION, 1.1)), 4, 0, 0, 1);
        assertArrayEquals(GoldenFiles.floats("augment_plan0.f32"), a0.execute(GoldenFiles.pattern(23, 17), p0).chw());

        Augmenter a1 = new Augmenter(AugmentConfig.reference().withSizes(24, 20, 40));
        Plan p1 = new Plan(31, false, List.of(new Jitter(ColorJitter.Op.SATURATION, 0.75),
                new Jitter(ColorJitter.Op.BRIGHTNESS, 1.25), new Jitter(ColorJitter.Op.HUE, -0.09),
                new Jitter(ColorJitter.Op.CONTRAST, 0.9)), 0, 5, 1, 0);
        assertArrayEquals(GoldenFiles.floats("augment_plan1.f32"), a1.execute(GoldenFiles.pattern(17, 23), p1).chw());
    }

    @Test
    void outputIsCropSquaredAndDeterministicPerSeed() {
        Augmenter aug = new Augmenter(AugmentConfig.reference().withSizes(20, 18, 30));
        RgbImage img = GoldenFiles.pattern(23, 17);
        Augmented a = aug.apply(img, new SplittableRandom(42));
        assertEquals(20, a.crop());
        assertEquals(3 * 20 * 20, a.chw().length);
        assertEquals(a, aug.apply(img, new SplittableRandom(42)));
        Set<Augmented> distinct = new HashSet<>();
        for (long seed = 0; seed < 8; seed++) {
            distinct.add(aug.apply(img, new SplittableRandom(seed)));
        }
        assertTrue(distinct.size() > 1, "different seeds should give different augmentations");
        assertArrayEquals(GoldenFiles.pattern(23, 17).rgb(), img.rgb(), "the input must not be modified");
    }

    @Test
    void jitterOffAndNoResizeNoFlipIsPlainNormalisation() {
        AugmentConfig config = new AugmentConfig(16, 16, 16, false, 0, 0, 0, 0, NORM);
        RgbImage img = GoldenFiles.pattern(16, 16);
        Augmented a = new Augmenter(config).apply(img, new SplittableRandom(7));
        assertFalse(a.flipped());
        assertArrayEquals(NORM.toChw(img), a.chw());
    }

    @Test
    void zeroPaddingWhereTheImageDoesNotReach() {
        // 23x17 resized to long side 24 is 24x18 (17·24/23 = 17.74 -> 18); the crop of 40 holds it with zeros around.
        AugmentConfig config = new AugmentConfig(40, 24, 24, true, 0, 0, 0, 0, NORM);
        RgbImage img = GoldenFiles.pattern(23, 17);
        float[] resized = NORM.toChw(Bicubic.resize(img, 24, 18));
        Set<String> placements = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            Augmented a = new Augmenter(config).apply(img, new SplittableRandom(seed));
            float[] out = a.chw();
            // No normalised pixel is exactly 0 (255·mean is never an integer), so zeros are padding.
            int left = -1;
            int top = -1;
            for (int i = 0; i < 40 * 40 && left < 0; i++) {
                if (out[i] != 0f) {
                    left = i % 40;
                    top = i / 40;
                }
            }
            assertTrue(left >= 0 && left <= 16 && top >= 0 && top <= 22, "placement " + left + "," + top);
            placements.add(left + "," + top);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 40; y++) {
                    for (int x = 0; x < 40; x++) {
                        int iy = y - top;
                        int ix = x - left;
                        float v = out[(c * 40 + y) * 40 + x];
                        if (iy < 0 || iy >= 18 || ix < 0 || ix >= 24) {
                            assertEquals(0f, v, "padding at " + c + "," + y + "," + x);
                        } else {
                            int sx = a.flipped() ? 23 - ix : ix;
                            assertEquals(resized[(c * 18 + iy) * 24 + sx], v);
                        }
                    }
                }
            }
        }
        assertTrue(placements.size() > 1, "the placement should be random");
    }

    @Test
    void flipMirrorsTheImage() {
        Augmenter aug = new Augmenter(new AugmentConfig(24, 24, 24, true, 0, 0, 0, 0, NORM));
        RgbImage img = GoldenFiles.pattern(23, 17);
        float[] plain = aug.execute(img, new Plan(24, false, List.of(), 0, 0, 0, 0)).chw();
        Augmented flipped = aug.execute(img, new Plan(24, true, List.of(), 0, 0, 0, 0));
        assertTrue(flipped.flipped());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 24; y++) {
                for (int x = 0; x < 24; x++) {
                    assertEquals(plain[(c * 24 + y) * 24 + 23 - x], flipped.chw()[(c * 24 + y) * 24 + x]);
                }
            }
        }
        // Rows 18..23 are padding in both.
        assertEquals(0f, flipped.chw()[(2 * 24 + 20) * 24 + 5]);
    }

    @Test
    void flipBeforeOrAfterJitterIsTheSame() {
        // The reference flips before jitter; execute() flips while normalising, after it. Contrast is the only op
        // that looks beyond one pixel, and its mean is mirror-invariant.
        RgbImage img = Bicubic.resize(GoldenFiles.pattern(23, 17), 24, 18);
        RgbImage mirrored = RgbImage.blank(24, 18);
        for (int y = 0; y < 18; y++) {
            for (int x = 0; x < 24; x++) {
                for (int c = 0; c < 3; c++) {
                    mirrored.set(x, y, c, img.get(23 - x, y, c));
                }
            }
        }
        RgbImage refOrder = ColorJitter.contrast(ColorJitter.hue(mirrored, 0.08), 1.27);
        RgbImage ourOrder = ColorJitter.contrast(ColorJitter.hue(img, 0.08), 1.27);
        assertArrayEquals(NORM.toChw(refOrder), NORM.toChw(ourOrder, true));
    }

    @Test
    void drawsFollowTheDistributions() {
        Augmenter aug = new Augmenter(AugmentConfig.reference().withSizes(448, 448, 768));
        RgbImage img = RgbImage.blank(500, 375);
        Set<String> orders = new HashSet<>();
        Set<Integer> longs = new HashSet<>();
        int flips = 0;
        int n = 600;
        for (long seed = 0; seed < n; seed++) {
            Plan p = aug.draw(img, new SplittableRandom(seed));
            assertTrue(p.targetLong() >= 448 && p.targetLong() <= 768);
            longs.add(p.targetLong());
            flips += p.flip() ? 1 : 0;
            assertEquals(4, p.jitter().size());
            for (Jitter j : p.jitter()) {
                if (j.op() == ColorJitter.Op.HUE) {
                    assertTrue(j.factor() >= -0.1 && j.factor() <= 0.1, "hue " + j.factor());
                } else {
                    assertTrue(j.factor() >= 0.7 && j.factor() <= 1.3, j.op() + " " + j.factor());
                }
            }
            orders.add(p.jitter().stream().map(j -> j.op().name()).collect(Collectors.joining(",")));
            // The short side round(0.75·t) is below the crop of 448 for t < 598: then rows are padded instead.
            int shortSide = Augmenter.resizedSize(500, 375, p.targetLong())[1];
            int wSpace = p.targetLong() - 448;
            assertTrue(wSpace >= 0 ? p.imgLeft() <= wSpace && p.contLeft() == 0 : p.imgLeft() == 0);
            int hSpace = shortSide - 448;
            if (hSpace > 0) {
                assertTrue(p.imgTop() <= hSpace && p.contTop() == 0);
            } else {
                assertTrue(p.imgTop() == 0 && p.contTop() <= -hSpace);
            }
        }
        assertEquals(24, orders.size(), "every order of the four operations should occur");
        assertTrue(longs.size() > 200, "long sides should spread over 448..768, got " + longs.size());
        assertTrue(flips > n * 0.4 && flips < n * 0.6, "flip rate " + flips + "/" + n);
    }

    @Test
    void disabledOptionsAreNotDrawn() {
        Augmenter aug = new Augmenter(new AugmentConfig(8, 10, 12, false, 0.2, 0, 0, 0, NORM));
        for (long seed = 0; seed < 50; seed++) {
            Plan p = aug.draw(RgbImage.blank(9, 9), new SplittableRandom(seed));
            assertFalse(p.flip());
            assertEquals(1, p.jitter().size());
            assertEquals(ColorJitter.Op.BRIGHTNESS, p.jitter().get(0).op());
        }
    }

    @Test
    void resizedSizeRoundsHalvesToEven() {
        assertArrayEquals(new int[] {448, 336}, Augmenter.resizedSize(500, 375, 448));
        // Portrait: 375·750/500 = 562.5 -> 562 (Python's round), not 563.
        assertArrayEquals(new int[] {562, 750}, Augmenter.resizedSize(375, 500, 750));
        assertArrayEquals(new int[] {6, 4}, Augmenter.resizedSize(4, 3, 6)); // 4.5 -> 4
        assertArrayEquals(new int[] {10, 8}, Augmenter.resizedSize(4, 3, 10)); // 7.5 -> 8
        assertArrayEquals(new int[] {7, 7}, Augmenter.resizedSize(10, 10, 7)); // a square: width is "long"
        assertArrayEquals(new int[] {10, 1}, Augmenter.resizedSize(1000, 1, 10)); // 0.01 -> 0, kept at 1
        assertThrows(IllegalArgumentException.class, () -> Augmenter.resizedSize(10, 10, 0));
    }

    @Test
    void resizeLongUsesPilBicubic() {
        RgbImage img = GoldenFiles.pattern(23, 17);
        assertArrayEquals(Bicubic.resize(img, 30, 22).rgb(), Augmenter.resizeLong(img, 30).rgb());
        // Already at the target: PIL returns a copy, pixels unchanged.
        assertArrayEquals(img.rgb(), Augmenter.resizeLong(img, 23).rgb());
    }
}
