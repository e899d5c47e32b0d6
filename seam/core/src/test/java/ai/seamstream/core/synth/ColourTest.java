package ai.seamstream.core.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ColourTest {

    private static void assertColour(double r, double g, double b, Colour c) {
        assertEquals(r, c.r(), 1e-9, "red of " + c);
        assertEquals(g, c.g(), 1e-9, "green of " + c);
        assertEquals(b, c.b(), 1e-9, "blue of " + c);
    }

    @Test
    void hsvGivesTheHexconeColours() {
        assertColour(255, 0, 0, Colour.hsv(0, 1, 1));
        assertColour(0, 255, 0, Colour.hsv(120, 1, 1));
        assertColour(0, 0, 255, Colour.hsv(240, 1, 1));
        assertColour(255, 127.5, 0, Colour.hsv(30, 1, 1));
        assertColour(127.5, 127.5, 127.5, Colour.hsv(77, 0, 0.5));
        // hue 200, s 0.5, v 0.8: max 204, min 102, rising part of sector 3: blue max, green = 204 - 102*(200-180)/60
        assertColour(102, 170, 204, Colour.hsv(200, 0.5, 0.8));
    }

    @Test
    void hueDegreesInvertsHsv() {
        for (double hue = 0; hue < 360; hue += 7.5) {
            for (double sat : new double[] {0.15, 0.5, 1}) {
                assertEquals(hue, Colour.hsv(hue, sat, 0.6).hueDegrees(), 1e-9, "hue of hsv(" + hue + ", " + sat + ", 0.6)");
            }
        }
        assertEquals(0, Colour.rgb(90, 90, 90).hueDegrees(), 0, "a grey has hue 0");
        // by hand: (30, 60, 90): max blue, 4 + (30 - 60)/60 = 3.5 sectors = 210 degrees
        assertEquals(210, Colour.rgb(30, 60, 90).hueDegrees(), 1e-12);
        // (200, 50, 100): max red, (50 - 100)/150 = -1/3 sector = -20, wrapped to 340
        assertEquals(340, Colour.rgb(200, 50, 100).hueDegrees(), 1e-12);
    }

    @Test
    void hueWrapsAround() {
        assertColour(255, 0, 0, Colour.hsv(360, 1, 1));
        assertColour(255, 0, 255, Colour.hsv(-60, 1, 1));
        assertColour(0, 255, 0, Colour.hsv(480, 1, 1));
    }

    @Test
    void arithmetic() {
        Colour a = Colour.rgb(10, 20, 30);
        Colour b = Colour.rgb(30, 40, 50);
        assertColour(20, 30, 40, a.lerp(b, 0.5));
        assertColour(5, 10, 15, a.times(0.5));
        assertColour(13, 23, 33, a.plus(3));
        assertEquals(Math.sqrt(3 * 400.0), a.distance(b), 1e-12);
    }
}
