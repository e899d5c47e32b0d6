package ai.seamstream.trainer.gate;

import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.metrics.ConfusionMatrix;
import ai.seamstream.torch.infer.MultiScaleInference;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.trainer.dataset.TrainingData.HoldOutImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Scores a network on the hold-out, the same code for the candidate and the current model: pseudo-masks by
 * {@link MultiScaleInference} with the images' tags, mIoU where ground-truth masks exist, and the proxies
 * (tag mAP and F1 of σ(GAP), equivariance between two scales). The masks are kept for {@link #agreement}.
 */
public final class HoldOutEvaluator {

    /**
     * @param inference         the pseudo-mask settings (as the labeler would use them)
     * @param equivarianceScale the second scale of the equivariance figure (masks at 1 and at this scale, no flip)
     * @param tagThreshold      the probability above which a tag counts as predicted for F1
     */
    public record Options(MultiScaleInference.Options inference, double equivarianceScale, double tagThreshold) {
        public Options {
            Objects.requireNonNull(inference, "inference");
            if (!(equivarianceScale > 0 && equivarianceScale <= 8) || equivarianceScale == 1.0) {
                throw new IllegalArgumentException("equivariance scale must be in (0, 8] and not 1, got " + equivarianceScale);
            }
            if (!(tagThreshold > 0 && tagThreshold < 1)) {
                throw new IllegalArgumentException("tag threshold must be in (0, 1), got " + tagThreshold);
            }
        }
    }

    /** A report and the pseudo-masks it was made from (one per hold-out image, in order). */
    public record Evaluation(EvaluationReport report, List<LabelMask> masks) {
    }

    private HoldOutEvaluator() {
    }

    /**
     * Scores {@code net} on {@code holdOut}.
     *
     * @throws IllegalArgumentException if the hold-out is empty
     */
    public static Evaluation evaluate(SeamNetwork net, List<HoldOutImage> holdOut, Options o) {
        if (holdOut.isEmpty()) {
            throw new IllegalArgumentException("the hold-out is empty: nothing to evaluate on (raise the hold-out fraction)");
        }
        var main = new MultiScaleInference(net, o.inference());
        var atOne = new MultiScaleInference(net, single(o.inference(), 1.0));
        var atS = new MultiScaleInference(net, single(o.inference(), o.equivarianceScale()));
        int classes = net.config().classes();
        var truthMatrix = new ConfusionMatrix(classes);
        var equi = new ConfusionMatrix(classes);
        int withMasks = 0;
        var masks = new ArrayList<LabelMask>(holdOut.size());
        float[][] probs = new float[holdOut.size()][];
        boolean[][] tags = new boolean[holdOut.size()][];
        for (int i = 0; i < holdOut.size(); i++) {
            HoldOutImage h = holdOut.get(i);
            PseudoMaskResult r = main.run(h.image(), h.labels());
            masks.add(r.mask());
            probs[i] = r.classProbabilities();
            tags[i] = h.labels();
            if (h.truth() != null) {
                truthMatrix.add(r.mask(), h.truth());
                withMasks++;
            }
            equi.add(atS.run(h.image(), h.labels()).mask(), atOne.run(h.image(), h.labels()).mask());
        }
        double map = TagMetrics.meanAveragePrecision(probs, tags);
        double eq = TagMetrics.overlapIou(equi);
        var report = new EvaluationReport(holdOut.size(), withMasks, withMasks == 0 ? null : truthMatrix.meanIou(),
                Double.isNaN(map) ? null : map, TagMetrics.microF1(probs, tags, o.tagThreshold()), Double.isNaN(eq) ? null : eq);
        return new Evaluation(report, List.copyOf(masks));
    }

    /** Overlap IoU of two models' masks of the same images (1 = identical); symmetric. */
    public static double agreement(List<LabelMask> a, List<LabelMask> b, int classes) {
        if (a.size() != b.size() || a.isEmpty()) {
            throw new IllegalArgumentException("agreement needs the same non-zero number of masks, got " + a.size() + " and "
                    + b.size());
        }
        var m = new ConfusionMatrix(classes);
        for (int i = 0; i < a.size(); i++) {
            m.add(a.get(i), b.get(i));
        }
        return TagMetrics.overlapIou(m);
    }

    private static MultiScaleInference.Options single(MultiScaleInference.Options o, double scale) {
        return new MultiScaleInference.Options(new double[] {scale}, false, o.backgroundThreshold(), o.normalization(),
                o.uncertainThreshold(), o.source());
    }
}
