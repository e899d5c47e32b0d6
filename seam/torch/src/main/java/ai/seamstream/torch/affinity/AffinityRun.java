package ai.seamstream.torch.affinity;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.refine.DenseCrf;
import ai.seamstream.core.tensor.SafeTensors;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.infer.MultiScaleInference;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.net.WeightsIo;
import ai.seamstream.torch.train.TrainingSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;

/** One whole AffinityNet run: CRF labels from a SEAM checkpoint, training from its backbone, the checkpoint written. */
public final class AffinityRun {
    /** What came out: the manifest written, the progress, and the time of each phase. */
    public record Result(AffinityCheckpoint.Manifest manifest, List<AffinityTraining.Progress> history, double labelSeconds,
                         double trainSeconds) {
    }

    private AffinityRun() {
    }

    public static Result execute(Path seamCheckpoint, TrainingSet set, AffinityTraining.Config cfg, double[] scales, Path out,
                                 NDManager manager, Consumer<String> log) throws IOException {
        var source = Checkpoint.readManifest(seamCheckpoint);
        if (!source.classes().equals(set.classes().names())) {
            throw new IllegalArgumentException("the data set's classes " + set.classes().names() + " differ from the checkpoint's "
                    + source.classes());
        }
        long t0 = System.nanoTime();
        List<AffinityTraining.Example> examples;
        try (Checkpoint.Loaded seam = Checkpoint.load(seamCheckpoint, manager)) {
            var options = new MultiScaleInference.Options(scales, true, (float) source.inference().backgroundThreshold(),
                    Normalization.IMAGENET, 0.5, MultiScaleInference.MapSource.AUTO);
            examples = AffinityTraining.labels(new MultiScaleInference(seam.network(), options), set, cfg,
                    DenseCrf.Config.reference(), log);
        }
        double labelSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        var backbone = new SeamNetwork(AffinityCheckpoint.backboneConfig(source), manager, cfg.seed());
        try (var net = new AffinityNetwork(backboneWithWeights(backbone, seamCheckpoint),
                AffinityNetwork.Heads.scaled(source.network().toConfig(source.classes().size()).backbone()), cfg.seed())) {
            var history = AffinityTraining.train(net, examples, cfg, p -> log.accept(String.format(
                    "affinity step %d/%d loss %.4f (bg %.4f fg %.4f neg %.4f) %.1f img/s", p.step(), p.steps(), p.loss(),
                    p.background(), p.foreground(), p.negative(), p.imagesPerSecond())));
            double trainSeconds = (System.nanoTime() - t1) / 1e9;
            var training = new LinkedHashMap<String, Object>();
            training.put("config", cfg);
            training.put("images", set.examples().size());
            training.put("split", set.split());
            training.put("scales", scales);
            training.put("labelSeconds", labelSeconds);
            training.put("trainSeconds", trainSeconds);
            if (!history.isEmpty()) {
                training.put("firstLoss", history.get(0).loss());
                training.put("lastLoss", history.get(history.size() - 1).loss());
            }
            var m = AffinityCheckpoint.save(out, net, new AffinityCheckpoint.Manifest(AffinityCheckpoint.FORMAT, source, net.heads(),
                    cfg.radius(), training, Instant.now().toString(), null));
            return new Result(m, history, labelSeconds, trainSeconds);
        }
    }

    private static SeamNetwork backboneWithWeights(SeamNetwork net, Path checkpoint) throws IOException {
        var m = Checkpoint.readManifest(checkpoint);
        var contents = SafeTensors.read(checkpoint.resolve(m.weightsFile() == null ? Checkpoint.WEIGHTS : m.weightsFile()));
        try {
            WeightsIo.load(net.params(), contents.tensors(), true);
        } catch (IllegalArgumentException e) {
            net.close();
            throw new IOException(checkpoint + ": " + e.getMessage(), e);
        }
        return net;
    }
}
