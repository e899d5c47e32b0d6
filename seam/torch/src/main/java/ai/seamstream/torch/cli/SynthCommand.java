package ai.seamstream.torch.cli;

import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticDatasetWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** {@code seam synth}: writes the synthetic weak-label benchmark as a VOC-layout data set (docs/synthetic-benchmark.md). */
final class SynthCommand {
    private SynthCommand() {
    }

    static void run(Args a, PrintStream out) throws IOException {
        Path dest = a.path("out");
        SyntheticConfig d = SyntheticConfig.defaults();
        int count = a.integer("count", 600, 1, 10_000_000);
        int size = a.integer("size", d.width(), 32, 4096);
        int classes = a.integer("classes", d.classes(), 2, 8);
        long seed = a.longValue("seed", 1, 0);
        double val = a.real("val-fraction", 0.2, 0, 0.9);
        String format = a.choice("format", "png", "png", "jpg");
        boolean overwrite = a.flag("overwrite");
        SyntheticConfig cfg = dataShape(a, "synth", d.withSeed(seed).withCount(count).withSize(size, size).withClasses(classes));
        a.finish();
        var summary = SyntheticDatasetWriter.write(cfg, dest, format, val, overwrite);
        out.println(summary);
    }

    /**
     * Reads the options that shape the objects ({@code --objects}, {@code --bodies}, {@code --markings},
     * {@code --marking-tint}, {@code --marking-shade}, {@code --body-cue}), each defaulting to {@code base}'s value, and returns {@code base} with them applied.
     *
     * @throws UsageException naming the option when a range is inverted or a value is out of bounds
     */
    static SyntheticConfig dataShape(Args a, String command, SyntheticConfig base) {
        double[] objects = pair(command, "objects",
                a.reals("objects", new double[] {base.minObjects(), base.maxObjects()}, 1, SyntheticConfig.MAX_OBJECTS));
        double[] bodies = pair(command, "bodies",
                a.reals("bodies", new double[] {base.minBodyFraction(), base.maxBodyFraction()}, 0.01, 0.8));
        double[] markings = pair(command, "markings",
                a.reals("markings", new double[] {base.minMarkingFraction(), base.maxMarkingFraction()}, 0.02, 0.25));
        double tint = a.real("marking-tint", base.markingTint(), 0.2, 1.0);
        double shade = a.has("marking-shade") ? a.real("marking-shade", base.markingShade(), 0.2, 0.8) : base.markingShade();
        double cue = a.real("body-cue", base.bodyCue(), 0, 1);
        try {
            return base.withObjects((int) objects[0], (int) objects[1]).withBodies(bodies[0], bodies[1])
                    .withMarkings(markings[0], markings[1]).withMarkingTint(tint).withMarkingShade(shade).withBodyCue(cue);
        } catch (IllegalArgumentException e) {
            throw new UsageException(command + ": " + e.getMessage());
        }
    }

    private static double[] pair(String command, String name, double[] v) {
        if (v.length != 2 || v[0] > v[1]) {
            throw new UsageException(command + ": --" + name + " wants MIN,MAX with MIN <= MAX");
        }
        return v;
    }
}
