package ai.seamstream.torch.net;

import ai.seamstream.schemas.ClassVocabulary;
import java.util.Objects;

/**
 * Everything that fixes the shape and the training behaviour of a {@link SeamNetwork}.
 *
 * @param backbone    ResNet-38 size (SEAM-METHOD §1.1)
 * @param classes     output channels C+1 including background; take it from a {@link ClassVocabulary#size()}
 * @param method      which heads exist: {@link Method#CAM} (fc8 only) or {@link Method#SEAM} (fc8 + PCM heads)
 * @param bnMode      how BatchNorm behaves while training
 * @param freezeEarly whether conv1a and the b2 units are frozen (reference: true)
 * @param pcmChunk    most PCM affinity columns computed at once (SEAM-METHOD §1.4 memory note)
 * @param headWidth   channel multiplier of the PCM heads f8_3, f8_4 and f9 in (0, 1] (1: the reference's 64, 128 and
 *                    192 channels whatever the backbone), or 0 to scale them with the backbone's width (the
 *                    {@link #NetConfig(BackboneConfig, int, Method, BatchNormMode, boolean, int) six-argument}
 *                    constructor, and every checkpoint written before this setting existed)
 */
public record NetConfig(BackboneConfig backbone, int classes, Method method, BatchNormMode bnMode, boolean freezeEarly,
                        int pcmChunk, double headWidth) {

    /** PCM heads scaled with the backbone's width ({@code headWidth} 0). */
    public NetConfig(BackboneConfig backbone, int classes, Method method, BatchNormMode bnMode, boolean freezeEarly,
                     int pcmChunk) {
        this(backbone, classes, method, bnMode, freezeEarly, pcmChunk, 0);
    }

    /** Default {@link #pcmChunk}: a 4096-column slab of a 2×-scaled VOC image's affinity is about 190 MB. */
    public static final int DEFAULT_PCM_CHUNK = 4096;

    /** Which network of the paper is built. */
    public enum Method {
        /** The paper's baseline: backbone + fc8, trained with the classification loss alone. */
        CAM,
        /** SEAM: backbone + fc8 + the PCM heads f8_3, f8_4, f9 (SEAM-METHOD §1.2). */
        SEAM
    }

    /** How every BatchNorm layer behaves while training (in evaluation both use the running statistics). */
    public enum BatchNormMode {
        /**
         * The reference: every BatchNorm is in eval mode with its running statistics, γ and β frozen, also while
         * training; right for ImageNet-pretrained weights, whose statistics are meaningful.
         */
        FROZEN,
        /**
         * Batch statistics while training, running statistics updated with PyTorch momentum 0.1, γ and β learned.
         * It exists for from-scratch CPU training: with freshly initialised BatchNorms (mean 0, variance 1, γ 1,
         * β 0) FROZEN makes every BN an identity, and a deep pre-activation stack without normalisation lets the
         * activations grow unit by unit, so the network may not train at all. Units frozen by
         * {@link #freezeEarly()} keep their running statistics in either mode.
         */
        TRAIN
    }

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException if there is no foreground class or the PCM chunk is not positive
     */
    public NetConfig {
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(bnMode, "bnMode");
        if (classes < 2) {
            throw new IllegalArgumentException("classes counts background plus at least one foreground class, got " + classes);
        }
        if (pcmChunk < 1) {
            throw new IllegalArgumentException("pcmChunk must be at least 1 column, got " + pcmChunk);
        }
        if (!validHeadWidth(headWidth)) {
            throw new IllegalArgumentException("headWidth must be 0 (follow the backbone) or in (0, 1], got " + headWidth);
        }
    }

    /** Whether {@code w} is a PCM head width: 0 (follow the backbone) or in (0, 1]. */
    public static boolean validHeadWidth(double w) {
        return w == 0 || (w > 0 && w <= 1);
    }

    /** This configuration with PCM heads of width {@code newHeadWidth} (0: the backbone's width). */
    public NetConfig withHeadWidth(double newHeadWidth) {
        return new NetConfig(backbone, classes, method, bnMode, freezeEarly, pcmChunk, newHeadWidth);
    }

    /** The channels of a PCM head that has {@code referenceChannels} in the reference. */
    private int headChannels(int referenceChannels) {
        return headWidth == 0 ? backbone.channels(referenceChannels) : BackboneConfig.scaled(referenceChannels, headWidth);
    }

    /** The reference SEAM network for a vocabulary: full ResNet-38, frozen BatchNorm, conv1a and b2 frozen. */
    public static NetConfig reference(ClassVocabulary vocabulary) {
        return of(BackboneConfig.FULL, vocabulary, Method.SEAM, BatchNormMode.FROZEN, true, DEFAULT_PCM_CHUNK);
    }

    /** A configuration whose class count is {@code vocabulary.size()} (C+1). */
    public static NetConfig of(BackboneConfig backbone, ClassVocabulary vocabulary, Method method, BatchNormMode bnMode,
                               boolean freezeEarly, int pcmChunk) {
        Objects.requireNonNull(vocabulary, "vocabulary");
        return new NetConfig(backbone, vocabulary.size(), method, bnMode, freezeEarly, pcmChunk);
    }

    /** Output channels of f8_3 (64 at full head width). */
    public int f83Channels() {
        return headChannels(64);
    }

    /** Output channels of f8_4 (128 at full head width). */
    public int f84Channels() {
        return headChannels(128);
    }

    /** Input channels of f9: the 3 image channels, f8_3 and f8_4 (195 at full head width). */
    public int f9InputChannels() {
        return 3 + f83Channels() + f84Channels();
    }

    /** Output channels of f9, the PCM embedding (192 at full head width). */
    public int f9Channels() {
        return headChannels(192);
    }
}
