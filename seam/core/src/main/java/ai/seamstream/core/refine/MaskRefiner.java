package ai.seamstream.core.refine;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.postprocess.PseudoMasks;
import ai.seamstream.core.tensor.ClassMaps;
import java.io.IOException;
import java.util.Locale;

/**
 * Pseudo-mask refinement after multi-scale inference (SEAM-METHOD.md §5): none, the dense CRF, the AffinityNet
 * random walk, or the walk followed by a short CRF. Works on the normalised foreground maps N and the image's tags;
 * the mask's class indices are vocabulary indices (0 background).
 */
public final class MaskRefiner {

    /** Which refinement runs. */
    public enum Mode {
        NONE, CRF, RW, RW_CRF;

        /** Parses {@code none|crf|rw|rw+crf}. */
        public static Mode parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "none" -> NONE;
                case "crf" -> CRF;
                case "rw" -> RW;
                case "rw+crf" -> RW_CRF;
                default -> throw new IllegalArgumentException("refinement must be none, crf, rw or rw+crf, got '" + s + "'");
            };
        }

        /** Whether this mode needs affinity features. */
        public boolean needsAffinity() {
            return this == RW || this == RW_CRF;
        }

        @Override
        public String toString() {
            return this == RW_CRF ? "rw+crf" : name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Refinement settings.
     *
     * @param mode               what runs
     * @param crfAlpha           the CRF's background score {@code (1 − max_k N_k)^α}: the reference keeps α = 4
     *                           (low) and 24 (high); 4 puts the background/foreground break-even near N = 0.28,
     *                           next to the plain masks' constant background 0.26
     * @param crf                the CRF's kernels and iterations
     * @param walk               the random walk's settings (its α is the walk's background power)
     * @param walkCrfIterations  mean-field iterations of the CRF after the walk (the reference's rw+crf runs 1)
     */
    public record Options(Mode mode, double crfAlpha, DenseCrf.Config crf, RandomWalk.Config walk, int walkCrfIterations) {
        public Options {
            if (mode == null || crf == null || walk == null) {
                throw new IllegalArgumentException("refinement mode and settings must not be null");
            }
            if (!(crfAlpha >= 0) || Double.isInfinite(crfAlpha)) {
                throw new IllegalArgumentException("CRF background alpha must be finite and >= 0, got " + crfAlpha);
            }
            if (walkCrfIterations < 1 || walkCrfIterations > 1000) {
                throw new IllegalArgumentException("CRF iterations after the walk must be 1..1000, got " + walkCrfIterations);
            }
        }

        /** These options with another walk configuration. */
        public Options withWalk(RandomWalk.Config w) {
            return new Options(mode, crfAlpha, crf, w, walkCrfIterations);
        }

        /** The reference's settings for a mode. */
        public static Options reference(Mode mode) {
            return new Options(mode, 4, DenseCrf.Config.reference(), RandomWalk.Config.reference(), 1);
        }
    }

    /**
     * Affinity features of one image on the walk's grid.
     *
     * @param data {@code channels × height × width}, channel-major
     */
    public record AffinityFeatures(float[] data, int channels, int height, int width) {
        public AffinityFeatures {
            if (channels < 1 || height < 1 || width < 1 || data == null || data.length != (long) channels * height * width) {
                throw new IllegalArgumentException("affinity features must hold " + channels + " × " + height + " × " + width
                        + " values, got " + (data == null ? "null" : data.length));
            }
        }
    }

    private MaskRefiner() {
    }

    /**
     * The refined mask, or null for {@link Mode#NONE}, with the walk's features computed by {@code affinity} (only for
     * the walk modes) and the walk's radius and stride taken from it.
     *
     * @param affinity the affinity network; may be null unless the mode needs it
     * @throws IllegalArgumentException if the mode needs affinity features and {@code affinity} is null
     * @throws IOException              if the affinity network fails
     */
    public static LabelMask refineWith(RgbImage image, ClassMaps normalized, boolean[] tags, AffinityFeatureSource affinity,
                                       Options o) throws IOException {
        if (!o.mode().needsAffinity()) {
            return refine(image, normalized, tags, (AffinityFeatures) null, o);
        }
        if (affinity == null) {
            throw new IllegalArgumentException("refinement " + o.mode() + " needs an affinity network");
        }
        return refine(image, normalized, tags, affinity.features(image), o.withWalk(affinity.walkConfig(o.walk())));
    }

    /**
     * The refined mask, or null for {@link Mode#NONE} (the caller keeps its plain mask).
     *
     * @param image      the original image (the CRF's colours); its size must match the maps
     * @param normalized the C normalised foreground maps at image size
     * @param tags       present classes, one per foreground channel
     * @param features   affinity features for the walk modes, else ignored (may be null)
     */
    public static LabelMask refine(RgbImage image, ClassMaps normalized, boolean[] tags, AffinityFeatures features, Options o) {
        if (tags == null || tags.length != normalized.channels()) {
            throw new IllegalArgumentException("expected " + normalized.channels() + " tags, got " + (tags == null ? "null" : tags.length));
        }
        int[] present = RandomWalk.presentClasses(tags);
        switch (o.mode()) {
            case NONE:
                return null;
            case CRF: {
                ClassMaps bgcam = PseudoMasks.powerBackground(RandomWalk.select(normalized, present), o.crfAlpha());
                return RandomWalk.argmaxToClasses(DenseCrf.inference(image, bgcam, o.crf()), present);
            }
            default: {
                if (features == null) {
                    throw new IllegalArgumentException("refinement " + o.mode() + " needs affinity features");
                }
                int s = o.walk().stride();
                int gh = (normalized.height() + s - 1) / s;
                int gw = (normalized.width() + s - 1) / s;
                if (features.height() != gh || features.width() != gw) {
                    throw new IllegalArgumentException("affinity features are " + features.width() + "x" + features.height()
                            + ", a " + normalized.width() + "x" + normalized.height() + " image needs " + gw + "x" + gh);
                }
                ClassMaps walked = RandomWalk.walkScores(normalized, tags, features.data(), features.channels(), o.walk());
                if (o.mode() == Mode.RW_CRF) {
                    walked = DenseCrf.inference(image, walked, o.crf().withIterations(o.walkCrfIterations()));
                }
                return RandomWalk.argmaxToClasses(walked, present);
            }
        }
    }
}
