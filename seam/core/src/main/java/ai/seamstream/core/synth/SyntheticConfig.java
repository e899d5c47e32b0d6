package ai.seamstream.core.synth;

/**
 * Every knob of the synthetic weak-label benchmark (see {@code docs/synthetic-benchmark.md}); the record validates
 * itself, so a config that exists can be generated.
 *
 * @param seed                    the data set's seed; sample i depends on (seed, i) only
 * @param count                   number of samples, indices 0..count-1
 * @param width                   image width in pixels (48..4096)
 * @param height                  image height in pixels (48..4096)
 * @param classes                 number of foreground classes C (2..{@value #MAX_CLASSES}), named after their markings
 * @param minObjects              fewest objects in an image (≥ 1)
 * @param maxObjects              most objects in an image ({@code minObjects}..{@value #MAX_OBJECTS}); the count is uniform in between
 * @param contextClasses          how many classes (the first ones) have a background context of their own
 *                                (0..min(C, {@value #MAX_CONTEXT_CLASSES}))
 * @param contextProbability      probability that a class's context is drawn when the class is in the image
 * @param contextFalseProbability probability that it is drawn when the class is absent
 * @param ignoreBand              width in pixels of the 255 band around object borders in the masks (0..16)
 * @param minBodyFraction         smallest long extent of a body, as a fraction of the image's shorter side
 * @param maxBodyFraction         largest long extent of a body (≤ 0.8), same unit
 * @param minMarkingFraction      smallest marking area over body area
 * @param maxMarkingFraction      largest marking area over body area (0.02..0.25)
 * @param maxOcclusion            largest fraction of a body that later objects may hide (0..0.6)
 * @param markingMargin           smallest distance in pixels from a marking to its body's outline and to any later body (0..8)
 * @param markingTint             how far a marking's colour is from its body's (0.2..1): each marking pixel is
 *                                {@code body·(1−tint) + markingColour·tint}; 1 paints the marking's own saturated colour
 * @param markingShade            0 (default): markings in their class colour (after {@code markingTint}); otherwise
 *                                (0.2..0.8) every marking is painted in its own body's colour, shading and grain
 *                                darkened to this fraction, so the class is told by the marking's shape alone and the
 *                                marking shares its body's appearance (requires {@code markingTint} 1)
 * @param bodyCue                 0 (default): body colours never depend on the class; otherwise the probability that
 *                                a body's hue is drawn from its class's own band ({@code [(c−1)·360/C, c·360/C)} degrees
 *                                for class c) instead of the whole hue circle: a weak class cue in the body, visible at
 *                                any scale, next to the marking's strong one
 */
