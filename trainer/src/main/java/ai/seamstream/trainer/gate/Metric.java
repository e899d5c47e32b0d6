package ai.seamstream.trainer.gate;

import java.util.function.Function;

/** A figure of an {@link EvaluationReport} that a gate can compare; higher is better for each. */
public enum Metric {
    MEAN_IOU("meanIou", EvaluationReport::meanIou),
    TAG_MAP("tagMap", EvaluationReport::tagMap),
    TAG_F1("tagF1", EvaluationReport::tagF1),
    EQUIVARIANCE("equivariance", EvaluationReport::equivariance);

    private final String key;
    private final Function<EvaluationReport, Double> get;

    Metric(String key, Function<EvaluationReport, Double> get) {
        this.key = key;
        this.get = get;
    }

    /** The figure's name in manifests and logs. */
    public String key() {
        return key;
    }

    /**
     * The metric of a key ({@code meanIou}, {@code tagMap}, {@code tagF1}, {@code equivariance}).
     *
     * @throws IllegalArgumentException for another name, listing the valid ones
     */
    public static Metric byKey(String key) {
        for (Metric m : values()) {
            if (m.key.equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown gate metric '" + key + "'; use one of "
                + java.util.Arrays.stream(values()).map(Metric::key).toList());
    }

    /** The figure of a report, or null if not measured (or no report). */
    public Double of(EvaluationReport r) {
        return r == null ? null : get.apply(r);
    }
}
