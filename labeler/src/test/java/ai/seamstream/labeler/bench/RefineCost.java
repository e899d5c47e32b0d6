package ai.seamstream.labeler.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.onnx.OnnxAffinityModel;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxPseudoMasks;
import ai.seamstream.core.onnx.OnnxSession;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.labeler.LabelerConfig;
import ai.seamstream.labeler.TestModels;
import ai.seamstream.labeler.model.Refiner;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What {@code seam.labeler.refine} costs per image on the labeler's path: the pipeline alone (the test model: small
 * backbone, scale 1 and its mirror), then each refinement mode through the labeler's {@link Refiner} (rw includes the
 * shipped affinity network's ONNX Runtime forward), one ONNX Runtime thread, medians. Prints a Markdown table.
 * Run: {@code mvn -pl labeler -am test -Dtest=RefineCost -Dsurefire.failIfNoSpecifiedTests=false -Dlabeler.refine.bench=true}
 * (sizes {@code -Dlabeler.refine.sizes=96x96,500x375}, runs {@code -Dlabeler.refine.runs=5}).
 */
@EnabledIfSystemProperty(named = "labeler.refine.bench", matches = "true")
class RefineCost {
    @Test
    void costPerImage() throws Exception {
        var dir = TestModels.modelWithAffinity(3);
        int runs = Integer.getInteger("labeler.refine.runs", 5);
        String[] sizes = System.getProperty("labeler.refine.sizes", "96x96,500x375").split(",");
        var settings = OnnxSession.Settings.cpu(1);
        StringBuilder out = new StringBuilder("| image | pipeline (ms) | crf (ms) | rw (ms) | rw+crf (ms) |\n|---|---|---|---|---|\n");
        try (OnnxModel model = OnnxModel.load(dir, settings);
             OnnxAffinityModel aff = OnnxAffinityModel.loadShipped(dir, model.manifest(), settings)) {
            var pipeline = new OnnxPseudoMasks(model, OnnxPseudoMasks.Options.of(model.manifest()));
            for (String size : sizes) {
                String[] wh = size.split("x");
                int w = Integer.parseInt(wh[0]);
                int h = Integer.parseInt(wh[1]);
                var sample = new SyntheticGenerator(SyntheticConfig.defaults().withSize(w, h).withSeed(7)).sample(0);
                RgbImage img = sample.image();
                boolean[] tags = java.util.Arrays.copyOf(sample.labels(), TestModels.CLASSES.size() - 1);
                tags[0] = true;
                List<Double> pipe = new ArrayList<>();
                PseudoMaskResult r = null;
                for (int i = 0; i < runs + 1; i++) {
                    long t0 = System.nanoTime();
                    r = pipeline.run(img, tags);
                    if (i > 0) {
                        pipe.add((System.nanoTime() - t0) / 1e6);
                    }
                }
                out.append(String.format(Locale.ROOT, "| %dx%d | %.0f", w, h, median(pipe)));
                for (String mode : new String[] {"crf", "rw", "rw+crf"}) {
                    var refiner = new Refiner(LabelerConfig.refinement(mode, 4, 10), aff);
                    List<Double> t = new ArrayList<>();
                    for (int i = 0; i < runs + 1; i++) {
                        var refined = refiner.refine(img, r);
                        assertEquals(w, refined.mask().width());
                        if (i > 0) {
                            t.add(refined.nanos() / 1e6);
                        }
                    }
                    out.append(String.format(Locale.ROOT, " | %.0f", median(t)));
                }
                out.append(" |\n");
            }
        }
        System.out.println("RefineCost (" + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, load " + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
                + "):\n" + out);
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
