package ai.seamstream.labeler.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.postprocess.Uncertainty;
import ai.seamstream.schemas.v1.ReviewReason;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The review score against hand-worked values, and the budget's windows. */
class DefaultReviewStrategyTest {
    private static final List<String> CLASSES = List.of("background", "cat", "dog", "bird");

    private static PseudoMaskResult result(float[] p, double uncertainFraction, boolean predicted) {
        return new PseudoMaskResult(null, new boolean[p.length], predicted, p, null, new float[1],
                new Uncertainty.Score(0, uncertainFraction));
    }

    @Test
    void disagreementByHand() {
        // tagged cat at 0.2: (0.5-0.2)/0.5 = 0.6; untagged dog at 0.9: (0.9-0.5)/0.5 = 0.8 -> max 0.8
        assertEquals(0.8, DefaultReviewStrategy.disagreement(new boolean[] {true, false, false}, new float[] {0.2f, 0.9f, 0.1f}), 1e-6);
        assertEquals(0.0, DefaultReviewStrategy.disagreement(new boolean[] {true, false, false}, new float[] {0.7f, 0.4f, 0.1f}), 1e-6);
    }

    @Test
    void predictedUnsurenessByHand() {
        // |2p-1| = 0.8, 0.0, 1.0 -> mean 0.6 -> 0.4
        assertEquals(0.4, DefaultReviewStrategy.predictedUnsureness(new float[] {0.9f, 0.5f, 0.0f}), 1e-6);
    }

    @Test
    void scoreReasonAndSuggestions() {
        var s = new DefaultReviewStrategy(1.0, 1.0, 0.5);
        // tagged cat; p = (0.2, 0.9, 0.1); U = 0.3 -> 0.3 + 0.8 = 1.1, disagreement wins
        var c = s.score(CLASSES, new boolean[] {true, false, false}, result(new float[] {0.2f, 0.9f, 0.1f}, 0.3, false));
        assertEquals(1.1, c.score(), 1e-6);
        assertEquals(ReviewReason.REVIEW_REASON_DISAGREEMENT, c.reason());
        assertEquals("not tagged 'dog' but the model gives it 0.90", c.detail());
        assertEquals(List.of("dog", "cat"), c.suggestions().stream().map(ReviewStrategy.Suggestion::name).toList());
        // untagged: P = 0.4 -> 0.5*(0.5+0.2) = 0.35, plus U 0.1 -> 0.45, reason untagged
        var u = s.score(CLASSES, null, result(new float[] {0.9f, 0.5f, 0.0f}, 0.1, true));
        assertEquals(0.45, u.score(), 1e-6);
        assertEquals(ReviewReason.REVIEW_REASON_UNTAGGED, u.reason());
        // tagged, agreeing, uncertain mask
        var m = s.score(CLASSES, new boolean[] {true, false, false}, result(new float[] {0.8f, 0.1f, 0.1f}, 0.6, false));
        assertEquals(0.6, m.score(), 1e-6);
        assertEquals(ReviewReason.REVIEW_REASON_UNCERTAIN, m.reason());
    }

    @Test
    void budgetPerTumblingWindow() {
        AtomicLong now = new AtomicLong(10_000);
        var b = new ReviewBudget(3, 1000, now::get);
        assertEquals(2, b.take(2));
        assertEquals(1, b.take(5));
        assertEquals(0, b.take(1));
        long w = b.windowStart();
        b.giveBack(1, w);
        assertEquals(1, b.take(1));
        now.set(10_999);
        assertEquals(0, b.take(1));
        now.set(11_000);
        assertEquals(3, b.take(9));
        b.giveBack(3, w); // an older window's refund does not count
        assertEquals(0, b.take(1));
        assertThrows(IllegalArgumentException.class, () -> new ReviewBudget(-1, 10, now::get));
    }
}
