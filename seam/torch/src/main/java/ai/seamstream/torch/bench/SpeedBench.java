package ai.seamstream.torch.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.seamstream.torch.loss.SeamObjective;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.Pcm;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.train.PolySgd;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code seam bench speed}: the median time of a training step (after warm-up) for CAM and SEAM, and the PCM's time
 * and affinity memory as the number of stride-8 pixels P grows, chunked and not.
 */
public final class SpeedBench {
    private static final Logger LOG = LoggerFactory.getLogger(SpeedBench.class);
    private static final int WARMUP = 2;

    /** One step-time measurement. */
    public record StepRow(String method, double width, int crop, int batch, double medianMs, double imagesPerSecond) {
    }

    /** One PCM measurement; {@code affinityMiB} is the size of the largest affinity block the computation holds. */
    public record PcmRow(int side, long p, int chunk, double medianMs, double affinityMiB) {
    }

    private SpeedBench() {
    }

    public static void run(int threads, int repeats, Path reportDir, String command) throws IOException {
        var steps = new ArrayList<StepRow>();
        var pcm = new ArrayList<PcmRow>();
        int classes = 9;
        try (NDManager root = NDManager.newBaseManager()) {
            for (int crop : new int[] {96, 224}) {
                for (NetConfig.Method method : NetConfig.Method.values()) {
                    steps.add(stepTime(root, method, 0.125, crop, 8, classes, repeats));
                    LOG.info("speed: {}", steps.get(steps.size() - 1));
                }
            }
            for (int side : new int[] {16, 32, 48, 64, 96}) {
                long p = (long) side * side;
                for (int chunk : new int[] {(int) p, 1024}) {
                    if (chunk > p || (chunk == 1024 && p <= 1024)) {
                        continue;
                    }
                    pcm.add(pcmTime(root, side, chunk, 21, 192, repeats));
                    LOG.info("speed: {}", pcm.get(pcm.size() - 1));
                }
            }
        }
        write(reportDir, command, threads, repeats, steps, pcm);
    }

    private static StepRow stepTime(NDManager root, NetConfig.Method method, double width, int crop, int batch, int classes,
                                    int repeats) {
        var cfg = new NetConfig(BackboneConfig.small(width, 1), classes, method, NetConfig.BatchNormMode.TRAIN, false, 4096);
        var rng = new SplittableRandom(7);
        float[] x = new float[batch * 3 * crop * crop];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] y = new float[batch * classes];
        for (int b = 0; b < batch; b++) {
            y[b * classes] = 1;
            y[b * classes + 1 + rng.nextInt(classes - 1)] = 1;
        }
        double[] ms = new double[repeats];
        try (SeamNetwork net = new SeamNetwork(cfg, root, 1); var sgd = new PolySgd(net.params(), PolySgd.Config.reference(1000))) {
            for (int i = -WARMUP; i < repeats; i++) {
                long t0 = System.nanoTime();
                try (NDManager m = root.newSubManager()) {
                    NDArray xs = m.create(x, new Shape(batch, 3, crop, crop));
                    NDArray ys = m.create(y, new Shape(batch, classes));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        var t = method == NetConfig.Method.SEAM ? SeamObjective.seam(net, xs, ys, 0.3, true)
                                : SeamObjective.cam(net, xs, ys, true);
                        gc.backward(t.total());
                    }
                }
                sgd.step();
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        double med = BenchEnvironment.median(ms);
        return new StepRow(method.name(), width, crop, batch, med, batch / (med / 1000));
    }

    private static PcmRow pcmTime(NDManager root, int side, int chunk, int k, int d, int repeats) {
        double[] ms = new double[repeats];
        try (NDManager m = root.newSubManager()) {
            NDArray cam = m.randomUniform(0, 1, new Shape(1, k, side, side));
            NDArray emb = m.randomNormal(new Shape(1, d, side, side));
            for (int i = -WARMUP; i < repeats; i++) {
                long t0 = System.nanoTime();
                try (NDManager step = m.newSubManager()) {
                    NDArray c = cam.duplicate();
                    c.attach(step);
                    NDArray rv = Pcm.revise(c, emb, chunk);
                    rv.attach(step);
                    rv.toFloatArray();
                }
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        long p = (long) side * side;
        return new PcmRow(side, p, chunk, BenchEnvironment.median(ms), p * (double) Math.min(chunk, p) * 4 / (1 << 20));
    }

    private static void write(Path dir, String command, int threads, int repeats, List<StepRow> steps, List<PcmRow> pcm)
            throws IOException {
        Files.createDirectories(dir);
        var env = BenchEnvironment.describe(threads);
        var sb = new StringBuilder("# Training speed and PCM cost\n\n");
        sb.append("Produced by `").append(command).append("`; medians of ").append(repeats).append(" runs after ")
                .append(WARMUP).append(" warm-up runs. Machine: ").append(env).append("\n\n");
        sb.append("## Training step (forward, backward, SGD update; random input, small ResNet-38, 1 unit per stage)\n\n");
        sb.append("| method | width | crop | batch | median step (ms) | images/s |\n|---|---|---|---|---|---|\n");
        for (StepRow r : steps) {
            sb.append(String.format("| %s | %.3f | %d | %d | %.1f | %.1f |%n", r.method(), r.width(), r.crop(), r.batch(),
                    r.medianMs(), r.imagesPerSecond()));
        }
        sb.append("\n## PCM (SEAM-METHOD §1.4): 21 channels, 192-dim embedding, batch 1\n\n");
        sb.append("Memory is the largest affinity block held at once (P × chunk float32), the term that grows as P².\n\n");
        sb.append("| stride-8 side | P | chunk | median (ms) | affinity block (MiB) |\n|---|---|---|---|---|\n");
        for (PcmRow r : pcm) {
            sb.append(String.format("| %d | %d | %d | %.1f | %.1f |%n", r.side(), r.p(), r.chunk(), r.medianMs(), r.affinityMiB()));
        }
        Files.writeString(dir.resolve("speed.md"), sb.toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("machine", env);
        json.put("repeats", repeats);
        json.put("trainingSteps", steps);
        json.put("pcm", pcm);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("speed.json").toFile(), json);
    }
}
