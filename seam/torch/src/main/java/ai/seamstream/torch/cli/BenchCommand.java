package ai.seamstream.torch.cli;

import ai.seamstream.torch.bench.QualityBench;
import ai.seamstream.torch.bench.SpeedBench;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/** {@code seam bench quality|speed}: the benchmarks whose figures live in docs/benchmarks/. */
final class BenchCommand {
    private BenchCommand() {
    }

    static void run(String[] argv, PrintStream out) throws IOException {
        if (argv.length == 0 || !(argv[0].equals("quality") || argv[0].equals("speed"))) {
            throw new UsageException("bench: say which: 'seam bench quality' or 'seam bench speed'");
        }
        String which = argv[0];
        Args a = Args.parse("bench " + which, Arrays.copyOfRange(argv, 1, argv.length));
        String command = ("bin/seam bench " + which + " " + String.join(" ", Arrays.copyOfRange(argv, 1, argv.length))).strip();
        int threads = a.integer("threads", 2, 1, 256);
        Path report = a.path("report", Path.of("docs", "benchmarks"));
        if (which.equals("quality")) {
            double[] seedsD = a.reals("seeds", new double[] {1, 2, 3}, 0, Long.MAX_VALUE);
            long[] seeds = Arrays.stream(seedsD).mapToLong(d -> (long) d).toArray();
            var s = new QualityBench.Settings(seeds, a.integer("count", 240, 8, 1_000_000), a.integer("size", 96, 32, 1024),
                    a.longValue("steps", 400, 1), a.integer("batch", 8, 1, 256), a.real("width", 0.125, 0.01, 1),
                    a.integer("units", 1, 1, 6), a.real("lr", 0.01, 1e-6, 10), a.real("momentum", 0, 0, 0.999), threads,
                    a.path("out", Path.of("target", "bench-quality")), report, command);
            a.finish();
            EngineSetup.configure(threads, seeds[0]);
            var rows = QualityBench.run(s);
            QualityBench.write(s, rows);
            out.print(java.nio.file.Files.readString(report.resolve("quality.md")));
        } else {
            int repeats = a.integer("repeats", 7, 5, 1000);
            a.finish();
            EngineSetup.configure(threads, 1);
            SpeedBench.run(threads, repeats, report, command);
            out.print(java.nio.file.Files.readString(report.resolve("speed.md")));
        }
    }
}
