package ai.seamstream.core.synth;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.schemas.ClassVocabulary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Generates the synthetic weak-label benchmark in memory: sample i is a pure function of the config's seed and i,
 * so samples can be made in any order, in parallel, and reproduced one at a time.
 */
public final class SyntheticGenerator {
    private static final int MIN_ID_DIGITS = 6;

    private final SyntheticConfig config;
    private final ClassVocabulary vocabulary;
    private final Map<String, String> contextOfClass;
    private final SceneComposer composer;
    private final String idFormat;

    /** A generator for the config (which validated itself when it was built). */
    public SyntheticGenerator(SyntheticConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        var names = new ArrayList<String>(config.classes());
        for (int c = 0; c < config.classes(); c++) {
            names.add(Marking.values()[c].label);
        }
        this.vocabulary = ClassVocabulary.ofForeground(names);
        var contexts = new LinkedHashMap<String, String>();
        for (int k = 0; k < config.contextClasses(); k++) {
            contexts.put(names.get(k), ContextKind.values()[k].label);
        }
        this.contextOfClass = Collections.unmodifiableMap(contexts);
        this.composer = new SceneComposer(config);
        int digits = Math.max(MIN_ID_DIGITS, Integer.toString(config.count() - 1).length());
        this.idFormat = "synth_%0" + digits + "d";
    }

    /** The config this generator was built from. */
    public SyntheticConfig config() {
        return config;
    }

    /** Background plus the first C marking names ({@code cross, ring, bar, square, triangle, diamond, star, dots, hourglass, crescent}). */
    public ClassVocabulary vocabulary() {
        return vocabulary;
    }

    /** The classes that have a context, each mapped to its context's name, in class order (e.g. cross → water). */
    public Map<String, String> contextClasses() {
        return contextOfClass;
    }

    /**
     * The sample with the given index, generated from (seed, index) alone.
     *
     * @throws IllegalArgumentException if the index is outside 0..count-1
     * @throws IllegalStateException    if the minimum number of objects cannot be placed (only for configs that
     *                                  crowd the image: many large objects with little occlusion allowed)
     */
    public SyntheticSample sample(int index) {
        return render(index).sample();
    }

    /** All samples in index order; for large counts prefer streaming {@link #sample(int)} over the indices. */
    public List<SyntheticSample> all() {
        return IntStream.range(0, config.count()).mapToObj(this::sample).toList();
    }

    /** One paragraph describing the data set, for manifests. */
    public String describe() {
        var contexts = new ArrayList<String>();
        contextOfClass.forEach((cls, ctx) -> contexts.add(ctx + " with " + cls));
        String contextText = contexts.isEmpty()
                ? "No class has a background context."
                : String.format(Locale.ROOT, "Background contexts %s are drawn with probability %.2f when their class is"
                        + " in the image and %.2f otherwise, and are labelled background.", String.join(", ", contexts),
                        config.contextProbability(), config.contextFalseProbability());
        return String.format(Locale.ROOT,
                "Synthetic weak-label benchmark (seed %d): %d images of %dx%d with %d classes (%s), each told apart"
                        + " only by a small marking of its own colour and shape covering %.0f-%.0f%% of an object"
                        + " body whose %s. %d-%d objects per image"
                        + " (uniform), bodies %.0f-%.0f%% of the shorter side; later objects hide at most %.0f%% of an"
                        + " earlier body and never a marking. %s Textured backgrounds (noise, stripes, checker,"
                        + " gradient, mixed). Ignore band %d px.",
                config.seed(), config.count(), config.width(), config.height(), config.classes(),
                String.join(", ", vocabulary.foreground()), 100 * config.minMarkingFraction(),
                100 * config.maxMarkingFraction(), config.bodyCue() == 0
                        ? "shape and colour are drawn independently of the class"
                        : String.format(Locale.ROOT, "shape is drawn independently of the class and whose hue comes from"
                                + " the class's own %.0f-degree band with probability %.2f (a weak body cue)",
                                360.0 / config.classes(), config.bodyCue()),
                config.minObjects(), config.maxObjects(),
                100 * config.minBodyFraction(), 100 * config.maxBodyFraction(), 100 * config.maxOcclusion(),
                contextText, config.ignoreBand());
    }

    /** The sample together with the composition it was painted from (for tests that look inside). */
    Rendering render(int index) {
        if (index < 0 || index >= config.count()) {
            throw new IllegalArgumentException("sample index " + index + " is outside 0.." + (config.count() - 1));
        }
        int width = config.width();
        int height = config.height();
        Scene scene = composer.compose(SplitMix64.forSample(config.seed(), index), index);
        RgbImage image = ScenePainter.image(scene, width, height, config.markingTint(), config.markingShade());
        LabelMask mask = ScenePainter.mask(scene, width, height, config.ignoreBand());
        var labels = new boolean[config.classes()];
        var objectNames = new ArrayList<String>(scene.objects().size());
        var objectHues = new ArrayList<Double>(scene.objects().size());
        for (Scene.PlacedObject o : scene.objects()) {
            labels[o.classIndex() - 1] = true;
            objectNames.add(o.marking().label);
            objectHues.add(o.colour().hueDegrees());
        }
        var contexts = scene.contexts().stream().map(b -> b.kind().label).toList();
        String id = String.format(Locale.ROOT, idFormat, index);
        return new Rendering(scene, new SyntheticSample(id, image, mask, labels, objectNames, contexts, objectHues));
    }

    /** A sample and its composition. */
    record Rendering(Scene scene, SyntheticSample sample) {
    }
}
