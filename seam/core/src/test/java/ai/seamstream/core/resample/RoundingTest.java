package ai.seamstream.core.resample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RoundingTest {
    @Test
    void halvesGoToTheEvenNeighbourLikePython() {
        assertEquals(562, Rounding.roundHalfEven(375 * 1.5));
        assertEquals(564, Rounding.roundHalfEven(563.5));
        assertEquals(0, Rounding.roundHalfEven(0.5));
        assertEquals(2, Rounding.roundHalfEven(1.5));
        assertEquals(2, Rounding.roundHalfEven(2.5));
        assertEquals(0, Rounding.roundHalfEven(-0.5));
        assertEquals(-2, Rounding.roundHalfEven(-1.5));
        assertEquals(-2, Rounding.roundHalfEven(-2.5));
    }

    @Test
    void nonHalvesGoToTheNearest() {
        assertEquals(2, Rounding.roundHalfEven(2.4999999));
        assertEquals(3, Rounding.roundHalfEven(2.5000001));
        assertEquals(336, Rounding.roundHalfEven(375.0 * 448 / 500));
        assertEquals(-7, Rounding.roundHalfEven(-6.7));
        // Python: round(0.49999999999999994) == 0 (a naive floor(x + 0.5) gives 1).
        assertEquals(0, Rounding.roundHalfEven(0.49999999999999994));
        assertEquals(1L << 60, Rounding.roundHalfEven(0x1p60));
    }

    @Test
    void refusesWhatIsNoInteger() {
        assertThrows(IllegalArgumentException.class, () -> Rounding.roundHalfEven(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Rounding.roundHalfEven(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Rounding.roundHalfEven(1e300));
    }
}
