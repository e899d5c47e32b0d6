package ai.seamstream.torch.net;

/**
 * Size of the ResNet-38 backbone (SEAM-METHOD §1.1): a channel width multiplier and the number of units in the
 * stages b2…b5 (b6 and b7 are always one bottleneck unit each).
 *
 * <p>Every unit keeps the reference name scheme ({@code b4}, {@code b4_1}, …), so a narrower or shallower backbone
 * is a prefix of the full model's state dict in names, and the full model ({@link #FULL}) has exactly the reference
 * channels.
 *
 * @param width   channel multiplier in (0, 1]; 1 gives the reference channels
 * @param b2Units units in stage b2 (reference 3)
 * @param b3Units units in stage b3 (reference 3)
 * @param b4Units units in stage b4 (reference 6)
 * @param b5Units units in stage b5 (reference 3)
 */
public record BackboneConfig(double width, int b2Units, int b3Units, int b4Units, int b5Units) {

    /** The reference ResNet-38 ("model A1") of SEAM-METHOD §1.1: full width, 3/3/6/3 units. */
    public static final BackboneConfig FULL = new BackboneConfig(1.0, 3, 3, 6, 3);

    /** Fewest channels any scaled layer gets, so that a bottleneck's out/4 stays a whole, non-trivial number. */
    static final int MIN_CHANNELS = 8;

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException if the width is not in (0, 1] or a stage has fewer than one unit
     */
    public BackboneConfig {
        if (!(width > 0.0 && width <= 1.0)) {
            throw new IllegalArgumentException("backbone width must be in (0, 1], got " + width);
        }
        checkUnits("b2Units", b2Units);
        checkUnits("b3Units", b3Units);
        checkUnits("b4Units", b4Units);
        checkUnits("b5Units", b5Units);
    }

    /** A narrow, shallow backbone for CPU work and tests: {@code width} and {@code unitsPerStage} units in b2…b5. */
    public static BackboneConfig small(double width, int unitsPerStage) {
        return new BackboneConfig(width, unitsPerStage, unitsPerStage, unitsPerStage, unitsPerStage);
    }

    /**
     * The scaled channel count of a layer that has {@code referenceChannels} at full width:
     * {@code max(8, round(c·width/8)·8)}, a multiple of 8 so that a bottleneck's out/4 and out/2 stay integral;
     * at width 1 every reference channel count (all multiples of 8) is returned unchanged.
     *
     * @throws IllegalArgumentException if {@code referenceChannels} is not positive
     */
    public int channels(int referenceChannels) {
        if (referenceChannels <= 0) {
            throw new IllegalArgumentException("reference channel count must be positive, got " + referenceChannels);
        }
        return scaled(referenceChannels, width);
    }

    /** {@link #channels(int)} for any multiplier {@code width} in (0, 1]. */
    static int scaled(int referenceChannels, double width) {
        if (width == 1.0) {
            return referenceChannels;
        }
        long scaled = Math.round(referenceChannels * width / MIN_CHANNELS) * MIN_CHANNELS;
        return (int) Math.max(MIN_CHANNELS, scaled);
    }

    /** Units in stage {@code stage} (2…5). */
    public int units(int stage) {
        return switch (stage) {
            case 2 -> b2Units;
            case 3 -> b3Units;
            case 4 -> b4Units;
            case 5 -> b5Units;
            default -> throw new IllegalArgumentException("stages with a configurable unit count are 2..5, got " + stage);
        };
    }

    private static void checkUnits(String name, int units) {
        if (units < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + units);
        }
    }
}
