package ai.seamstream.torch.cli;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.dataset.VocDataset;
import ai.seamstream.torch.affinity.AffinityRun;
import ai.seamstream.torch.affinity.AffinityTraining;
import ai.seamstream.torch.train.TrainingSet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code seam train-affinity}: AffinityNet for the random walk (SEAM-METHOD §5) from a SEAM (or CAM) checkpoint and
 * the tagged training images; writes an affinity checkpoint that {@code seam infer --refine rw --affinity DIR} uses.
 */
final class TrainAffinityCommand {
    private TrainAffinityCommand() {
    }

    static void run(Args a, PrintStream out) throws IOException {
        Path ckpt = a.existingDir("checkpoint");
        Path data = a.existingDir("data");
        Path dest = a.path("out");
        String split = a.string("split", "train");
        long steps = a.longValue("steps", 300, 1);
        int batch = a.integer("batch", 8, 1, 1024);
        Integer cropArg = a.has("crop") ? a.integer("crop", 448, 8, 4096) : null;
        double lr = a.real("lr", 0.01, 1e-8, 10);
        double headMult = a.real("head-lr-mult", 10, 0.001, 1000);
        double wd = a.real("weight-decay", 5e-4, 0, 1);
        double momentum = a.real("momentum", 0, 0, 0.999);
        double low = a.real("low-alpha", 4, 0, 1000);
        double high = a.real("high-alpha", 24, 0, 1000);
        int radius = a.integer("radius", 5, 1, 64);
        double hue = a.real("hue", 0.1, 0, 0.5);
        double[] scales = a.reals("scales", new double[] {0.5, 1.0, 1.5, 2.0}, 0.05, 8);
        long seed = a.longValue("seed", 1, 0);
        int threads = a.integer("threads", 2, 1, 256);
        int logEvery = a.integer("log-every", 10, 1, 1_000_000);
        a.finish();
        if (!(high > low)) {
            throw new UsageException("train-affinity: --high-alpha (" + high + ") must exceed --low-alpha (" + low + ")");
        }
        if (cropArg != null && cropArg % 8 != 0) {
            throw new UsageException("train-affinity: --crop must be a multiple of 8, got " + cropArg);
        }

        EngineSetup.configure(threads, seed);
        TrainingSet set = TrainingSet.load(VocDataset.open(data), split);
        int crop = cropArg != null ? cropArg : TrainCommand.defaultCrop(set);
        var cfg = new AffinityTraining.Config(steps, batch, crop, lr, headMult, wd, momentum, 0.3, hue, low, high, radius, seed, logEvery);
        try (NDManager manager = NDManager.newBaseManager()) {
            var r = AffinityRun.execute(ckpt, set, cfg, scales, dest, manager, System.err::println);
            out.printf("affinity network (labels %.0f s, training %.0f s) -> %s%n", r.labelSeconds(), r.trainSeconds(), dest);
        }
    }
}
