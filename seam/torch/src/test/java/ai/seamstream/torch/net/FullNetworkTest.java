package ai.seamstream.torch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.schemas.ClassVocabulary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The full-size ResNet-38 SEAM network against the reference state dict's names and shapes, and one forward. */
class FullNetworkTest {

    /** The reference resnet38d + resnet38_SEAM state dict (without BatchNorm's num_batches_tracked), written out. */
    private static Map<String, Shape> referenceTable(int classes) {
        Map<String, Shape> t = new LinkedHashMap<>();
        t.put("conv1a.weight", new Shape(64, 3, 3, 3));
        Object[][] basic = {
            // name, in, mid, out, stride
            {"b2", 64, 128, 128, 2}, {"b2_1", 128, 128, 128, 1}, {"b2_2", 128, 128, 128, 1},
            {"b3", 128, 256, 256, 2}, {"b3_1", 256, 256, 256, 1}, {"b3_2", 256, 256, 256, 1},
            {"b4", 256, 512, 512, 2}, {"b4_1", 512, 512, 512, 1}, {"b4_2", 512, 512, 512, 1},
            {"b4_3", 512, 512, 512, 1}, {"b4_4", 512, 512, 512, 1}, {"b4_5", 512, 512, 512, 1},
            {"b5", 512, 512, 1024, 1}, {"b5_1", 1024, 512, 1024, 1}, {"b5_2", 1024, 512, 1024, 1},
        };
        for (Object[] u : basic) {
            String n = (String) u[0];
            int in = (Integer) u[1], mid = (Integer) u[2], out = (Integer) u[3], stride = (Integer) u[4];
            bn(t, n + ".bn_branch2a", in);
            t.put(n + ".conv_branch2a.weight", new Shape(mid, in, 3, 3));
            bn(t, n + ".bn_branch2b1", mid);
            t.put(n + ".conv_branch2b1.weight", new Shape(out, mid, 3, 3));
            if (in != out || stride != 1) {
                t.put(n + ".conv_branch1.weight", new Shape(out, in, 1, 1));
            }
        }
        for (Object[] u : new Object[][] {{"b6", 1024, 2048}, {"b7", 2048, 4096}}) {
            String n = (String) u[0];
            int in = (Integer) u[1], out = (Integer) u[2];
            bn(t, n + ".bn_branch2a", in);
            t.put(n + ".conv_branch2a.weight", new Shape(out / 4, in, 1, 1));
            bn(t, n + ".bn_branch2b1", out / 4);
            t.put(n + ".conv_branch2b1.weight", new Shape(out / 2, out / 4, 3, 3));
            bn(t, n + ".bn_branch2b2", out / 2);
            t.put(n + ".conv_branch2b2.weight", new Shape(out, out / 2, 1, 1));
            t.put(n + ".conv_branch1.weight", new Shape(out, in, 1, 1));
        }
        bn(t, "bn7", 4096);
        t.put("fc8.weight", new Shape(classes, 4096, 1, 1));
        t.put("f8_3.weight", new Shape(64, 512, 1, 1));
        t.put("f8_4.weight", new Shape(128, 1024, 1, 1));
        t.put("f9.weight", new Shape(192, 195, 1, 1));
        return t;
    }

    private static void bn(Map<String, Shape> t, String prefix, int c) {
        for (String s : new String[] {"weight", "bias", "running_mean", "running_var"}) {
            t.put(prefix + "." + s, new Shape(c));
        }
    }

    @Test
    void fullSizeNetworkMatchesReferenceTableAndRunsAt448() {
        ClassVocabulary vocab = ClassVocabulary.VOC2012;
        try (NDManager manager = NDManager.newBaseManager();
             SeamNetwork net = new SeamNetwork(NetConfig.reference(vocab), manager, 42)) {
            Map<String, Shape> want = referenceTable(vocab.size());
            List<String> listing = new ArrayList<>();
            Map<String, Shape> got = new LinkedHashMap<>();
            for (ParamStore.Param p : net.params().all()) {
                got.put(p.name(), p.shape());
                listing.add(p.name() + " " + p.shape());
            }
            System.out.println("ResNet-38 SEAM parameters (" + got.size() + " tensors):\n" + String.join("\n", listing));
            assertEquals(new ArrayList<>(want.keySet()), new ArrayList<>(got.keySet()), "names in state-dict order");
            assertEquals(want, got);
            // The brief's spot checks, restated.
            assertEquals(new Shape(128, 64, 3, 3), got.get("b2.conv_branch2a.weight"));
            assertEquals(new Shape(512, 512, 3, 3), got.get("b5.conv_branch2a.weight"));
            assertEquals(new Shape(1024, 512, 3, 3), got.get("b5.conv_branch2b1.weight"));
            assertEquals(new Shape(512, 1024, 1, 1), got.get("b6.conv_branch2a.weight"));
            assertEquals(new Shape(1024, 512, 3, 3), got.get("b6.conv_branch2b1.weight"));
            assertEquals(new Shape(2048, 1024, 1, 1), got.get("b6.conv_branch2b2.weight"));
            assertEquals(new Shape(4096, 2048, 1, 1), got.get("b7.conv_branch2b2.weight"));
            assertEquals(new Shape(21, 4096, 1, 1), got.get("fc8.weight"));

            long weights = net.params().weightCount();
            long wantWeights = want.entrySet().stream().filter(e -> !e.getKey().contains("running_"))
                    .mapToLong(e -> e.getValue().size()).sum();
            assertEquals(wantWeights, weights);
            assertTrue(weights > 104_000_000L && weights < 106_000_000L, "about 105 M weights, got " + weights);

            NDArray x = SeamNetworkTest.image(manager, 1, 1, 448, 448);
            long t0 = System.nanoTime();
            try (SeamNetwork.Forward f = net.forward(x, false)) {
                System.out.printf("full ResNet-38 SEAM eval forward 1×3×448×448: %.1f s%n", (System.nanoTime() - t0) / 1e9);
                assertEquals(new Shape(1, 21, 448, 448), f.cam().getShape());
                assertEquals(new Shape(1, 21, 448, 448), f.camRv().getShape());
                assertEquals(new Shape(1, 21, 56, 56), f.camLowRes().getShape());
                for (float v : f.camRv().toFloatArray()) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }
}
