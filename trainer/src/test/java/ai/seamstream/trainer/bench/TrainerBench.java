package ai.seamstream.trainer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.trainer.Fixtures;
import ai.seamstream.trainer.dataset.HoldOutSplit;
import ai.seamstream.trainer.dataset.TrainingData;
import ai.seamstream.trainer.dataset.TrainingSetStore;
import ai.seamstream.trainer.job.JobSpec;
import ai.seamstream.trainer.job.JobState;
import ai.seamstream.trainer.job.TrainingJob;
import ai.seamstream.trainer.service.ServiceConfig;
import ai.seamstream.trainer.service.ServiceFixtures;
import ai.seamstream.trainer.service.TrainerSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/trainer-bench}: training images/s of the trainer's job with the service's default small backbone
 * (width 0.125, one unit per stage, SEAM's full siamese objective, 96 px crops, batch 8), on synthetic labelled images
 * materialised from a training-set store exactly as a job gets them, PyTorch threads fixed.
 *
 * <p>A run is one training job of {@code steps} steps; its throughput is the images trained in all reporting windows
 * but the first (which holds the warm-up) divided by their time. The figure is the median over {@code runs} runs.
 * System properties: {@code trainer.bench.threads} (2), {@code trainer.bench.runs} (5), {@code trainer.bench.steps}
 * (40), {@code trainer.bench.images} (64), {@code trainer.bench.out} (folder of trainer.md/trainer.json).
 */
@EnabledIfSystemProperty(named = "trainer.bench", matches = "true")
class TrainerBench {
    static final int WINDOW = 5;

    @TempDir
    Path dir;

    @Test
    void trainingImagesPerSecond() throws Exception {
        int threads = Integer.getInteger("trainer.bench.threads", 2);
        int runs = Integer.getInteger("trainer.bench.runs", 5);
        int steps = Integer.getInteger("trainer.bench.steps", 40);
        int images = Integer.getInteger("trainer.bench.images", 64);
        Path out = Path.of(System.getProperty("trainer.bench.out", "../docs/benchmarks"));
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine.getInstance().setRandomSeed(1);

        SyntheticGenerator g = new SyntheticGenerator(SyntheticConfig.defaults().withSeed(7).withCount(images)
                .withSize(128, 128).withClasses(4));
        TrainerSettings.Trainer t = ServiceFixtures.settings(Map.of("seam.trainer.classes",
                String.join(",", g.vocabulary().foreground()), "seam.trainer.job.steps", Integer.toString(steps),
                "seam.trainer.job.log-every", Integer.toString(WINDOW))).trainer();
        JobSpec spec = ServiceConfig.jobSpec(t.job(), g.vocabulary());
        String loadBefore = loadAverage();
        double[] perRun = new double[runs];
        try (var store = TrainingSetStore.open(dir.resolve("store")); NDManager manager = NDManager.newBaseManager()) {
            Fixtures.fill(store, g, false);
            var data = TrainingData.materialise(store.snapshot(), g.vocabulary(), new HoldOutSplit(0, ""), "bench");
            for (int r = 0; r < runs; r++) {
                var job = new TrainingJob("bench-" + r, spec, data, dir.resolve("run-" + r));
                var res = job.run(manager);
                assertEquals(JobState.SUCCEEDED, res.state(), res.progress().message());
                var windows = res.training().history();
                assertTrue(windows.size() >= 2, "need at least two reporting windows");
                double seconds = 0;
                long trained = 0;
                for (var w : windows.subList(1, windows.size())) {
                    seconds += WINDOW * spec.trainer().batch() / w.imagesPerSecond();
                    trained += (long) WINDOW * spec.trainer().batch();
                }
                perRun[r] = trained / seconds;
                System.out.printf(Locale.ROOT, "trainer bench run %d: %.2f images/s%n", r + 1, perRun[r]);
            }
        }
        double[] sorted = perRun.clone();
        Arrays.sort(sorted);
        double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;

        var json = new LinkedHashMap<String, Object>();
        json.put("command", "bin/trainer-bench");
        json.put("backbone", Map.of("kind", "small", "width", spec.net().backbone().width(), "unitsPerStage",
                spec.net().backbone().b2Units()));
        json.put("method", "SEAM (full siamese objective)");
        json.put("crop", spec.trainer().augment().cropSize());
        json.put("batch", spec.trainer().batch());
        json.put("steps", steps);
        json.put("window", WINDOW);
        json.put("images", images);
        json.put("threads", threads);
        json.put("runs", runs);
        json.put("imagesPerSecondMedian", round(median));
        List<Double> rr = new ArrayList<>();
        for (double v : perRun) {
            rr.add(round(v));
        }
        json.put("imagesPerSecondRuns", rr);
        json.put("loadAverageBefore", loadBefore);
        json.put("loadAverageAfter", loadAverage());
        json.put("cpu", cpuModel());
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        Files.createDirectories(out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("trainer.json").toFile(), json);
        String md = String.format(Locale.ROOT, """
                # Trainer benchmark

                `bin/trainer-bench` (written by the run itself; see `TrainerBench` for the method).

                Training throughput of the trainer's job with the service's default **small backbone** (ResNet-38 at width
                %s, %d unit per stage), SEAM's full siamese objective, %d px crops, batch %d, %d steps per run, on %d synthetic
                128×128 labelled images read from a training-set store as a job reads them. PyTorch intra-op threads fixed at %d
                (inter-op 1). A run's figure excludes its first reporting window of %d steps (the warm-up).

                | figure | value |
                |---|---|
                | training images/s, median of %d runs | **%.1f** |
                | runs | %s |

                Machine: %s, %d cores, %s; 1-minute load average %s before and %s after the runs (other work
                on the machine competes for the CPU: compare figures taken at a similar load, and the median rather than
                single runs).
                """, spec.net().backbone().width(), spec.net().backbone().b2Units(), spec.trainer().augment().cropSize(),
                spec.trainer().batch(), steps, images, threads, WINDOW, runs, median, rr, cpuModel(),
                Runtime.getRuntime().availableProcessors(), json.get("java"), loadBefore, json.get("loadAverageAfter"));
        Files.writeString(out.resolve("trainer.md"), md);
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "unknown";
        }
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
