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
        a.finish();
        SyntheticConfig cfg = d.withSeed(seed).withCount(count).withSize(size, size).withClasses(classes);
        var summary = SyntheticDatasetWriter.write(cfg, dest, format, val, overwrite);
        out.println(summary);
    }
}
