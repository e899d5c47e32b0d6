package ai.seamstream.torch.cli;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.augment.AugmentConfig;
import ai.seamstream.core.dataset.VocDataset;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.train.PolySgd;
import ai.seamstream.torch.train.SeamTrainer;
import ai.seamstream.torch.train.TrainingRun;
import ai.seamstream.torch.train.TrainingSet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** {@code seam train}: trains SEAM or the CAM baseline on a VOC-layout data set and writes a checkpoint. */
final class TrainCommand {
    private TrainCommand() {
    }

    static void run(Args a, PrintStream out) throws IOException {
        Path data = a.existingDir("data");
        Path dest = a.path("out");
        String split = a.string("split", "train");
        NetConfig.Method method = NetConfig.Method.valueOf(a.choice("method", "seam", "seam", "cam").toUpperCase());
        String backbone = a.choice("backbone", "small", "small", "full");
        double width = a.real("width", 0.125, 0.01, 1.0);
        int units = a.integer("units", 1, 1, 6);
        Double headWidthArg = a.has("head-width") ? a.real("head-width", 1, 0, 1) : null; // 0: heads follow --width
        // Without pretrained weights a frozen (identity) BN leaves a deep net unnormalised; see NetConfig.BatchNormMode.
        NetConfig.BatchNormMode bn = NetConfig.BatchNormMode.valueOf(a.choice("bn", a.has("init") ? "frozen" : "train",
                "train", "frozen").toUpperCase());
        boolean freezeEarly = a.flag("freeze-early");
        int batch = a.integer("batch", 8, 1, 1024);
        long seed = a.longValue("seed", 1, 0);
        int threads = a.integer("threads", 2, 1, 256);
        Integer cropArg = a.has("crop") ? a.integer("crop", 448, 16, 4096) : null;
        Long steps = a.has("steps") ? a.longValue("steps", 1, 1) : null;
        Integer epochs = a.has("epochs") ? a.integer("epochs", 1, 1, 100000) : null;
        if (steps != null && epochs != null) {
            throw new UsageException("train: give --steps or --epochs, not both");
        }
        double lr = a.real("lr", 0.01, 1e-8, 10);
        double headMult = a.real("head-lr-mult", 10, 0.001, 1000);
        double wd = a.real("weight-decay", 5e-4, 0, 1);
        double momentum = a.real("momentum", 0, 0, 0.999);
        double scale = transformScale(a);
        double[] resize = a.reals("resize", new double[] {1.0, 768.0 / 448.0}, 0.1, 10);
        double hue = a.real("hue", 0.1, 0, 0.5);
        int logEvery = a.integer("log-every", 10, 1, 1_000_000);
        Path init = a.has("init") ? a.existingPath("init") : null;
        a.finish();

        double headWidth = headWidthArg != null ? headWidthArg : defaultHeadWidth(init);
        EngineSetup.configure(threads, seed);
        VocDataset ds = VocDataset.open(data);
        TrainingSet set = TrainingSet.load(ds, split);
        int crop = cropArg != null ? cropArg : defaultCrop(set);
        long totalSteps = steps != null ? steps : (long) Math.ceil((epochs == null ? 8 : epochs) * (double) set.size() / batch);
        // The reference draws the long side from [448, 768] for a 448 crop: keep that ratio for other crops.
        if (resize.length != 2 || resize[0] > resize[1]) {
            throw new UsageException("train: --resize wants two ratios LO,HI of the crop with LO <= HI, e.g. 1,1.714");
        }
        var augment = new AugmentConfig(crop, (int) Math.round(crop * resize[0]), (int) Math.round(crop * resize[1]), true,
                0.3, 0.3, 0.3, hue, Normalization.IMAGENET);
        BackboneConfig bb = backbone.equals("full") ? BackboneConfig.FULL : BackboneConfig.small(width, units);
        var net = new NetConfig(bb, set.classes().size(), method, bn, freezeEarly, 4096, headWidth);
        var trainer = new SeamTrainer.Config(totalSteps, batch, augment,
                new PolySgd.Config(lr, headMult, wd, momentum, 0.9, totalSteps), scale, seed, logEvery);
        try (NDManager manager = NDManager.newBaseManager()) {
            var outcome = TrainingRun.execute(new TrainingRun.Request(net, trainer, init, dest, new double[] {0.5, 1.0, 1.5, 2.0},
                    0.26f), set, manager, () -> false);
            out.println("checkpoint " + outcome.manifest().id() + " -> " + dest);
        }
    }

    /**
     * The PCM heads' width when {@code --head-width} is not given: a SEAM checkpoint to continue from keeps its own
     * (its heads' weights must fit); otherwise 1, the reference's 64/128/192 channels, which the quality bench measured
     * better than heads scaled down with a small backbone (docs/benchmarks/README.md, finding 10).
     */
    static double defaultHeadWidth(Path init) throws IOException {
        return init == null ? 1 : Checkpoint.seamHeadWidth(init).orElse(1);
    }

    /** Crop = the data's longest side rounded up to a multiple of 8, at most the reference's 448. */
    static int defaultCrop(TrainingSet set) {
        int longest = 0;
        for (var e : set.examples()) {
            longest = Math.max(longest, Math.max(e.image().width(), e.image().height()));
        }
        return Math.min(448, (longest + 7) / 8 * 8);
    }

    /** {@code --scale}, s of the transform A: (0, 1) or (1, 2], refused with its reason otherwise. */
    static double transformScale(Args a) {
        double s = a.real("scale", 0.3, 0.05, SeamTrainer.MAX_TRANSFORM_SCALE);
        try {
            SeamTrainer.checkTransformScale(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(a.command() + ": --scale: " + e.getMessage());
        }
        return s;
    }
}
