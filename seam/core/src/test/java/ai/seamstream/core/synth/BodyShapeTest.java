package ai.seamstream.core.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Rasterised body areas against the closed-form areas of each outline family. */
class BodyShapeTest {

    private static int rasterArea(BodyShape shape) {
        int reach = shape.reach();
        int n = 0;
        for (int dy = -reach; dy <= reach; dy++) {
            for (int dx = -reach; dx <= reach; dx++) {
                if (shape.contains(dx, dy)) {
                    assertTrue(Math.abs(dx) < reach && Math.abs(dy) < reach, "pixel at the reach limit");
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void ellipseAreaIsPiAB() {
        var s = new BodyShape(BodyShape.Kind.ELLIPSE, 40, 28, 0.7, 0, 0, 0, 0);
        assertEquals(Math.PI * 40 * 28, rasterArea(s), 0.01 * Math.PI * 40 * 28);
    }

    @Test
    void roundedRectangleAreaIsTheQuarticSuperellipse() {
        // |x/a|^4 + |y/b|^4 ≤ 1 has area 4ab·Γ(5/4)²/Γ(3/2) = 3.708149…·ab
        double gamma54 = 0.9064024770554771;
        double gamma32 = Math.sqrt(Math.PI) / 2;
        double expected = 4 * 40 * 30 * gamma54 * gamma54 / gamma32;
        var s = new BodyShape(BodyShape.Kind.ROUNDED, 40, 30, 1.1, 0, 0, 0, 0);
        assertEquals(expected, rasterArea(s), 0.01 * expected);
    }

    @Test
    void blobAreaAddsHalfTheSquaredHarmonics() {
        // polar r = 1 + w2 sin(2θ+p2) + w3 sin(3θ+p3) in axis-normalised space: ½∫r² dθ = π(1 + (w2² + w3²)/2), times ab
        double w2 = 0.1;
        double w3 = 0.08;
        double expected = Math.PI * (1 + (w2 * w2 + w3 * w3) / 2) * 40 * 32;
        var s = new BodyShape(BodyShape.Kind.BLOB, 40, 32, 0.3, w2, w3, 0.4, 2.0);
        assertEquals(expected, rasterArea(s), 0.01 * expected);
    }

    @Test
    void drawnShapesRespectTheExtentAndAspectBounds() {
        var rng = new SplitMix64(3L);
        for (int i = 0; i < 500; i++) {
            BodyShape s = BodyShape.draw(rng, 30, 50);
            assertTrue(s.a() >= 15 && s.a() < 25, "half-axis " + s.a());
            assertTrue(s.b() <= s.a() && s.b() >= BodyShape.MIN_ASPECT * s.a(), "minor half-axis " + s.b());
            assertTrue(s.wobble2() <= BodyShape.MAX_WOBBLE && s.wobble3() <= BodyShape.MAX_WOBBLE);
            if (s.kind() != BodyShape.Kind.BLOB) {
                assertEquals(0.0, s.wobble2() + s.wobble3());
            }
        }
    }
}