public record SyntheticConfig(long seed, int count, int width, int height, int classes, int minObjects, int maxObjects,
        int contextClasses, double contextProbability, double contextFalseProbability, int ignoreBand,
        double minBodyFraction, double maxBodyFraction, double minMarkingFraction, double maxMarkingFraction,
        double maxOcclusion, int markingMargin, double markingTint, double markingShade, double bodyCue) {

    /** The number of distinct markings, hence the most classes a benchmark can have. */
    public static final int MAX_CLASSES = 10;
    /** The number of distinct contexts, hence the most classes that can have one. */
    public static final int MAX_CONTEXT_CLASSES = 4;
    /** The most objects an image can hold (more would not fit without hiding markings). */
    public static final int MAX_OBJECTS = 6;
    /** The smallest body, in pixels, that still spans two cells of an output-stride-8 network. */
    public static final int MIN_BODY_PIXELS = 16;

    public SyntheticConfig {
        require(count >= 1, "count", "must be at least 1, got " + count);
        require(width >= 48 && width <= 4096, "width", "must be in 48..4096, got " + width);
        require(height >= 48 && height <= 4096, "height", "must be in 48..4096, got " + height);
        require(classes >= 2 && classes <= MAX_CLASSES, "classes", "must be in 2.." + MAX_CLASSES + ", got " + classes);
        require(minObjects >= 1, "minObjects", "must be at least 1, got " + minObjects);
        require(maxObjects >= minObjects && maxObjects <= MAX_OBJECTS, "maxObjects",
                "must be in minObjects.." + MAX_OBJECTS + " = " + minObjects + ".." + MAX_OBJECTS + ", got " + maxObjects);
        int maxContexts = Math.min(classes, MAX_CONTEXT_CLASSES);
        require(contextClasses >= 0 && contextClasses <= maxContexts, "contextClasses",
                "must be in 0..min(classes, " + MAX_CONTEXT_CLASSES + ") = 0.." + maxContexts + ", got " + contextClasses);
        requireProbability(contextProbability, "contextProbability");
        requireProbability(contextFalseProbability, "contextFalseProbability");
        require(ignoreBand >= 0 && ignoreBand <= 16, "ignoreBand", "must be in 0..16, got " + ignoreBand);
        require(maxBodyFraction > 0.0 && maxBodyFraction <= 0.8, "maxBodyFraction", "must be in (0, 0.8], got " + maxBodyFraction);
        require(minBodyFraction > 0.0 && minBodyFraction <= maxBodyFraction, "minBodyFraction",
                "must be in (0, maxBodyFraction = " + maxBodyFraction + "], got " + minBodyFraction);
        require(minBodyFraction * Math.min(width, height) >= MIN_BODY_PIXELS, "minBodyFraction",
                "times the shorter image side (" + Math.min(width, height) + ") must be at least " + MIN_BODY_PIXELS
                        + " px so bodies span several 8-px cells, got " + minBodyFraction);
        require(maxMarkingFraction >= 0.02 && maxMarkingFraction <= 0.25, "maxMarkingFraction",
                "must be in [0.02, 0.25], got " + maxMarkingFraction);
        require(minMarkingFraction >= 0.02 && minMarkingFraction <= maxMarkingFraction, "minMarkingFraction",
                "must be in [0.02, maxMarkingFraction = " + maxMarkingFraction + "], got " + minMarkingFraction);
        require(maxOcclusion >= 0.0 && maxOcclusion <= 0.6, "maxOcclusion", "must be in [0, 0.6], got " + maxOcclusion);
        require(markingMargin >= 0 && markingMargin <= 8, "markingMargin", "must be in 0..8, got " + markingMargin);
        require(markingTint >= 0.2 && markingTint <= 1.0, "markingTint", "must be in [0.2, 1], got " + markingTint);
        require(markingShade == 0.0 || (markingShade >= 0.2 && markingShade <= 0.8), "markingShade",
                "must be 0 (class colours) or in [0.2, 0.8], got " + markingShade);
        require(markingShade == 0.0 || markingTint == 1.0, "markingShade",
                "paints markings in their body's colour, so it cannot be combined with markingTint " + markingTint);
        requireProbability(bodyCue, "bodyCue");
    }

    /**
     * The documented defaults: seed 1, 1000 images of 112×112, 8 classes, 1–3 objects, 3 context classes drawn with
     * probability 0.8 when present and 0.05 when absent, no ignore band, bodies 30–50% of the shorter side, markings
     * 6–10% of the body, at most 30% of a body hidden, marking margin 2 px.
     */
    public static SyntheticConfig defaults() {
        return new SyntheticConfig(1L, 1000, 112, 112, 8, 1, 3, 3, 0.8, 0.05, 0, 0.30, 0.50, 0.06, 0.10, 0.30, 2, 1.0, 0.0, 0.0);
    }

    /** This config with another seed. */
    public SyntheticConfig withSeed(long newSeed) {
        return edit(b -> b.seed = newSeed);
    }

    /** This config with another sample count. */
    public SyntheticConfig withCount(int newCount) {
        return edit(b -> b.count = newCount);
    }

    /** This config with another image size (bodies scale with the shorter side). */
    public SyntheticConfig withSize(int newWidth, int newHeight) {
        return edit(b -> {
            b.width = newWidth;
            b.height = newHeight;
        });
    }

    /** This config with another number of classes (the number of context classes is kept, so it must still fit). */
    public SyntheticConfig withClasses(int newClasses) {
        return edit(b -> b.classes = newClasses);
    }

    /** This config with other bounds on the number of objects per image. */
    public SyntheticConfig withObjects(int newMin, int newMax) {
        return edit(b -> {
            b.minObjects = newMin;
            b.maxObjects = newMax;
        });
    }

    /** This config with other context settings. */
    public SyntheticConfig withContexts(int newContextClasses, double probability, double falseProbability) {
        return edit(b -> {
            b.contextClasses = newContextClasses;
            b.contextProbability = probability;
            b.contextFalseProbability = falseProbability;
        });
    }

    /** This config with another ignore band width. */
    public SyntheticConfig withIgnoreBand(int newIgnoreBand) {
        return edit(b -> b.ignoreBand = newIgnoreBand);
    }

    /** This config with other body sizes (long extent as a fraction of the shorter image side). */
    public SyntheticConfig withBodies(double newMin, double newMax) {
        return edit(b -> {
            b.minBodyFraction = newMin;
            b.maxBodyFraction = newMax;
        });
    }

    /** This config with other marking sizes (marking area over body area). */
    public SyntheticConfig withMarkings(double newMin, double newMax) {
        return edit(b -> {
            b.minMarkingFraction = newMin;
            b.maxMarkingFraction = newMax;
        });
    }

    /** This config with another marking tint (1 = the marking's own colour, lower = closer to the body's). */
    public SyntheticConfig withMarkingTint(double newTint) {
        return edit(b -> b.markingTint = newTint);
    }

    /**
     * This config with markings painted in their own body's colour darkened to {@code newShade} (0 = the class
     * colours): the class is then told by the marking's shape alone.
     */
    public SyntheticConfig withMarkingShade(double newShade) {
        return edit(b -> b.markingShade = newShade);
    }

    /**
     * This config with a weak class cue in the bodies: each body's hue is drawn, with probability {@code newCue}, from
     * its class's own band of {@code 360/classes} degrees instead of the whole circle (0 = bodies independent of the
     * class, the default).
     */
    public SyntheticConfig withBodyCue(double newCue) {
        return edit(b -> b.bodyCue = newCue);
    }

    /** A copy of this config with {@code change} applied to its fields, validated like any other. */
    private SyntheticConfig edit(java.util.function.Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return f.build();
    }

    /** The record's fields, mutable, for the {@code with*} copies. */
    private static final class Fields {
        long seed;
        int count;
        int width;
        int height;
        int classes;
        int minObjects;
        int maxObjects;
        int contextClasses;
        double contextProbability;
        double contextFalseProbability;
        int ignoreBand;
        double minBodyFraction;
        double maxBodyFraction;
        double minMarkingFraction;
        double maxMarkingFraction;
        double maxOcclusion;
        int markingMargin;
        double markingTint;
        double markingShade;
        double bodyCue;

        Fields(SyntheticConfig c) {
            seed = c.seed;
            count = c.count;
            width = c.width;
            height = c.height;
            classes = c.classes;
            minObjects = c.minObjects;
            maxObjects = c.maxObjects;
            contextClasses = c.contextClasses;
            contextProbability = c.contextProbability;
            contextFalseProbability = c.contextFalseProbability;
            ignoreBand = c.ignoreBand;
            minBodyFraction = c.minBodyFraction;
            maxBodyFraction = c.maxBodyFraction;
            minMarkingFraction = c.minMarkingFraction;
            maxMarkingFraction = c.maxMarkingFraction;
            maxOcclusion = c.maxOcclusion;
            markingMargin = c.markingMargin;
            markingTint = c.markingTint;
            markingShade = c.markingShade;
            bodyCue = c.bodyCue;
        }

        SyntheticConfig build() {
            return new SyntheticConfig(seed, count, width, height, classes, minObjects, maxObjects, contextClasses,
                    contextProbability, contextFalseProbability, ignoreBand, minBodyFraction, maxBodyFraction,
                    minMarkingFraction, maxMarkingFraction, maxOcclusion, markingMargin, markingTint, markingShade, bodyCue);
        }
    }

    private static void require(boolean ok, String field, String problem) {
        if (!ok) {
            throw new IllegalArgumentException("SyntheticConfig." + field + " " + problem);
        }
    }

    private static void requireProbability(double p, String field) {
        require(p >= 0.0 && p <= 1.0, field, "must be a probability in [0, 1], got " + p);
    }
}
