package ai.seamstream.core.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lays out one synthetic image: how many objects, their classes, bodies, markings and places, then which contexts
 * appear; every random choice comes from the sample's own stream.
 */
final class SceneComposer {
    /** Placement tries per object before the object is given up (or the sample fails, below minObjects). */
    static final int MAX_ATTEMPTS = 400;
    /** Tries after which the largest body size has shrunk linearly to the smallest, so crowded images still fill. */
    static final int SHRINK_ATTEMPTS = 200;
    /** Smallest RGB distance between a body's colour and each of the two background colours. */
    static final double MIN_BACKGROUND_DISTANCE = 60.0;
    /** Body colour tries before the last one is taken whatever its distance to the background. */
    static final int COLOUR_ATTEMPTS = 50;
    /** Body colour distribution: hue uniform, saturation and value uniform in these ranges. */
    static final double BODY_MIN_SATURATION = 0.15;
    static final double BODY_MAX_SATURATION = 0.5;
    static final double BODY_MIN_VALUE = 0.35;
    static final double BODY_MAX_VALUE = 0.85;
    /** Range of the body's linear shading: relative brightness change over the long half-axis. */
    static final double MIN_SHADE = 0.06;
    static final double MAX_SHADE = 0.15;

    private final SyntheticConfig config;
    private final int width;
    private final int height;

    SceneComposer(SyntheticConfig config) {
        this.config = config;
        this.width = config.width();
        this.height = config.height();
    }

