package ai.seamstream.core.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TextureTest {

    @Test
    void smoothstepIsHermite() {
        assertEquals(0.0, Texture.smooth(0.0));
        assertEquals(1.0, Texture.smooth(1.0));
        assertEquals(0.5, Texture.smooth(0.5));
        assertEquals(3 * 0.04 - 2 * 0.008, Texture.smooth(0.2), 1e-15);
    }

    @Test
    void valueNoiseHitsTheLatticeValuesAndMixesInBetween() {
        long key = 99L;
        double cell = 8.0;
        assertEquals(SplitMix64.hashUnit(key, 2, 3), Texture.valueNoise(key, 16.0, 24.0, cell), 1e-15);
        // a quarter of the way across a cell, on a lattice row: weight smooth(0.25) = 0.15625 on the right neighbour
        double left = SplitMix64.hashUnit(key, 2, 3);
        double right = SplitMix64.hashUnit(key, 3, 3);
        assertEquals(left + (right - left) * 0.15625, Texture.valueNoise(key, 18.0, 24.0, cell), 1e-15);
        // negative coordinates floor towards minus infinity
        assertEquals(SplitMix64.hashUnit(key, -1, -1), Texture.valueNoise(key, -8.0, -8.0, cell), 1e-15);
    }

    @Test
    void stripesHaveThePeriodAndStayInTheUnitInterval() {
        for (double x = 0; x < 40; x += 0.37) {
            double t = Texture.stripes(x, 5.0, 10.0, 0.0, 0.3, 2.0);
            assertTrue(t >= 0 && t <= 1);
            assertEquals(t, Texture.stripes(x + 10.0, 5.0, 10.0, 0.0, 0.3, 2.0), 1e-9);
        }
        // sharpness 0.5 is a plain sine from 0 to 1: at s = 1/4 the sine peaks
        assertEquals(1.0, Texture.stripes(2.5, 0.0, 10.0, 0.0, 0.0, 0.5), 1e-12);
    }

    @Test
    void checkerAlternatesAlongBothAxes() {
        assertEquals(0.0, Texture.checker(1, 1, 4, 0));
        assertEquals(1.0, Texture.checker(5, 1, 4, 0));
        assertEquals(1.0, Texture.checker(1, 5, 4, 0));
        assertEquals(0.0, Texture.checker(5, 5, 4, 0));
    }

    @Test
    void gradientRunsFromZeroToOneAcrossTheImage() {
        assertEquals(0.0, Texture.gradient(0, 10, 100, 20, 0), 1e-12);
        assertEquals(0.5, Texture.gradient(50, 10, 100, 20, 0), 1e-12);
        assertEquals(1.0, Texture.gradient(100, 10, 100, 20, 0), 1e-12);
        assertEquals(0.25, Texture.gradient(50, 5, 100, 20, Math.PI / 2), 1e-12);
    }
}
