package ai.seamstream.core.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SyntheticGeneratorTest {
    private static final int N = 400;
    private static SyntheticGenerator generator;
    private static List<SyntheticGenerator.Rendering> renderings;

    @BeforeAll
    static void generate() {
        generator = new SyntheticGenerator(SyntheticConfig.defaults().withCount(N).withSeed(20200613L));
        renderings = IntStream.range(0, N).mapToObj(generator::render).toList();
    }

    private static void assertSameSample(SyntheticSample a, SyntheticSample b) {
        assertEquals(a.id(), b.id());
        assertArrayEquals(a.image().rgb(), b.image().rgb(), a.id() + " image");
        assertArrayEquals(a.mask().labels(), b.mask().labels(), a.id() + " mask");
        assertArrayEquals(a.labels(), b.labels(), a.id() + " labels");
        assertEquals(a.objectNames(), b.objectNames());
        assertEquals(a.contexts(), b.contexts());
    }

    @Test
    void sameSeedAndIndexGiveIdenticalBytesInAnyOrder() {
        var again = new SyntheticGenerator(generator.config());
        // backwards, so no state could carry over from one index to the next
        for (int i = 19; i >= 0; i--) {
            assertSameSample(renderings.get(i).sample(), again.sample(i));
        }
        var parallel = IntStream.range(0, 20).parallel().mapToObj(again::sample).toList();
        for (int i = 0; i < 20; i++) {
            assertSameSample(renderings.get(i).sample(), parallel.get(i));
        }
    }

    @Test
    void differentSeedsOrIndicesGiveDifferentImages() {
        var other = new SyntheticGenerator(generator.config().withSeed(20200614L));
        for (int i = 0; i < 10; i++) {
            assertFalse(Arrays.equals(renderings.get(i).sample().image().rgb(), other.sample(i).image().rgb()), "index " + i);
            assertFalse(Arrays.equals(renderings.get(i).sample().image().rgb(), renderings.get(i + 1).sample().image().rgb()));
        }
    }

    @Test
    void allReturnsEverySampleInOrder() {
        var small = new SyntheticGenerator(generator.config().withCount(5));
        List<SyntheticSample> all = small.all();
        assertEquals(5, all.size());
        for (int i = 0; i < 5; i++) {
            assertSameSample(renderings.get(i).sample(), all.get(i));
        }
    }

    @Test
    void idsAreZeroPaddedAndIndicesChecked() {
        assertEquals("synth_000000", renderings.get(0).sample().id());
        assertEquals("synth_000123", renderings.get(123).sample().id());
        var big = new SyntheticGenerator(generator.config().withCount(12_345_678));
        assertEquals("synth_00000042", big.sample(42).id());
        var e = assertThrows(IllegalArgumentException.class, () -> generator.sample(N));
        assertTrue(e.getMessage().contains("0.." + (N - 1)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> generator.sample(-1));
    }

    @Test
    void vocabularyIsBackgroundAndMarkingNames() {
        assertEquals(List.of("background", "cross", "ring", "bar", "square", "triangle", "diamond", "star", "dots"),
                generator.vocabulary().names());
        assertEquals(Map.of("cross", "water", "ring", "grass", "bar", "rail"), generator.contextClasses());
        var ten = new SyntheticGenerator(SyntheticConfig.defaults().withClasses(10).withContexts(4, 0.8, 0.05));
        assertEquals(List.of("hourglass", "crescent"), ten.vocabulary().foreground().subList(8, 10));
        assertEquals("brick", ten.contextClasses().get("square"));
        assertEquals(SyntheticConfig.MAX_CONTEXT_CLASSES, ContextKind.values().length);
        assertEquals(SyntheticConfig.MAX_CLASSES, Marking.values().length);
    }

    @Test
    void contextBandsLieOnDistinctEdgesWithTheDocumentedDepth() {
        int w = generator.config().width();
        int h = generator.config().height();
        int bands = 0;
        for (var r : renderings) {
            var edges = new HashSet<ContextBand.Edge>();
            for (ContextBand band : r.scene().contexts()) {
                assertTrue(edges.add(band.edge()), r.sample().id() + " has two bands on " + band.edge());
                int covered = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        covered += band.covers(x, y, w, h) ? 1 : 0;
                    }
                }
                // depth 22–32% of the image, the waving border moves it by at most 4% either way
                double share = covered / (double) (w * h);
                assertTrue(share >= ContextBand.MIN_THICKNESS - 0.045 && share <= ContextBand.MAX_THICKNESS + 0.045,
                        r.sample().id() + " " + band.kind() + " covers " + share);
                bands++;
            }
        }
        assertTrue(bands > N / 4, "only " + bands + " bands");
    }

    @Test
    void describeNamesTheSetting() {
        String d = generator.describe();
        assertTrue(d.contains("seed 20200613") && d.contains("400 images of 112x112") && d.contains("8 classes"), d);
        assertTrue(d.contains("water with cross, grass with ring, rail with bar") && d.contains("0.80") && d.contains("0.05"), d);
        assertTrue(d.contains("6-10%") && d.contains("1-3 objects") && d.contains("Ignore band 0 px"), d);
        var plain = new SyntheticGenerator(SyntheticConfig.defaults().withContexts(0, 0.8, 0.05));
        assertTrue(plain.describe().contains("No class has a background context."), plain.describe());
    }

    @Test
    void labelsAgreeWithTheMaskAndTheObjects() {
        int classes = generator.vocabulary().foregroundCount();
        for (var r : renderings) {
            SyntheticSample s = r.sample();
            var inMask = new boolean[classes + 1];
            for (byte b : s.mask().labels()) {
                int v = b & 0xFF;
                assertTrue(v <= classes, s.id() + " has label " + v);
                inMask[v] = true;
            }
            assertEquals(classes, s.labels().length);
            for (int c = 1; c <= classes; c++) {
                String name = generator.vocabulary().name(c);
                assertEquals(inMask[c], s.labels()[c - 1], s.id() + " class " + name);
                assertEquals(s.labels()[c - 1], s.objectNames().contains(name), s.id() + " objects " + s.objectNames());
            }
            assertEquals(r.scene().objects().size(), s.objectNames().size());
        }
    }

    @Test
    void everyMarkingIsVisibleWithItsClassAndColour() {
        for (var r : renderings) {
            SyntheticSample s = r.sample();
            int width = s.image().width();
            for (Scene.PlacedObject o : r.scene().objects()) {
                assertTrue(o.markingArea() > 0);
                for (int p = 0; p < o.markingPixels().length; p++) {
                    if (o.markingPixels()[p]) {
                        int x = p % width;
                        int y = p / width;
                        assertEquals(o.classIndex(), s.mask().get(x, y), s.id() + " marking pixel " + x + "," + y);
                        assertEquals((int) o.marking().colour.r(), s.image().get(x, y, 0));
                        assertEquals((int) o.marking().colour.g(), s.image().get(x, y, 1));
                        assertEquals((int) o.marking().colour.b(), s.image().get(x, y, 2));
                        assertTrue(o.visible()[p], s.id() + " marking hidden at " + x + "," + y);
                    }
                }
            }
        }
    }

    @Test
    void markingsKeepTheirMarginInsideTheBody() {
        int margin = generator.config().markingMargin();
        int w = generator.config().width();
        int h = generator.config().height();
        for (var r : renderings) {
            for (Scene.PlacedObject o : r.scene().objects()) {
                boolean[] near = Morphology.dilate(o.markingPixels(), w, h, margin);
                for (int p = 0; p < near.length; p++) {
                    if (near[p]) {
                        assertTrue(o.body()[p] && o.visible()[p], r.sample().id() + " pixel " + p);
                    }
                }
            }
        }
    }

    @Test
    void contextsAreBackgroundAndOnlyObjectsAreLabelled() {
        int w = generator.config().width();
        int h = generator.config().height();
        int contextBackgroundPixels = 0;
        for (var r : renderings) {
            SyntheticSample s = r.sample();
            assertEquals(r.scene().contexts().size(), s.contexts().size());
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    int top = 0;
                    for (Scene.PlacedObject o : r.scene().objects()) {
                        if (o.body()[p]) {
                            top = o.classIndex();
                        }
                    }
                    assertEquals(top, s.mask().get(x, y), s.id() + " at " + x + "," + y);
                    for (ContextBand band : r.scene().contexts()) {
                        if (band.covers(x, y, w, h) && top == 0) {
                            contextBackgroundPixels++;
                        }
                    }
                }
            }
        }
        // the contexts do show in the images, and all of those pixels were checked to be background above
        assertTrue(contextBackgroundPixels > N * 500, "context pixels " + contextBackgroundPixels);
    }

    @Test
    void contextsCoOccurWithTheirClassesAtTheConfiguredRates() {
        var config = generator.config();
        Map<String, String> contexts = generator.contextClasses();
        for (var entry : contexts.entrySet()) {
            int present = 0;
            int presentWith = 0;
            int absent = 0;
            int absentWith = 0;
            for (var r : renderings) {
                SyntheticSample s = r.sample();
                boolean has = s.objectNames().contains(entry.getKey());
                boolean with = s.contexts().contains(entry.getValue());
                if (has) {
                    present++;
                    presentWith += with ? 1 : 0;
                } else {
                    absent++;
                    absentWith += with ? 1 : 0;
                }
            }
            double pWith = presentWith / (double) present;
            double pWithout = absentWith / (double) absent;
            // about 90 images hold each class: 3 standard errors of 0.8 are 0.13; 310 without: 3 SE of 0.05 are 0.04
            assertEquals(config.contextProbability(), pWith, 0.13, entry + " given the class, n = " + present);
            assertEquals(config.contextFalseProbability(), pWithout, 0.04, entry + " without the class, n = " + absent);
        }
        for (var r : renderings) {
            assertFalse(r.sample().contexts().contains("brick"), "brick belongs to no class with 3 context classes");
        }
    }

    @Test
    void certainContextsFollowTheirClassesExactly() {
        var exact = new SyntheticGenerator(generator.config().withCount(60).withContexts(4, 1.0, 0.0));
        for (int i = 0; i < 60; i++) {
            SyntheticSample s = exact.sample(i);
            for (var e : exact.contextClasses().entrySet()) {
                assertEquals(s.objectNames().contains(e.getKey()), s.contexts().contains(e.getValue()), s.id() + " " + e);
            }
        }
    }

    @Test
    void objectCountsStayInBoundsAndAreUniform() {
        int[] counts = new int[4];
        for (var r : renderings) {
            int n = r.sample().objectNames().size();
            assertTrue(n >= 1 && n <= 3, r.sample().id() + " has " + n + " objects");
            counts[n]++;
        }
        for (int n = 1; n <= 3; n++) {
            assertEquals(1.0 / 3, counts[n] / (double) N, 0.08, "share of images with " + n + " objects");
        }
        var many = new SyntheticGenerator(generator.config().withCount(30).withObjects(4, 5));
        for (int i = 0; i < 30; i++) {
            int n = many.sample(i).objectNames().size();
            assertTrue(n >= 4 && n <= 5, "sample " + i + " has " + n);
        }
    }

    @Test
    void occlusionIsBounded() {
        double limit = generator.config().maxOcclusion();
        boolean sawOcclusion = false;
        for (var r : renderings) {
            for (Scene.PlacedObject o : r.scene().objects()) {
                int visible = Morphology.count(o.visible());
                assertEquals(o.bodyArea(), Morphology.count(o.body()));
                assertTrue(visible >= (1 - limit) * o.bodyArea() - 1e-9, r.sample().id() + " " + visible + "/" + o.bodyArea());
                sawOcclusion |= visible < o.bodyArea();
            }
        }
        assertTrue(sawOcclusion, "no object was ever partly hidden");
    }

    @Test
    void markingAreaFractionStaysInTheDocumentedBand() {
        var config = generator.config();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (var r : renderings) {
            for (Scene.PlacedObject o : r.scene().objects()) {
                double f = Morphology.count(o.markingPixels()) / (double) Morphology.count(o.body());
                assertTrue(f >= config.minMarkingFraction() && f <= config.maxMarkingFraction(), r.sample().id() + " " + f);
                min = Math.min(min, f);
                max = Math.max(max, f);
            }
        }
        // the band is used, not just a point in it
        assertTrue(min < 0.065 && max > 0.095, min + ".." + max);
    }

    @Test
    void bodyColourAndSizeDoNotDependOnTheClass() {
        int classes = generator.vocabulary().foregroundCount();
        int w = generator.config().width();
        double[][] sums = new double[classes + 1][5];
        double[] global = new double[5];
        for (var r : renderings) {
            SyntheticSample s = r.sample();
            for (Scene.PlacedObject o : r.scene().objects()) {
                // the colour the network sees: visible body pixels, marking excluded
                double[] mean = new double[3];
                int n = 0;
                for (int p = 0; p < o.body().length; p++) {
                    if (o.visible()[p] && !o.markingPixels()[p]) {
                        for (int c = 0; c < 3; c++) {
                            mean[c] += s.image().get(p % w, p / w, c);
                        }
                        n++;
                    }
                }
                double[] row = {mean[0] / n, mean[1] / n, mean[2] / n, o.bodyArea(), 1};
                for (int k = 0; k < 5; k++) {
                    sums[o.classIndex()][k] += row[k];
                    global[k] += row[k];
                }
            }
        }
        for (int c = 1; c <= classes; c++) {
            double n = sums[c][4];
            assertTrue(n > 60, "class " + c + " has only " + n + " objects");
            for (int k = 0; k < 3; k++) {
                // channel standard deviation ≈ 45 over ≈ 100 objects: 4 standard errors are 18
                assertEquals(global[k] / global[4], sums[c][k] / n, 18.0, "mean channel " + k + " of class " + c);
            }
            assertEquals(global[3] / global[4], sums[c][3] / n, 0.12 * global[3] / global[4], "mean body area of class " + c);
        }
    }

    @Test
    void bodyCueDrawsABodysHueFromItsClassBandWithTheGivenProbability() {
        int classes = generator.config().classes();
        double band = 360.0 / classes;
        for (double cue : new double[] {1.0, 0.5}) {
            var cued = new SyntheticGenerator(generator.config().withCount(80).withBodyCue(cue));
            int inBand = 0;
            int objects = 0;
            for (int i = 0; i < 80; i++) {
                var r = cued.render(i);
                List<Scene.PlacedObject> placed = r.scene().objects();
                for (int k = 0; k < placed.size(); k++) {
                    double hue = r.sample().objectHues().get(k);
                    int c = placed.get(k).classIndex();
                    // the hexcone hue of a colour drawn in the band can round to its edge
                    boolean own = hue >= (c - 1) * band - 1e-6 && hue <= c * band + 1e-6;
                    inBand += own ? 1 : 0;
                    objects++;
                    if (cue == 1.0) {
                        assertTrue(own, r.sample().id() + " object " + k + " of class " + c + " has hue " + hue);
                    }
                }
            }
            if (cue == 0.5) {
                // own band with probability 0.5 + 0.5/C = 0.5625; about 160 objects give a standard error of 0.04
                double share = inBand / (double) objects;
                assertTrue(share > 0.42 && share < 0.71, "share in own band " + share + " of " + objects);
            }
            assertTrue(cued.describe().contains("weak body cue"), cued.describe());
        }
        assertFalse(generator.describe().contains("weak body cue"), generator.describe());
    }

    @Test
    void objectHuesAreTheBodiesHuesAndHueTagsBinThem() {
        int checked = 0;
        for (var r : renderings.subList(0, 100)) {
            SyntheticSample s = r.sample();
            List<Scene.PlacedObject> objects = r.scene().objects();
            assertEquals(objects.size(), s.objectHues().size(), s.id());
            var expectedTags = new boolean[6];
            for (int k = 0; k < objects.size(); k++) {
                Scene.PlacedObject o = objects.get(k);
                // mean colour of the visible body outside the marking: shading scales all channels alike and the grain
                // is grey, so its hue is the body colour's
                double sr = 0, sg = 0, sb = 0;
                int n = 0;
                for (int p = 0; p < o.visible().length; p++) {
                    if (o.visible()[p] && !o.markingPixels()[p]) {
                        int x = p % s.image().width();
                        int y = p / s.image().width();
                        sr += s.image().get(x, y, 0);
                        sg += s.image().get(x, y, 1);
                        sb += s.image().get(x, y, 2);
                        n++;
                    }
                }
                double measured = new Colour(sr / n, sg / n, sb / n).hueDegrees();
                double given = s.objectHues().get(k);
                double diff = Math.abs(measured - given);
                assertTrue(Math.min(diff, 360 - diff) < 3, s.id() + " object " + k + ": hue " + given + ", measured " + measured);
                assertTrue(given >= 0 && given < 360, s.id() + " hue " + given);
                expectedTags[(int) (given / 60)] = true;
                checked++;
            }
            assertArrayEquals(expectedTags, s.hueTags(6), s.id());
        }
        assertTrue(checked > 150, "objects checked: " + checked);
        assertThrows(IllegalArgumentException.class, () -> renderings.get(0).sample().hueTags(0));
    }

    @Test
    void markingTintMixesTheMarkingIntoItsBodyAndChangesNothingElse() {
        var full = new SyntheticGenerator(generator.config().withCount(10));
        var t4 = new SyntheticGenerator(generator.config().withCount(10).withMarkingTint(0.4));
        var t7 = new SyntheticGenerator(generator.config().withCount(10).withMarkingTint(0.7));
        int w = full.config().width();
        int checked = 0;
        for (int i = 0; i < 10; i++) {
            var r1 = full.render(i);
            RgbImage a = r1.sample().image();
            RgbImage b = t4.render(i).sample().image();
            RgbImage c = t7.render(i).sample().image();
            assertArrayEquals(r1.sample().mask().labels(), t4.render(i).sample().mask().labels(), "masks do not depend on the tint");
            boolean[] marking = markingPixels(r1.scene(), a.width() * a.height());
            for (int p = 0; p < marking.length; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    int x = p % w;
                    int y = p / w;
                    if (!marking[p]) {
                        assertEquals(a.get(x, y, ch), b.get(x, y, ch), "pixel off the markings");
                        continue;
                    }
                    // Linear in the tint: extrapolating 0.4 -> 0.7 to 1 gives the marking's own colour (tint 1).
                    double extrapolated = b.get(x, y, ch) + (c.get(x, y, ch) - b.get(x, y, ch)) * (1 - 0.4) / 0.3;
                    assertEquals(a.get(x, y, ch), extrapolated, 4.0, "marking pixel " + x + "," + y);
                    checked++;
                }
            }
        }
        assertTrue(checked > 1000, "marking pixels checked: " + checked);
        assertThrows(IllegalArgumentException.class, () -> generator.config().withMarkingTint(0.1));
    }

    /** Every pixel that some object's marking covers. */
    private static boolean[] markingPixels(Scene scene, int pixels) {
        boolean[] marking = new boolean[pixels];
        for (Scene.PlacedObject o : scene.objects()) {
            for (int p = 0; p < pixels; p++) {
                marking[p] |= o.markingPixels()[p];
            }
        }
        return marking;
    }

    @Test
    void markingShadePaintsTheMarkingInItsBodysOwnColourDarkenedAndChangesNothingElse() {
        var full = new SyntheticGenerator(generator.config().withCount(10));
        var t4 = new SyntheticGenerator(generator.config().withCount(10).withMarkingTint(0.4));
        var t7 = new SyntheticGenerator(generator.config().withCount(10).withMarkingTint(0.7));
        var shaded = new SyntheticGenerator(generator.config().withCount(10).withMarkingShade(0.5));
        int w = full.config().width();
        int checked = 0;
        for (int i = 0; i < 10; i++) {
            var r1 = full.render(i);
            RgbImage a = r1.sample().image();
            RgbImage b = t4.render(i).sample().image();
            RgbImage c = t7.render(i).sample().image();
            var rs = shaded.render(i);
            RgbImage d = rs.sample().image();
            assertArrayEquals(r1.sample().mask().labels(), rs.sample().mask().labels(), "masks do not depend on the shade");
            assertArrayEquals(r1.sample().labels(), rs.sample().labels(), "nor do the tags");
            boolean[] marking = markingPixels(r1.scene(), a.width() * a.height());
            for (int p = 0; p < marking.length; p++) {
                int x = p % w;
                int y = p / w;
                for (int ch = 0; ch < 3; ch++) {
                    if (!marking[p]) {
                        assertEquals(a.get(x, y, ch), d.get(x, y, ch), "pixel off the markings");
                        continue;
                    }
                    // The body's colour under the marking, extrapolated from tints 0.4 and 0.7 to tint 0.
                    double body = b.get(x, y, ch) - (c.get(x, y, ch) - b.get(x, y, ch)) * 0.4 / 0.3;
                    assertEquals(body * 0.5, d.get(x, y, ch), 3.0, "marking pixel " + x + "," + y + " channel " + ch);
                    checked++;
                }
            }
        }
        assertTrue(checked > 1000, "marking pixels checked: " + checked);
    }

    @Test
    void ignoreBandSurroundsObjectsButSparesMarkings() {
        int band = 3;
        var banded = new SyntheticGenerator(generator.config().withCount(40).withIgnoreBand(band));
        int w = banded.config().width();
        int h = banded.config().height();
        int ignored = 0;
        for (int i = 0; i < 40; i++) {
            var r = banded.render(i);
            SyntheticSample s = r.sample();
            LabelMask plain = ScenePainter.mask(r.scene(), w, h, 0);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int own = plain.get(x, y);
                    boolean nearOther = false;
                    for (int qy = Math.max(0, y - band); qy <= Math.min(h - 1, y + band); qy++) {
                        for (int qx = Math.max(0, x - band); qx <= Math.min(w - 1, x + band); qx++) {
                            int dx = qx - x;
                            int dy = qy - y;
                            nearOther |= dx * dx + dy * dy <= band * band && plain.get(qx, qy) != own;
                        }
                    }
                    assertEquals(nearOther ? LabelMask.IGNORE : own, s.mask().get(x, y), s.id() + " at " + x + "," + y);
                    ignored += nearOther ? 1 : 0;
                }
            }
            for (Scene.PlacedObject o : r.scene().objects()) {
                for (int p = 0; p < o.markingPixels().length; p++) {
                    if (o.markingPixels()[p]) {
                        assertEquals(o.classIndex(), s.mask().get(p % w, p / w), s.id() + " marking under the band");
                    }
                }
            }
            for (int c = 1; c <= banded.vocabulary().foregroundCount(); c++) {
                boolean inMask = false;
                for (byte b : s.mask().labels()) {
                    inMask |= (b & 0xFF) == c;
                }
                assertEquals(s.labels()[c - 1], inMask, s.id() + " class " + c);
            }
        }
        assertTrue(ignored > 40 * 100, "ignored pixels " + ignored);
    }

    @Test
    void smallImagesAndTenClassesWork() {
        var small = new SyntheticGenerator(SyntheticConfig.defaults().withSize(64, 56).withClasses(10)
                .withContexts(4, 0.8, 0.05).withCount(30));
        for (int i = 0; i < 30; i++) {
            SyntheticSample s = small.sample(i);
            assertEquals(64, s.image().width());
            assertEquals(56, s.mask().height());
            assertEquals(10, s.labels().length);
        }
    }

    @Test
    void aConfigThatCannotFitItsObjectsFailsClearly() {
        var crowded = SyntheticConfig.defaults().withObjects(6, 6);
        crowded = new SyntheticConfig(crowded.seed(), 3, 112, 112, 8, 6, 6, 3, 0.8, 0.05, 0, 0.7, 0.8, 0.06, 0.10, 0.0, 2, 1.0, 0.0, 0.0);
        var e = assertThrows(IllegalStateException.class, new SyntheticGenerator(crowded)::all);
        assertTrue(e.getMessage().contains("found no place") && e.getMessage().contains("minObjects"), e.getMessage());
    }
}
