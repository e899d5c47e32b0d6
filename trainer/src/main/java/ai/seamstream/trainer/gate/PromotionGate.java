package ai.seamstream.trainer.gate;

import java.util.Objects;

/**
 * Decides whether a candidate replaces the current model, from a {@link Comparison} of both on the same hold-out;
 * compose with {@link #and} / {@link #or}, e.g. {@code notWorse(MEAN_IOU, 0.01).and(notWorse(TAG_MAP, 0.02))}.
 */
@FunctionalInterface
public interface PromotionGate {

    /**
     * Both models' figures.
     *
     * @param current   null when nothing is promoted yet
     * @param agreement overlap IoU of the two models' masks; null without a current model
     */
    record Comparison(EvaluationReport candidate, EvaluationReport current, Double agreement) {
        public Comparison {
            Objects.requireNonNull(candidate, "candidate");
        }
    }

    /** The gate's answer with a one-line reason. */
    record Verdict(boolean promote, String reason) {
    }

    Verdict judge(Comparison c);

    /**
     * Candidate ≥ current − tolerance on {@code metric}. Passes when there is no current model, or when the figure is
     * measured for neither (e.g. mIoU without ground-truth masks); fails when only the candidate lacks it.
     */
    static PromotionGate notWorse(Metric metric, double tolerance) {
        Objects.requireNonNull(metric, "metric");
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        }
        return c -> {
            Double cand = metric.of(c.candidate());
            if (c.current() == null) {
                return new Verdict(true, metric.key() + ": no current model");
            }
            Double cur = metric.of(c.current());
            if (cand == null && cur == null) {
                return new Verdict(true, metric.key() + ": not measured");
            }
            if (cand == null) {
                return new Verdict(false, metric.key() + ": not measured for the candidate (current " + fmt(cur) + ")");
            }
            if (cur == null) {
                return new Verdict(true, metric.key() + " " + fmt(cand) + ": not measured for the current model");
            }
            boolean ok = cand >= cur - tolerance;
            return new Verdict(ok, metric.key() + " " + fmt(cand) + (ok ? " >= " : " < ") + fmt(cur) + " - " + fmt(tolerance));
        };
    }

    /** The candidate's {@code metric} is at least {@code min} (an absolute floor); fails when not measured. */
    static PromotionGate atLeast(Metric metric, double min) {
        Objects.requireNonNull(metric, "metric");
        return c -> {
            Double v = metric.of(c.candidate());
            if (v == null) {
                return new Verdict(false, metric.key() + ": not measured, floor " + fmt(min));
            }
            return new Verdict(v >= min, metric.key() + " " + fmt(v) + (v >= min ? " >= " : " < ") + "floor " + fmt(min));
        };
    }

    /** The two models' masks overlap at least {@code min} (guards against a sudden change); passes with no current. */
    static PromotionGate minAgreement(double min) {
        return c -> c.agreement() == null ? new Verdict(true, "agreement: no current model")
                : new Verdict(c.agreement() >= min, "agreement " + fmt(c.agreement()) + (c.agreement() >= min ? " >= " : " < ")
                        + fmt(min));
    }

    /**
     * The default gate: not worse than the current model beyond {@code tolerance} on mIoU (where masks exist), tag mAP
     * and equivariance.
     */
    static PromotionGate standard(double tolerance) {
        return notWorse(Metric.MEAN_IOU, tolerance).and(notWorse(Metric.TAG_MAP, tolerance))
                .and(notWorse(Metric.EQUIVARIANCE, tolerance));
    }

    /** Always promotes (the demo's first model, or a trusted import). */
    static PromotionGate always() {
        return c -> new Verdict(true, "always");
    }

    /** Never promotes: every candidate is published REJECTED with its figures (shadow training). */
    static PromotionGate never() {
        return c -> new Verdict(false, "promotion disabled");
    }

    default PromotionGate and(PromotionGate other) {
        Objects.requireNonNull(other, "other");
        return c -> {
            Verdict a = judge(c);
            Verdict b = other.judge(c);
            return new Verdict(a.promote() && b.promote(), a.reason() + "; " + b.reason());
        };
    }

    default PromotionGate or(PromotionGate other) {
        Objects.requireNonNull(other, "other");
        return c -> {
            Verdict a = judge(c);
            Verdict b = other.judge(c);
            return new Verdict(a.promote() || b.promote(), "(" + a.reason() + ") or (" + b.reason() + ")");
        };
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
