package ai.seamstream.trainer.gate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gate's decision with every figure it saw.
 *
 * @param currentVersion the registry version compared against; null when nothing was promoted
 */
public record GateResult(PromotionGate.Comparison comparison, String currentVersion, PromotionGate.Verdict verdict) {

    public boolean promote() {
        return verdict.promote();
    }

    /** Candidate figures as they are, the current model's prefixed {@code current.}, and the agreement. */
    public Map<String, Double> figures() {
        var m = new LinkedHashMap<>(comparison.candidate().figures());
        if (comparison.current() != null) {
            comparison.current().figures().forEach((k, v) -> m.put("current." + k, v));
        }
        if (comparison.agreement() != null) {
            m.put("agreement", comparison.agreement());
        }
        return m;
    }
}
