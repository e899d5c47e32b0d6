package ai.seamstream.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class HoldOutSplitTest {

    @Test
    void positionMatchesAnIndependentComputation() {
        // Python: int.from_bytes(hashlib.sha256((salt + "\n" + id).encode()).digest()[:8], "big") / 2**64
        assertEquals(0.9749078774103369, HoldOutSplit.position("", "img-1"), 1e-15);
        assertEquals(0.6835133972379092, HoldOutSplit.position("s1", "cat.jpg"), 1e-15);
        assertEquals(0.7221707414426275, HoldOutSplit.position("holdout", "abc"), 1e-15);
    }

    @Test
    void theSplitIsDeterministicAndIndependentOfTheOtherImages() {
        var split = new HoldOutSplit(0.2, "seed");
        var again = new HoldOutSplit(0.2, "seed");
        var held = new ArrayList<String>();
        for (int i = 0; i < 5000; i++) {
            String id = "image-" + i;
            assertEquals(split.isHoldOut(id), again.isHoldOut(id));
            if (split.isHoldOut(id)) {
                held.add(id);
            }
        }
        // Binomial(5000, 0.2): sd ≈ 28; 5 sd either side.
        assertTrue(Math.abs(held.size() - 1000) < 140, "held out " + held.size());
        var other = new HoldOutSplit(0.2, "other");
        long moved = held.stream().filter(id -> !other.isHoldOut(id)).count();
        assertTrue(moved > 600, "another salt draws another hold-out: " + moved + " of " + held.size() + " moved");
        assertFalse(new HoldOutSplit(0.0, "seed").isHoldOut(held.get(0)));
        assertNotEquals(HoldOutSplit.position("a", "x"), HoldOutSplit.position("b", "x"));
    }

    @Test
    void aLargerFractionOnlyAddsImages() {
        var small = new HoldOutSplit(0.1, "");
        var large = new HoldOutSplit(0.3, "");
        for (int i = 0; i < 2000; i++) {
            String id = "i" + i;
            if (small.isHoldOut(id)) {
                assertTrue(large.isHoldOut(id), id);
            }
        }
    }

    @Test
    void badFractionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HoldOutSplit(1.0, ""));
        assertThrows(IllegalArgumentException.class, () -> new HoldOutSplit(-0.1, ""));
        assertThrows(IllegalArgumentException.class, () -> new HoldOutSplit(Double.NaN, ""));
        assertThrows(IllegalArgumentException.class, () -> new HoldOutSplit(0.1, null));
    }
}
