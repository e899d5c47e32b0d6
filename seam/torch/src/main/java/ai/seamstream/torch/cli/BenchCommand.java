package ai.seamstream.torch.cli;

import ai.seamstream.core.augment.NeighbourhoodHue;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.torch.bench.InferBench;
import ai.seamstream.torch.bench.QualityBench;
import ai.seamstream.torch.bench.RefineBench;
import ai.seamstream.torch.bench.SpeedBench;
import ai.seamstream.torch.loss.SeamLosses;
import ai.seamstream.torch.loss.SeamObjective;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.train.SeamTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code seam bench quality|speed|infer|refine}: the benchmarks whose figures live in docs/benchmarks/. */
final class BenchCommand {
    private BenchCommand() {
    }

    private static List<NetConfig.Method> methods(Args a) {
        String spec = a.string("methods", "cam,seam");
        var out = new ArrayList<NetConfig.Method>();
        for (String m : spec.split(",")) {
            switch (m.strip().toLowerCase()) {
                case "cam" -> out.add(NetConfig.Method.CAM);
                case "seam" -> out.add(NetConfig.Method.SEAM);
                default -> throw new UsageException("bench quality: --methods takes cam, seam or cam,seam; got '" + spec + "'");
            }
        }
        return out;
    }

    /** Parses {@code WxH,WxH,...}. */
    static List<int[]> sizes(String spec) {
        var out = new ArrayList<int[]>();
        for (String part : spec.split(",")) {
            String[] wh = part.strip().toLowerCase().split("x");
            try {
                int w = Integer.parseInt(wh[0]);
                int h = wh.length == 2 ? Integer.parseInt(wh[1]) : -1;
                if (wh.length != 2 || w < 16 || h < 16 || w > 8192 || h > 8192) {
                    throw new NumberFormatException();
                }
                out.add(new int[] {w, h});
            } catch (NumberFormatException e) {
                throw new UsageException("bench refine: --sizes takes WIDTHxHEIGHT pairs of 16..8192, like 500x375,1000x750; got '" + spec + "'");
            }
        }
        return out;
    }

    static void run(String[] argv, PrintStream out) throws IOException {
        if (argv.length == 0 || !List.of("quality", "speed", "infer", "refine").contains(argv[0])) {
            throw new UsageException("bench: say which: 'seam bench quality', 'seam bench speed', 'seam bench infer' or 'seam bench refine'");
        }
        String which = argv[0];
        Args a = Args.parse("bench " + which, Arrays.copyOfRange(argv, 1, argv.length));
        String command = ("bin/seam bench " + which + " " + String.join(" ", Arrays.copyOfRange(argv, 1, argv.length))).strip();
        Path report = a.path("report", Path.of("docs", "benchmarks"));
        if (which.equals("refine")) {
            int repeats = a.integer("repeats", 7, 3, 1000);
            List<int[]> sizes = sizes(a.string("sizes", "250x188,500x375,1000x750"));
            int channels = a.integer("feature-channels", 448, 1, 4096);
            a.finish();
            RefineBench.run(sizes, repeats, channels, report, command);
            out.print(java.nio.file.Files.readString(report.resolve("refine.md")));
            return;
        }
        int threads = a.integer("threads", 2, 1, 256);
        if (which.equals("quality")) {
            double[] seedsD = a.reals("seeds", new double[] {1, 2, 3}, 0, Long.MAX_VALUE);
            long[] seeds = Arrays.stream(seedsD).mapToLong(d -> (long) d).toArray();
            int size = a.integer("size", 96, 32, 1024);
            // Bench defaults: objects take a VOC-like share of the image (docs/benchmarks/README.md says why).
            SyntheticConfig data = SynthCommand.dataShape(a, "bench quality", SyntheticConfig.defaults()
                    .withCount(a.integer("count", 240, 8, 1_000_000)).withSize(size, size).withBodies(0.5, 0.8).withMarkings(0.08, 0.14));
            int denseBins = a.integer("dense-bins", 0, 0, 36);
            int denseRadius = a.integer("dense-radius", 1, 0, 8);
            double denseMinChroma = a.real("dense-min-chroma", 0.1, 0, 1);
            double denseWeight = a.real("dense-weight", 0.1, 1e-6, 100);
            if (denseBins == 1) {
                throw new UsageException("bench quality: --dense-bins needs at least 2 bins (0 turns the dense targets off)");
            }
            var dense = denseBins == 0 ? null : new SeamTrainer.DenseTargets(
                    new NeighbourhoodHue.Settings(denseBins, denseRadius, denseMinChroma), denseWeight);
            long pretrainSteps = a.longValue("pretrain-steps", 1500, 0);
            int appearanceBins = a.integer("appearance-bins", 0, 0, 36);
            if (appearanceBins > 0 && dense != null) {
                throw new UsageException("bench quality: --appearance-bins and --dense-bins are two different pre-trainings;"
                        + " give one");
            }
            boolean freshFc8 = a.flag("fresh-fc8");
            if ((appearanceBins > 0 || dense != null || freshFc8) && pretrainSteps == 0) {
                throw new UsageException("bench quality: --" + (dense != null ? "dense-bins" : appearanceBins > 0 ? "appearance-bins"
                        : "fresh-fc8") + " changes the pre-training, which --pretrain-steps 0 leaves out; give --pretrain-steps > 0 or drop it");
            }
            var s = new QualityBench.Settings(seeds, data, pretrainSteps, a.real("pretrain-lr", 0.05, 1e-6, 10),
                    a.real("pretrain-momentum", 0.9, 0, 0.999),
                    a.longValue("steps", 600, 1), a.integer("batch", 8, 1, 256),
                    a.real("width", 0.125, 0.01, 1), a.integer("units", 1, 1, 6), a.real("head-width", 1, 0, 1), a.real("lr", 0.01, 1e-6, 10),
                    a.real("momentum", 0, 0, 0.999), a.real("hue", 0.1, 0, 0.5), TrainCommand.transformScale(a),
                    new SeamObjective.Weights(a.real("min-weight", 1, 0, 100), a.real("er-weight", 1, 0, 100), a.real("ecr-weight", 1, 0, 100),
                            a.real("ohem-ratio", SeamLosses.OHEM_RATIO, 1e-6, 1)),
                    methods(a), threads,
                    a.path("out", Path.of("target", "bench-quality")), report, command, a.longValue("affinity-steps", 0, 0),
                    appearanceBins, a.flag("reuse-pretrain"), a.flag("crf"), dense, freshFc8);
            a.finish();
            EngineSetup.configure(threads, seeds[0]);
            var rows = QualityBench.run(s);
            QualityBench.write(s, rows);
            out.print(java.nio.file.Files.readString(report.resolve("quality.md")));
        } else if (which.equals("infer")) {
            var s = new InferBench.Settings(threads, a.integer("small-size", 128, 16, 2048), a.integer("repeats", 5, 1, 1000),
                    !a.flag("no-full"), a.integer("full-size", 448, 16, 2048), a.integer("full-repeats", 1, 1, 1000),
                    a.path("work", Path.of("target", "bench-infer")), report, command);
            a.finish();
            EngineSetup.configure(threads, 1);
            InferBench.run(s);
            out.print(java.nio.file.Files.readString(report.resolve("inference.md")));
        } else {
            int repeats = a.integer("repeats", 7, 5, 1000);
            a.finish();
            EngineSetup.configure(threads, 1);
            SpeedBench.run(threads, repeats, report, command);
            out.print(java.nio.file.Files.readString(report.resolve("speed.md")));
        }
    }
}
