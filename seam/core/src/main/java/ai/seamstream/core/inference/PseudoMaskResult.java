package ai.seamstream.core.inference;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.postprocess.Uncertainty;
import ai.seamstream.core.tensor.ClassMaps;

/**
 * One image's pseudo-mask outcome (SEAM-METHOD §3), whichever engine ran the network: the normalised foreground
 * maps N (C channels at the original size), the tags used and whether they were predicted, the class probabilities
 * σ(s_k), the mask and its uncertainty.
 */
public record PseudoMaskResult(ClassMaps normalized, boolean[] tags, boolean predictedTags, float[] classProbabilities,
                               LabelMask mask, float[] uncertainty, Uncertainty.Score uncertaintyScore) {
}
