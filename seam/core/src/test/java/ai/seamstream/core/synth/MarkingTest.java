package ai.seamstream.core.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class MarkingTest {

    @Test
    void namesAndColoursAreDistinct() {
        var names = new HashSet<String>();
        var colours = new HashSet<Colour>();
        for (Marking m : Marking.values()) {
            assertTrue(names.add(m.label), "repeated name " + m.label);
            assertTrue(colours.add(m.colour), "repeated colour " + m.colour);
        }
        assertEquals(SyntheticConfig.MAX_CLASSES, Marking.values().length);
    }

    @Test
    void coloursAreFarApartAndFarFromEveryBodyColour() {
        for (Marking a : Marking.values()) {
            for (Marking b : Marking.values()) {
                if (a != b) {
                    assertTrue(a.colour.distance(b.colour) > 90, a + " vs " + b);
                }
            }
        }
        // every body colour has saturation ≤ 0.5 and value in [0.35, 0.85]: scan that box of the HSV cone
        for (Marking m : Marking.values()) {
            double closest = Double.MAX_VALUE;
            for (int h = 0; h < 360; h += 3) {
                for (double s = SceneComposer.BODY_MIN_SATURATION; s <= SceneComposer.BODY_MAX_SATURATION; s += 0.05) {
                    for (double v = SceneComposer.BODY_MIN_VALUE; v <= SceneComposer.BODY_MAX_VALUE; v += 0.05) {
                        closest = Math.min(closest, m.colour.distance(Colour.hsv(h, s, v)));
                    }
                }
            }
            assertTrue(closest > 60, m + " comes within " + closest + " of a body colour");
        }
    }

    @Test
    void shapesDifferPixelwiseAtTwelvePixels() {
        Marking[] all = Marking.values();
        for (int i = 0; i < all.length; i++) {
            for (int j = i + 1; j < all.length; j++) {
                MarkingPatch a = all[i].rasterize(12);
                MarkingPatch b = all[j].rasterize(12);
                boolean same = a.width() == b.width() && Arrays.equals(a.bits(), b.bits());
                assertFalse(same, all[i] + " and " + all[j] + " rasterise alike");
            }
        }
    }

    @Test
    void rasterSamplesPixelCentres() {
        // a 4-px square: all 16 centres inside; a 4-px diamond keeps centres with |u|+|v| ≤ 1, u,v ∈ {±0.25, ±0.75}
        assertEquals(16, Marking.SQUARE.rasterize(4).area());
        assertEquals(12, Marking.DIAMOND.rasterize(4).area());
        MarkingPatch bar = Marking.BAR.rasterize(4);
        assertEquals((int) Math.ceil(2.6 * 4), bar.width());
        // the 11th column's centre lies at u = (10.5/10.4)·2 − 1 > 1, outside the box
        assertEquals(10 * 4, bar.area());
    }

    @Test
    void fitComesCloseToTheTargetArea() {
        for (Marking m : Marking.values()) {
            for (double target : new double[] {30, 60, 100, 200}) {
                MarkingPatch patch = m.fit(target);
                // rasterising steps: a square's area jumps from 25 to 36 around 30, 1/6 of the target
                assertEquals(target, patch.area(), 0.17 * target, m + " at " + target);
                assertTrue(Math.abs(patch.area() - target) <= Math.abs(m.rasterize(Math.sqrt(target / m.aspect)).area() - target),
                        m + " at " + target + ": the bisection did worse than the naive square-root guess");
            }
        }
    }
}
