package ai.seamstream.trainer.gate;

import static ai.seamstream.trainer.gate.PromotionGate.atLeast;
import static ai.seamstream.trainer.gate.PromotionGate.minAgreement;
import static ai.seamstream.trainer.gate.PromotionGate.notWorse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PromotionGateTest {
    static EvaluationReport report(Double miou, Double map, Double equi) {
        return new EvaluationReport(10, miou == null ? 0 : 10, miou, map, 0.5, equi);
    }

    static PromotionGate.Comparison cmp(EvaluationReport cand, EvaluationReport cur, Double agreement) {
        return new PromotionGate.Comparison(cand, cur, agreement);
    }

    @Test
    void notWorseAllowsTheToleranceAndNoMore() {
        var gate = notWorse(Metric.MEAN_IOU, 0.02);
        assertTrue(gate.judge(cmp(report(0.50, 0.9, 0.8), report(0.51, 0.9, 0.8), 0.9)).promote());
        assertTrue(gate.judge(cmp(report(0.49, 0.9, 0.8), report(0.51, 0.9, 0.8), 0.9)).promote(), "exactly at the tolerance");
        var v = gate.judge(cmp(report(0.48, 0.9, 0.8), report(0.51, 0.9, 0.8), 0.9));
        assertFalse(v.promote());
        assertEquals("meanIou 0.4800 < 0.5100 - 0.0200", v.reason());
        assertTrue(gate.judge(cmp(report(0.10, 0.9, 0.8), null, null)).promote(), "nothing to be worse than");
    }

    @Test
    void unmeasuredFiguresAbstainOnlyWhenMissingOnBothSides() {
        var gate = notWorse(Metric.MEAN_IOU, 0);
        var v = gate.judge(cmp(report(null, 0.9, 0.8), report(null, 0.9, 0.8), 0.9));
        assertTrue(v.promote());
        assertTrue(v.reason().contains("not measured"));
        assertFalse(gate.judge(cmp(report(null, 0.9, 0.8), report(0.4, 0.9, 0.8), 0.9)).promote());
        assertTrue(gate.judge(cmp(report(0.4, 0.9, 0.8), report(null, 0.9, 0.8), 0.9)).promote());
        assertFalse(atLeast(Metric.MEAN_IOU, 0.1).judge(cmp(report(null, 0.9, 0.8), null, null)).promote());
    }

    @Test
    void gatesComposeLikePolicies() {
        var a = notWorse(Metric.TAG_MAP, 0.0);
        var b = minAgreement(0.7);
        var cand = report(null, 0.8, 0.8);
        var worse = report(null, 0.9, 0.8);
        assertFalse(a.and(b).judge(cmp(cand, worse, 0.9)).promote());
        assertTrue(a.or(b).judge(cmp(cand, worse, 0.9)).promote());
        assertFalse(a.or(b).judge(cmp(cand, worse, 0.6)).promote());
        var both = a.and(b).judge(cmp(cand, worse, 0.6));
        assertTrue(both.reason().contains("tagMap") && both.reason().contains("agreement 0.6000 < 0.7000"), both.reason());
        assertTrue(PromotionGate.always().judge(cmp(cand, worse, 0.0)).promote());
        assertFalse(PromotionGate.never().judge(cmp(cand, null, null)).promote());
        assertTrue(atLeast(Metric.TAG_MAP, 0.8).judge(cmp(cand, null, null)).promote());
        assertFalse(atLeast(Metric.TAG_MAP, 0.81).judge(cmp(cand, null, null)).promote());
        assertThrows(IllegalArgumentException.class, () -> notWorse(Metric.TAG_MAP, -0.1));
    }

    @Test
    void theStandardGateChecksMiouTagMapAndEquivariance() {
        var g = PromotionGate.standard(0.05);
        assertTrue(g.judge(cmp(report(0.5, 0.8, 0.7), report(0.52, 0.82, 0.72), 0.9)).promote());
        assertFalse(g.judge(cmp(report(0.5, 0.8, 0.6), report(0.52, 0.82, 0.72), 0.9)).promote(), "equivariance fell 0.12");
        assertFalse(g.judge(cmp(report(0.4, 0.8, 0.7), report(0.52, 0.82, 0.72), 0.9)).promote(), "mIoU fell 0.12");
    }

    @Test
    void theResultCarriesEveryFigure() {
        var r = new GateResult(cmp(report(0.5, 0.8, 0.7), report(0.6, 0.9, 0.75), 0.66), "v000001",
                new PromotionGate.Verdict(false, "x"));
        var f = r.figures();
        assertEquals(0.5, f.get("meanIou"));
        assertEquals(0.6, f.get("current.meanIou"));
        assertEquals(0.9, f.get("current.tagMap"));
        assertEquals(0.66, f.get("agreement"));
        assertEquals(10.0, f.get("holdOutImages"));
        assertFalse(r.promote());
    }
}