    Scene compose(SplitMix64 rng, int index) {
        int n = rng.between(config.minObjects(), config.maxObjects());
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            classes[i] = 1 + rng.nextInt(config.classes());
        }
        BackgroundStyle background = BackgroundStyle.draw(rng);
        var placed = new ArrayList<Working>();
        for (int i = 0; i < n; i++) {
            Working object = place(rng, classes[i], background, placed);
            if (object == null) {
                if (i < config.minObjects()) {
                    throw new IllegalStateException("synthetic sample " + index + " (seed " + config.seed() + "): object "
                            + (i + 1) + " of at least " + config.minObjects() + " found no place after " + MAX_ATTEMPTS
                            + " tries; lower minObjects, maxBodyFraction or markingMargin, or raise maxOcclusion");
                }
                break;
            }
            placed.add(object);
        }
        var present = new boolean[config.classes() + 1];
        for (Working w : placed) {
            present[w.classIndex] = true;
        }
        // a band per edge at most: shuffle the edges once, hand them out in context order
        ContextBand.Edge[] edges = ContextBand.Edge.values().clone();
        for (int i = edges.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            ContextBand.Edge t = edges[i];
            edges[i] = edges[j];
            edges[j] = t;
        }
        var bands = new ArrayList<ContextBand>();
        for (int k = 0; k < config.contextClasses(); k++) {
            double p = present[k + 1] ? config.contextProbability() : config.contextFalseProbability();
            if (rng.chance(p)) {
                bands.add(ContextBand.draw(rng, ContextKind.values()[k], edges[bands.size()], width, height));
            }
        }
        var objects = new ArrayList<Scene.PlacedObject>(placed.size());
        for (Working w : placed) {
            objects.add(w.freeze());
        }
        return new Scene(background, objects, bands);
    }

    /**
     * Tries to place one object of the class over the earlier ones: its body must not come within the guard
     * distance of an earlier marking, and may hide at most {@code maxOcclusion} of any earlier body in total.
     * Returns null if no try succeeds.
     */
    private Working place(SplitMix64 rng, int classIndex, BackgroundStyle background, List<Working> placed) {
        Marking marking = Marking.values()[classIndex - 1];
        double shorter = Math.min(width, height);
        double minExtent = config.minBodyFraction() * shorter;
        double maxExtent = config.maxBodyFraction() * shorter;
        int guardRadius = config.markingMargin() + config.ignoreBand();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            double shrink = Math.min(1.0, attempt / (double) SHRINK_ATTEMPTS);
            double upper = maxExtent - (maxExtent - minExtent) * shrink;
            BodyShape shape = BodyShape.draw(rng, minExtent, upper);
            Colour colour = bodyColour(rng, background, classIndex);
            double shadeAngle = rng.uniform(0.0, 2.0 * Math.PI);
            double shadeStrength = rng.uniform(MIN_SHADE, MAX_SHADE);
            long noiseKey = rng.nextLong();
            double targetFraction = rng.uniform(config.minMarkingFraction(), config.maxMarkingFraction());

            int reach = shape.reach();
            int minDx = Integer.MAX_VALUE;
            int maxDx = Integer.MIN_VALUE;
            int minDy = Integer.MAX_VALUE;
            int maxDy = Integer.MIN_VALUE;
            int side = 2 * reach + 1;
            var local = new boolean[side * side];
            for (int dy = -reach; dy <= reach; dy++) {
                for (int dx = -reach; dx <= reach; dx++) {
                    if (shape.contains(dx, dy)) {
                        local[(dy + reach) * side + dx + reach] = true;
                        minDx = Math.min(minDx, dx);
                        maxDx = Math.max(maxDx, dx);
                        minDy = Math.min(minDy, dy);
                        maxDy = Math.max(maxDy, dy);
                    }
                }
            }
            // keep a 1-px frame of background around every body
            if (maxDx - minDx + 3 > width || maxDy - minDy + 3 > height) {
                continue;
            }
            int cx = rng.between(1 - minDx, width - 2 - maxDx);
            int cy = rng.between(1 - minDy, height - 2 - maxDy);
            var body = new boolean[width * height];
            int bodyArea = 0;
            for (int dy = minDy; dy <= maxDy; dy++) {
                for (int dx = minDx; dx <= maxDx; dx++) {
                    if (local[(dy + reach) * side + dx + reach]) {
                        body[(cy + dy) * width + cx + dx] = true;
                        bodyArea++;
                    }
                }
            }

            MarkingPatch patch = marking.fit(targetFraction * bodyArea);
            double fraction = patch.area() / (double) bodyArea;
            if (fraction < config.minMarkingFraction() || fraction > config.maxMarkingFraction()) {
                continue;
            }
            boolean[] allowed = Morphology.erode(body, width, height, guardRadius);
            int[] positions = markingPositions(patch, allowed, cx + minDx, cy + minDy, cx + maxDx, cy + maxDy);
            if (positions.length == 0) {
                continue;
            }
            int chosen = positions[rng.nextInt(positions.length)];
            int mx = chosen % width;
            int my = chosen / width;
            var markingPixels = new boolean[width * height];
            for (int j = 0; j < patch.height(); j++) {
                for (int i = 0; i < patch.width(); i++) {
                    if (patch.get(i, j)) {
                        markingPixels[(my + j) * width + mx + i] = true;
                    }
                }
            }

            int[] overlaps = new int[placed.size()];
            boolean fits = true;
            for (int e = 0; e < placed.size() && fits; e++) {
                Working earlier = placed.get(e);
                int overlap = 0;
                for (int p = 0; p < body.length && fits; p++) {
                    if (body[p]) {
                        fits = !earlier.guard[p];
                        if (earlier.visible[p]) {
                            overlap++;
                        }
                    }
                }
                overlaps[e] = overlap;
                fits = fits && earlier.hidden + overlap <= config.maxOcclusion() * earlier.bodyArea;
            }
            if (!fits) {
                continue;
            }
            for (int e = 0; e < placed.size(); e++) {
                Working earlier = placed.get(e);
                earlier.hidden += overlaps[e];
                for (int p = 0; p < body.length; p++) {
                    if (body[p]) {
                        earlier.visible[p] = false;
                    }
                }
            }
            var object = new Working(marking, classIndex, shape, cx, cy, colour, shadeAngle, shadeStrength, noiseKey,
                    body, markingPixels, bodyArea, patch.area());
            object.guard = Morphology.dilate(markingPixels, width, height, guardRadius);
            return object;
        }
        return null;
    }

    /** Top-left corners (as y*width+x) where every pixel of the patch falls on an allowed pixel. */
    private int[] markingPositions(MarkingPatch patch, boolean[] allowed, int x0, int y0, int x1, int y1) {
        var found = new int[(x1 - x0 + 1) * (y1 - y0 + 1)];
        int n = 0;
        for (int my = y0; my + patch.height() - 1 <= y1; my++) {
            for (int mx = x0; mx + patch.width() - 1 <= x1; mx++) {
                if (patchFits(patch, allowed, mx, my)) {
                    found[n++] = my * width + mx;
                }
            }
        }
        return Arrays.copyOf(found, n);
    }

    private boolean patchFits(MarkingPatch patch, boolean[] allowed, int mx, int my) {
        for (int j = 0; j < patch.height(); j++) {
            for (int i = 0; i < patch.width(); i++) {
                if (patch.get(i, j) && !allowed[(my + j) * width + mx + i]) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * A body colour, redrawn while it lies closer than {@link #MIN_BACKGROUND_DISTANCE} to a background colour: bodies
     * stand out from most backgrounds. The hue is uniform on the circle; with {@code bodyCue} > 0 it comes, with that
     * probability, from the class's own band of {@code 360/classes} degrees instead. At 0 the class never enters the
     * draw (and no extra number is drawn, so data sets made before the knob existed stay the same).
     */
    private Colour bodyColour(SplitMix64 rng, BackgroundStyle background, int classIndex) {
        boolean ownBand = config.bodyCue() > 0 && rng.uniform(0.0, 1.0) < config.bodyCue();
        double band = 360.0 / config.classes();
        Colour colour = null;
        for (int attempt = 0; attempt < COLOUR_ATTEMPTS; attempt++) {
            double hue = ownBand ? (classIndex - 1) * band + rng.uniform(0.0, band) : rng.uniform(0.0, 360.0);
            colour = Colour.hsv(hue, rng.uniform(BODY_MIN_SATURATION, BODY_MAX_SATURATION),
                    rng.uniform(BODY_MIN_VALUE, BODY_MAX_VALUE));
            if (colour.distance(background.first()) >= MIN_BACKGROUND_DISTANCE
                    && colour.distance(background.second()) >= MIN_BACKGROUND_DISTANCE) {
                break;
            }
        }
        return colour;
    }

    /** An object while the image is being composed: later objects still hide parts of it. */
    private static final class Working {
        final Marking marking;
        final int classIndex;
        final BodyShape shape;
        final int centreX;
        final int centreY;
        final Colour colour;
        final double shadeAngle;
        final double shadeStrength;
        final long noiseKey;
        final boolean[] body;
        final boolean[] markingPixels;
        final boolean[] visible;
        final int bodyArea;
        final int markingArea;
        boolean[] guard;
        int hidden;

        Working(Marking marking, int classIndex, BodyShape shape, int centreX, int centreY, Colour colour,
                double shadeAngle, double shadeStrength, long noiseKey, boolean[] body, boolean[] markingPixels,
                int bodyArea, int markingArea) {
            this.marking = marking;
            this.classIndex = classIndex;
            this.shape = shape;
            this.centreX = centreX;
            this.centreY = centreY;
            this.colour = colour;
            this.shadeAngle = shadeAngle;
            this.shadeStrength = shadeStrength;
            this.noiseKey = noiseKey;
            this.body = body;
            this.markingPixels = markingPixels;
            this.visible = body.clone();
            this.bodyArea = bodyArea;
            this.markingArea = markingArea;
        }

        Scene.PlacedObject freeze() {
            return new Scene.PlacedObject(marking, classIndex, shape, centreX, centreY, colour, shadeAngle, shadeStrength,
                    noiseKey, body, markingPixels, visible, bodyArea, markingArea);
        }
    }
}
