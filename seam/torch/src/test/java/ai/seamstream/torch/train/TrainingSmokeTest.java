package ai.seamstream.torch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.augment.AugmentConfig;
import ai.seamstream.core.dataset.VocDataset;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticDatasetWriter;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.infer.MultiScaleInference;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.net.WeightsIo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CI-sized SEAM training run: the losses fall, the checkpoint loads back bit for bit, and it makes masks. */
class TrainingSmokeTest {
    @TempDir
    static Path dir;
    static TrainingSet data;
    static VocDataset ds;

    @BeforeAll
    static void data() throws Exception {
        SyntheticConfig cfg = SyntheticConfig.defaults().withSeed(3).withCount(48).withSize(64, 64);
        SyntheticDatasetWriter.write(cfg, dir.resolve("data"), "png", 0.0, false);
        ds = VocDataset.open(dir.resolve("data"));
        data = TrainingSet.load(ds, "train");
    }

    private static TrainingRun.Request request(NetConfig.Method method, long steps, Path out) {
        var augment = new AugmentConfig(64, 64, 96, true, 0.3, 0.3, 0.3, 0.1, Normalization.IMAGENET);
        var net = new NetConfig(BackboneConfig.small(0.0625, 1), data.classes().size(), method, NetConfig.BatchNormMode.TRAIN,
                false, 4096);
        var trainer = new SeamTrainer.Config(steps, 4, augment, new PolySgd.Config(0.01, 10, 5e-4, 0, 0.9, steps), 0.3, 11, 10);
        return new TrainingRun.Request(net, trainer, null, out, new double[] {1.0}, 0.26f);
    }

    @Test
    void seamLossesFallAndTheCheckpointRoundTripsBitExactly() throws Exception {
        Path out = dir.resolve("seam");
        try (NDManager manager = NDManager.newBaseManager()) {
            var outcome = TrainingRun.execute(request(NetConfig.Method.SEAM, 60, out), data, manager, () -> false);
            var r = outcome.result();
            assertEquals(60, r.steps());
            assertEquals(6, r.history().size());
            assertTrue(r.last().total() < r.first().total(), "loss should fall: " + r.first() + " -> " + r.last());
            assertTrue(r.last().cls() < r.first().cls(), "classification loss should fall: " + r.first() + " -> " + r.last());
            var m = outcome.manifest();
            assertEquals(Checkpoint.sha256(out.resolve(Checkpoint.WEIGHTS)), m.weightsSha256());
            assertEquals(data.idsSha256(), m.dataset().idsSha256());
            assertEquals(11, m.training().seed());

            // Saved weights == loaded weights, bit for bit, and both networks give the same revised CAM.
            List<NamedTensor> saved = Checkpoint.load(out, manager).network().params().all().stream()
                    .map(p -> new NamedTensor(p.name(), p.shape().getShape(), p.array().toFloatArray())).toList();
            try (Checkpoint.Loaded a = Checkpoint.load(out, manager); Checkpoint.Loaded b = Checkpoint.load(out, manager)) {
                List<NamedTensor> again = WeightsIo.export(a.network().params());
                assertEquals(saved.size(), again.size());
                for (int i = 0; i < saved.size(); i++) {
                    assertEquals(saved.get(i), again.get(i), saved.get(i).name());
                }
                try (NDManager m2 = manager.newSubManager()) {
                    var x = m2.randomNormal(new Shape(1, 3, 64, 64));
                    assertArrayEquals(a.network().forward(x, false).camRv().toFloatArray(),
                            b.network().forward(x, false).camRv().toFloatArray());
                }
                var inference = new MultiScaleInference(a.network(), MultiScaleInference.Options.reference());
                var ex = data.examples().get(0);
                var res = inference.run(ex.image(), ex.labels());
                assertEquals(ex.image().width(), res.mask().width());
                assertEquals(data.classes().foregroundCount(), res.normalized().channels());
            }
        }
    }

    @Test
    void aCorruptedWeightsFileIsRefusedByItsHash() throws Exception {
        Path out = dir.resolve("cam");
        try (NDManager manager = NDManager.newBaseManager()) {
            TrainingRun.execute(request(NetConfig.Method.CAM, 3, out), data, manager, () -> false);
            byte[] w = Files.readAllBytes(out.resolve(Checkpoint.WEIGHTS));
            w[w.length - 1] ^= 1;
            Files.write(out.resolve(Checkpoint.WEIGHTS), w);
            var e = assertThrows(java.io.IOException.class, () -> Checkpoint.load(out, manager));
            assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        }
    }

    /**
     * A run frees what each step makes: the arrays the network's manager holds afterwards are the ones it held before,
     * however many steps ran (SEAM, weight decay and momentum, so every kind of update array is made).
     */
    @Test
    void aTrainingRunLeavesTheNetworksManagerAsItFoundIt() throws Exception {
        var req = request(NetConfig.Method.SEAM, 8, dir.resolve("unused"));
        var t = req.trainer();
        var cfg = new SeamTrainer.Config(t.steps(), t.batch(), t.augment(), new PolySgd.Config(0.01, 10, 5e-4, 0.9, 0.9, 8),
                t.transformScale(), t.seed(), t.logEvery());
        try (NDManager manager = NDManager.newBaseManager(); SeamNetwork net = new SeamNetwork(req.net(), manager, 1)) {
            SeamTrainer.train(net, data, new SeamTrainer.Config(1, t.batch(), t.augment(), cfg.optimizer(), t.transformScale(),
                    t.seed(), t.logEvery()), p -> { }, () -> false); // the gradient buffers exist from here on
            int params = net.params().manager().getManagedArrays().size();
            int all = manager.getManagedArrays().size();
            var r = SeamTrainer.train(net, data, cfg, p -> { }, () -> false);
            assertEquals(8, r.steps());
            assertEquals(params, net.params().manager().getManagedArrays().size(), "parameter manager");
            assertEquals(all, manager.getManagedArrays().size(), "the network's parent manager");
        }
    }

    @Test
    void trainingStopsWhenCancelled() throws Exception {
        try (NDManager manager = NDManager.newBaseManager(); SeamNetwork net = new SeamNetwork(
                request(NetConfig.Method.CAM, 50, dir.resolve("x")).net(), manager, 1)) {
            var cfg = request(NetConfig.Method.CAM, 50, dir.resolve("x")).trainer();
            int[] polls = {0};
            var r = SeamTrainer.train(net, data, cfg, p -> { }, () -> ++polls[0] >= 4);
            assertEquals(4, r.steps());
        }
    }

    @Test
    void aRunHandsEveryProgressReportToItsListenerAndStopsWhenCancelled() throws Exception {
        Path out = dir.resolve("cancelled");
        var seen = new java.util.ArrayList<SeamTrainer.Progress>();
        int[] polls = {0};
        try (NDManager manager = NDManager.newBaseManager()) {
            var outcome = TrainingRun.execute(request(NetConfig.Method.CAM, 40, out), data, manager, () -> ++polls[0] >= 3,
                    seen::add);
            assertEquals(3, outcome.result().steps());
            assertEquals(outcome.result().history(), seen);
            assertEquals(3, seen.get(seen.size() - 1).step());
            assertEquals(3, outcome.manifest().training().steps());
        }
    }
}
