package ai.seamstream.torch.affinity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.tensor.ClassMaps;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AffinityNet learns from clean labels, and its checkpoint reloads to the same features. */
class AffinityTrainingTest {
    @TempDir
    Path dir;

    /** CRF-output stand-ins from the true mask: background and each present class as 0.9/0.1 maps at both powers. */
    static List<AffinityTraining.Example> examples(int count) {
        var gen = new SyntheticGenerator(SyntheticConfig.defaults().withSize(64, 64).withSeed(5));
        var out = new ArrayList<AffinityTraining.Example>();
        for (int i = 0; i < count; i++) {
            var s = gen.sample(i);
            LabelMask m = s.mask();
            var present = new ArrayList<Integer>();
            for (int k = 0; k < s.labels().length; k++) {
                if (s.labels()[k]) {
                    present.add(k + 1);
                }
            }
            int plane = 64 * 64;
            float[] d = new float[(present.size() + 1) * plane];
            for (int p = 0; p < plane; p++) {
                int label = m.labels()[p] & 0xFF;
                int ch = label == 0 || label == 255 ? 0 : present.indexOf(label) + 1;
                for (int c = 0; c <= present.size(); c++) {
                    d[c * plane + p] = c == ch ? 0.9f : 0.1f;
                }
            }
            var maps = new ClassMaps(present.size() + 1, 64, 64, d);
            out.add(new AffinityTraining.Example(s.id(), s.image(), maps, maps));
        }
        return out;
    }

    /** A run frees what each step makes: the network's managers hold the same arrays after 1 step and after 9 more. */
    @Test
    void trainingLeavesTheNetworksManagerAsItFoundIt() throws Exception {
        var data = examples(4);
        var netConfig = new NetConfig(BackboneConfig.small(0.0625, 1), 9, NetConfig.Method.CAM, NetConfig.BatchNormMode.FROZEN, true, 4096);
        try (NDManager manager = NDManager.newBaseManager();
             var net = new AffinityNetwork(new SeamNetwork(netConfig, manager, 1), AffinityNetwork.Heads.scaled(netConfig.backbone()), 2)) {
            AffinityTraining.train(net, data, new AffinityTraining.Config(1, 2, 64, 0.05, 10, 5e-4, 0.9, 0.3, 0.1, 4, 24, 5, 3, 10),
                    p -> { }); // the gradient buffers exist from here on
            int params = net.params().manager().getManagedArrays().size();
            int all = manager.getManagedArrays().size();
            AffinityTraining.train(net, data, new AffinityTraining.Config(9, 2, 64, 0.05, 10, 5e-4, 0.9, 0.3, 0.1, 4, 24, 5, 3, 10),
                    p -> { });
            assertEquals(params, net.params().manager().getManagedArrays().size(), "parameter manager");
            assertEquals(all, manager.getManagedArrays().size(), "the network's parent manager");
        }
    }

    @Test
    void lossFallsAndTheCheckpointReloadsExactly() throws Exception {
        var data = examples(8);
        var cfg = new AffinityTraining.Config(40, 4, 64, 0.05, 10, 5e-4, 0.9, 0.3, 0.1, 4, 24, 5, 3, 10);
        var netConfig = new NetConfig(BackboneConfig.small(0.0625, 1), 9, NetConfig.Method.CAM, NetConfig.BatchNormMode.FROZEN, true, 4096);
        try (NDManager manager = NDManager.newBaseManager();
             var net = new AffinityNetwork(new SeamNetwork(netConfig, manager, 1), AffinityNetwork.Heads.scaled(netConfig.backbone()), 2)) {
            var history = AffinityTraining.train(net, data, cfg, p -> { });
            assertEquals(4, history.size());
            float first = history.get(0).loss();
            float last = history.get(history.size() - 1).loss();
            assertTrue(last < 0.8 * first, "loss should fall: " + first + " -> " + last);
            // the frozen parts did not move: BatchNorm and the unused fc8
            assertTrue(!net.params().param("fc8.weight").trainable() && !net.params().param("bn7.weight").trainable());

            var source = new CheckpointManifest(CheckpointManifest.FORMAT, "test", List.of("background", "a", "b", "c", "d", "e", "f", "g", "h"),
                    CheckpointManifest.NetworkSpec.of(netConfig), null, null, null, Map.of(), null, null, null, null, null, null);
            AffinityCheckpoint.save(dir, net, new AffinityCheckpoint.Manifest(AffinityCheckpoint.FORMAT, source, net.heads(), 5,
                    Map.of(), "now", null));
            var img = data.get(0).image();
            var before = AffinityTraining.features(net, img);
            try (var loaded = AffinityCheckpoint.load(dir, manager)) {
                var after = AffinityTraining.features(loaded.network(), img);
                assertEquals(before.channels(), after.channels());
                assertArrayEquals(before.data(), after.data());
            }
        }
    }
}
