package ai.seamstream.core.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SplitMix64Test {

    @Test
    void matchesTheReferenceOutputsForSeed1234567() {
        // first outputs of Vigna's splitmix64.c seeded with 1234567, as unsigned decimals
        var rng = new SplitMix64(1234567L);
        String[] expected = {"6457827717110365317", "3203168211198807973", "9817491932198370423",
                "4593380528125082431", "16408922859458223821"};
        for (String e : expected) {
            assertEquals(e, Long.toUnsignedString(rng.nextLong()));
        }
    }

    @Test
    void sampleStreamsDependOnSeedAndIndexOnly() {
        assertEquals(SplitMix64.forSample(7L, 3).nextLong(), SplitMix64.forSample(7L, 3).nextLong());
        assertNotEquals(SplitMix64.forSample(7L, 3).nextLong(), SplitMix64.forSample(7L, 4).nextLong());
        assertNotEquals(SplitMix64.forSample(7L, 3).nextLong(), SplitMix64.forSample(8L, 3).nextLong());
        // a plain seed + index would make (seed 7, index 4) and (seed 8, index 3) collide
        assertNotEquals(SplitMix64.forSample(7L, 4).nextLong(), SplitMix64.forSample(8L, 3).nextLong());
    }

    @Test
    void nextIntStaysInRangeAndCoversItEvenly() {
        var rng = new SplitMix64(42L);
        int bound = 7;
        int[] counts = new int[bound];
        int n = 70_000;
        for (int i = 0; i < n; i++) {
            int v = rng.nextInt(bound);
            assertTrue(v >= 0 && v < bound, "value " + v);
            counts[v]++;
        }
        double chi2 = 0;
        for (int c : counts) {
            double expected = n / (double) bound;
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // 6 degrees of freedom: the 99.9% quantile is 22.46
        assertTrue(chi2 < 22.46, "chi-square " + chi2);
        assertThrows(IllegalArgumentException.class, () -> rng.nextInt(0));
    }

    @Test
    void betweenIncludesBothEnds() {
        var rng = new SplitMix64(5L);
        boolean sawLo = false;
        boolean sawHi = false;
        for (int i = 0; i < 1000; i++) {
            int v = rng.between(1, 3);
            assertTrue(v >= 1 && v <= 3);
            sawLo |= v == 1;
            sawHi |= v == 3;
        }
        assertTrue(sawLo && sawHi);
    }

    @Test
    void doublesAndHashesAreUnitIntervalAndDeterministic() {
        var rng = new SplitMix64(9L);
        double sum = 0;
        for (int i = 0; i < 10_000; i++) {
            double d = rng.nextDouble();
            assertTrue(d >= 0.0 && d < 1.0);
            sum += d;
        }
        assertEquals(0.5, sum / 10_000, 0.01);
        assertEquals(SplitMix64.hashUnit(11L, 3, 4), SplitMix64.hashUnit(11L, 3, 4));
        assertNotEquals(SplitMix64.hashUnit(11L, 3, 4), SplitMix64.hashUnit(11L, 4, 3));
        assertNotEquals(SplitMix64.hashUnit(11L, 3, 4), SplitMix64.hashUnit(12L, 3, 4));
    }
}
