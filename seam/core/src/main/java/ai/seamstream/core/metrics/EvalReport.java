package ai.seamstream.core.metrics;

import ai.seamstream.schemas.ClassVocabulary;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything {@code seam eval} prints (SEAM-METHOD.md §4): per-class IoU, FP, FN and pixel counts, mIoU (background
 * included), m_FP and m_FN (foreground only), and for a threshold sweep the best t and the mIoU curve.
 *
 * <p>Ratios are fractions in [0, 1]; {@link #toTable()} prints them as percentages, {@link #toJson()} as fractions.
 *
 * @param classes           one row per class, background first
 * @param meanIou           mIoU over all classes including background
 * @param meanFalsePositive m_FP over the foreground classes
 * @param meanFalseNegative m_FN over the foreground classes
 * @param pixels            the number of evaluated pixels (ground truth ≠ 255)
 * @param sweep             the threshold sweep, or null when the masks were evaluated as given
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalReport(List<ClassRow> classes, double meanIou, double meanFalsePositive, double meanFalseNegative,
                         long pixels, SweepSummary sweep) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Copies the rows and the optional sweep summary. */
    public EvalReport {
        classes = List.copyOf(Objects.requireNonNull(classes, "classes"));
    }

    /**
     * One class's line of the report.
     *
     * @param index          the class index
     * @param name           the class name from the vocabulary
     * @param iou            IoU_c
     * @param falsePositive  FP_c, the over-activation share of the union
     * @param falseNegative  FN_c, the under-activation share of the union
     * @param truePositives  TP_c
     * @param predicted      P_c
     * @param truth          T_c
     */
    public record ClassRow(int index, String name, double iou, double falsePositive, double falseNegative,
                           long truePositives, long predicted, long truth) {
    }

    /**
     * The threshold sweep's outcome; the report's class rows are those at the best threshold.
     *
     * @param bestThreshold the background score t with the highest mIoU (smaller t on a tie)
     * @param bestMeanIou   the mIoU at that t
     * @param curve         the mIoU at every threshold, ascending t
     */
    public record SweepSummary(double bestThreshold, double bestMeanIou, List<CurvePoint> curve) {
        /** Copies the curve. */
        public SweepSummary {
            curve = List.copyOf(Objects.requireNonNull(curve, "curve"));
        }
    }

    /**
     * The mIoU at one background score.
     *
     * @param threshold the background score t
     * @param meanIou   the mIoU at t
     */
    public record CurvePoint(double threshold, double meanIou) {
    }

    /**
     * The report of masks evaluated as given.
     *
     * @throws IllegalArgumentException if the vocabulary and the matrix have different class counts
     */
    public static EvalReport of(ClassVocabulary vocabulary, ConfusionMatrix matrix) {
        return build(vocabulary, matrix, null);
    }

    /**
     * The report of a threshold sweep: class rows and means at the best threshold, plus the best t and the curve.
     *
     * @throws IllegalArgumentException if the vocabulary and the sweep have different class counts
     */
    public static EvalReport of(ClassVocabulary vocabulary, ThresholdSweep sweep) {
        ThresholdSweep.Best best = sweep.best();
        double[] miou = sweep.meanIouCurve();
        var curve = new ArrayList<CurvePoint>(miou.length);
        for (int i = 0; i < miou.length; i++) {
            curve.add(new CurvePoint(ThresholdSweep.threshold(i), miou[i]));
        }
        return build(vocabulary, best.matrix(), new SweepSummary(best.threshold(), best.meanIou(), curve));
    }

    private static EvalReport build(ClassVocabulary vocabulary, ConfusionMatrix matrix, SweepSummary sweep) {
        if (vocabulary.size() != matrix.classes()) {
            throw new IllegalArgumentException("the class vocabulary has " + vocabulary.size()
                    + " classes but the evaluation counted " + matrix.classes());
        }
        var rows = new ArrayList<ClassRow>(matrix.classes());
        for (int c = 0; c < matrix.classes(); c++) {
            rows.add(new ClassRow(c, vocabulary.name(c), matrix.iou(c), matrix.falsePositive(c), matrix.falseNegative(c),
                    matrix.truePositives(c), matrix.predicted(c), matrix.truth(c)));
        }
        return new EvalReport(rows, matrix.meanIou(), matrix.meanFalsePositive(), matrix.meanFalseNegative(),
                matrix.total(), sweep);
    }

    /** A fixed-width text table: one line per class, ratios as percentages with 2 decimals, then the means and sweep. */
    public String toTable() {
        int nameWidth = "class".length();
        for (ClassRow r : classes) {
            nameWidth = Math.max(nameWidth, r.name().length());
        }
        long maxCount = 1;
        for (ClassRow r : classes) {
            maxCount = Math.max(maxCount, Math.max(r.predicted(), r.truth()));
        }
        int countWidth = Math.max(8, Long.toString(maxCount).length());
        String rowFormat = "%-" + nameWidth + "s  %7s  %7s  %7s  %" + countWidth + "s  %" + countWidth + "s  %"
                + countWidth + "s%n";
        var sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, rowFormat, "class", "IoU%", "FP%", "FN%", "TP", "P", "T"));
        for (ClassRow r : classes) {
            sb.append(String.format(Locale.ROOT, rowFormat, r.name(), percent(r.iou()), percent(r.falsePositive()),
                    percent(r.falseNegative()), r.truePositives(), r.predicted(), r.truth()));
        }
        sb.append(String.format(Locale.ROOT, "mIoU %s%%  m_FP %s%%  m_FN %s%%  pixels %d%n", percent(meanIou),
                percent(meanFalsePositive), percent(meanFalseNegative), pixels));
        if (sweep != null) {
            sb.append(String.format(Locale.ROOT, "best t %.2f  mIoU %s%%%n", sweep.bestThreshold(),
                    percent(sweep.bestMeanIou())));
            sb.append(String.format(Locale.ROOT, "%4s  %7s%n", "t", "mIoU%"));
            for (CurvePoint p : sweep.curve()) {
                sb.append(String.format(Locale.ROOT, "%.2f  %7s%n", p.threshold(), percent(p.meanIou())));
            }
        }
        return sb.toString();
    }

    /** The report as indented JSON: the record's fields by name, ratios as fractions, no "sweep" key without a sweep. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            // Only plain records of numbers, strings and lists are written, so this cannot happen short of a Jackson bug.
            throw new IllegalStateException("could not write the evaluation report as JSON", e);
        }
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f", fraction * 100.0);
    }
}
