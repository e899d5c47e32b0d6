package ai.seamstream.trainer.gate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One model's figures on the hold-out; a figure that could not be measured is null.
 *
 * @param images          hold-out images scored
 * @param imagesWithMasks those with a ground-truth mask
 * @param meanIou         pseudo-mask mIoU against the ground-truth masks (all classes, as the benchmark counts it)
 * @param tagMap          mean average precision of the class probabilities σ(GAP) against the tags
 * @param tagF1           micro F1 of σ(GAP) &gt; threshold against the tags
 * @param equivariance    overlap IoU of the masks made at scale 1 and at the equivariance scale
 */
public record EvaluationReport(int images, int imagesWithMasks, Double meanIou, Double tagMap, Double tagF1,
                               Double equivariance) {

    /** The figures by name, for a manifest's metrics (unmeasured ones left out). */
    public Map<String, Double> figures() {
        var m = new LinkedHashMap<String, Double>();
        m.put("holdOutImages", (double) images);
        m.put("holdOutMasks", (double) imagesWithMasks);
        put(m, Metric.MEAN_IOU, meanIou);
        put(m, Metric.TAG_MAP, tagMap);
        put(m, Metric.TAG_F1, tagF1);
        put(m, Metric.EQUIVARIANCE, equivariance);
        return m;
    }

    private static void put(Map<String, Double> m, Metric k, Double v) {
        if (v != null) {
            m.put(k.key(), v);
        }
    }
}
