package ai.seamstream.labeler.review;

import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.schemas.v1.ReviewReason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The default review value (docs/labeler.md, "Active learning"):
 *
 * <pre>
 *   U = fraction of the mask's pixels whose uncertainty is above the model's uncertainty threshold
 *   D = max over classes k of the distance of p_k to the wrong side of 0.5, scaled to [0, 1]:
 *         given tag k:      max(0, 0.5 − p_k) / 0.5     (the model does not see a tagged class: wrong tag?)
 *         not tagged k:     max(0, p_k − 0.5) / 0.5     (the model sees an untagged class: missing tag?)
 *       (0 for an untagged image)
 *   P = 1 − mean_k |2 p_k − 1| for an untagged image (how unsure its predicted tags are), 0 for a tagged one
 *   score = w_u·U + w_d·D + w_p·(untagged ? 0.5 + 0.5·P : 0)
 * </pre>
 *
 * The reason is the term that contributes most. Suggested tags are the given tags and every class with p_k ≥ 0.5,
 * most probable first.
 */
public final class DefaultReviewStrategy implements ReviewStrategy {
    private final double wu;
    private final double wd;
    private final double wp;

    public DefaultReviewStrategy(double uncertaintyWeight, double disagreementWeight, double predictedWeight) {
        this.wu = uncertaintyWeight;
        this.wd = disagreementWeight;
        this.wp = predictedWeight;
    }

    /** The disagreement D between given tags and class probabilities (class Javadoc). */
    public static double disagreement(boolean[] given, float[] p) {
        double d = 0;
        int worst = -1;
        for (int k = 0; k < p.length; k++) {
            double v = given[k] ? Math.max(0, 0.5 - p[k]) / 0.5 : Math.max(0, p[k] - 0.5) / 0.5;
            if (v > d) {
                d = v;
                worst = k;
            }
        }
        return worst < 0 ? 0 : d;
    }

    /** The unsureness P of predicted tags (class Javadoc). */
    public static double predictedUnsureness(float[] p) {
        double s = 0;
        for (float v : p) {
            s += Math.abs(2.0 * v - 1.0);
        }
        return 1.0 - s / p.length;
    }

    @Override
    public Candidate score(List<String> classes, boolean[] givenTags, PseudoMaskResult r) {
        float[] p = r.classProbabilities();
        double u = r.uncertaintyScore().uncertainFraction();
        double d = givenTags == null ? 0 : disagreement(givenTags, p);
        double pu = givenTags == null ? predictedUnsureness(p) : 0;
        double termU = wu * u;
        double termD = wd * d;
        double termP = givenTags == null ? wp * (0.5 + 0.5 * pu) : 0;
        ReviewReason reason;
        String detail;
        if (termD >= termU && termD >= termP && termD > 0) {
            reason = ReviewReason.REVIEW_REASON_DISAGREEMENT;
            detail = disagreementDetail(classes, givenTags, p);
        } else if (termP >= termU && termP > 0) {
            reason = ReviewReason.REVIEW_REASON_UNTAGGED;
            detail = String.format(Locale.ROOT, "untagged; predicted tags unsure (%.2f)", pu);
        } else {
            reason = ReviewReason.REVIEW_REASON_UNCERTAIN;
            detail = String.format(Locale.ROOT, "%.0f%% of the mask is uncertain", 100 * u);
        }
        List<Suggestion> s = new ArrayList<>();
        for (int k = 0; k < p.length; k++) {
            if (p[k] >= 0.5f || (givenTags != null && givenTags[k])) {
                s.add(new Suggestion(classes.get(k + 1), p[k]));
            }
        }
        s.sort(Comparator.comparingDouble(Suggestion::score).reversed());
        return new Candidate(termU + termD + termP, reason, detail, s);
    }

    private static String disagreementDetail(List<String> classes, boolean[] given, float[] p) {
        int worst = 0;
        double d = -1;
        for (int k = 0; k < p.length; k++) {
            double v = given[k] ? Math.max(0, 0.5 - p[k]) : Math.max(0, p[k] - 0.5);
            if (v > d) {
                d = v;
                worst = k;
            }
        }
        String name = classes.get(worst + 1);
        return given[worst] ? String.format(Locale.ROOT, "tagged '%s' but the model gives it %.2f", name, p[worst])
                : String.format(Locale.ROOT, "not tagged '%s' but the model gives it %.2f", name, p[worst]);
    }
}
