package ai.seamstream.torch.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.net.NetConfig.BatchNormMode;
import ai.seamstream.torch.net.NetConfig.Method;
import ai.seamstream.torch.net.ParamStore.Group;
import ai.seamstream.torch.net.ParamStore.Kind;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A tiny SEAM network: shapes, parameters, determinism, freezing, BatchNorm modes, dropout and memory. */
class SeamNetworkTest {
    static final ClassVocabulary VOCAB = ClassVocabulary.ofForeground(List.of("cat", "dog", "car"));
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static NetConfig tiny(Method method, BatchNormMode bn, boolean freezeEarly) {
        return NetConfig.of(BackboneConfig.small(1.0 / 16, 1), VOCAB, method, bn, freezeEarly, 16);
    }

    static NDArray image(NDManager m, long seed, int n, int h, int w) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n * 3 * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return m.create(v, new Shape(n, 3, h, w));
    }

    @Test
    void outputSizeIsCeilOfAnEighth() {
        assertEquals(56, SeamNetwork.outputSize(448));
        assertEquals(6, SeamNetwork.outputSize(45));
        assertEquals(5, SeamNetwork.outputSize(37));
        assertEquals(1, SeamNetwork.outputSize(1));
        assertEquals(2, SeamNetwork.outputSize(9));
    }

    @Test
    void aPassMayUseBatchStatisticsWithoutUpdatingTheRunningOnes() {
        try (SeamNetwork net = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.TRAIN, false), manager, 1)) {
            NDArray x = image(manager, 3, 2, 32, 32).add(2f); // mean 2: running means must move towards it
            float[] before = net.params().get("b3.bn_branch2a.running_mean").toFloatArray();
            float[] beforeVar = net.params().get("bn7.running_var").toFloatArray();
            float[] camKeep;
            try (SeamNetwork.Forward f = net.forward(x, true, false)) {
                camKeep = f.camLowRes().toFloatArray();
            }
            assertArrayEquals(before, net.params().get("b3.bn_branch2a.running_mean").toFloatArray());
            assertArrayEquals(beforeVar, net.params().get("bn7.running_var").toFloatArray());
            try (SeamNetwork.Forward f = net.forward(x, true)) {
                assertEquals(camKeep.length, f.camLowRes().toFloatArray().length);
            }
            assertFalse(java.util.Arrays.equals(before, net.params().get("b3.bn_branch2a.running_mean").toFloatArray()),
                    "an ordinary training pass updates the running mean");
        }
    }

    @Test
    void seamForwardShapesAtOddInputSize() {
        try (SeamNetwork net = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.FROZEN, true), manager, 1)) {
            NDArray x = image(manager, 2, 2, 45, 37);
            try (SeamNetwork.Forward f = net.forward(x, false)) {
                assertEquals(new Shape(2, 4, 45, 37), f.cam().getShape());
                assertEquals(new Shape(2, 4, 45, 37), f.camRv().getShape());
                assertEquals(new Shape(2, 4, 6, 5), f.camLowRes().getShape());
                for (float v : f.camRv().toFloatArray()) {
                    assertTrue(Float.isFinite(v));
                }
                // cam is the align_corners up-sampling of the low-resolution scores.
                assertArrayEquals(Resize.bilinear(f.camLowRes(), 45, 37, true).toFloatArray(), f.cam().toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void camMethodHasNoPcmHeadsAndNoRevisedCam() {
        try (SeamNetwork net = new SeamNetwork(tiny(Method.CAM, BatchNormMode.FROZEN, true), manager, 1)) {
            assertFalse(net.params().contains("f8_3.weight"));
            assertFalse(net.params().contains("f9.weight"));
            assertTrue(net.params().contains("fc8.weight"));
            try (SeamNetwork.Forward f = net.forward(image(manager, 2, 1, 32, 32), true)) {
                assertNull(f.camRv());
                assertEquals(new Shape(1, 4, 32, 32), f.cam().getShape());
            }
        }
    }

    @Test
    void tinyNetworkHasReferenceNamesAndScaledShapes() {
        try (SeamNetwork net = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.FROZEN, true), manager, 1)) {
            ParamStore p = net.params();
            assertEquals(new Shape(8, 3, 3, 3), p.get("conv1a.weight").getShape());
            assertEquals(new Shape(8, 8, 3, 3), p.get("b2.conv_branch2a.weight").getShape());
            assertEquals(new Shape(8, 8, 1, 1), p.get("b2.conv_branch1.weight").getShape()); // stride 2
            assertEquals(new Shape(64, 32, 3, 3), p.get("b5.conv_branch2b1.weight").getShape());
            assertEquals(new Shape(32, 64, 1, 1), p.get("b6.conv_branch2a.weight").getShape());
            assertEquals(new Shape(64, 32, 3, 3), p.get("b6.conv_branch2b1.weight").getShape());
            assertEquals(new Shape(256, 128, 1, 1), p.get("b7.conv_branch2b2.weight").getShape());
            assertEquals(new Shape(4, 256, 1, 1), p.get("fc8.weight").getShape());
            assertEquals(new Shape(8, 32, 1, 1), p.get("f8_3.weight").getShape());
            assertEquals(new Shape(8, 64, 1, 1), p.get("f8_4.weight").getShape());
            assertEquals(new Shape(16, 19, 1, 1), p.get("f9.weight").getShape());
            assertFalse(p.contains("b2_1.bn_branch2a.weight"), "one unit per stage");
            assertEquals(Kind.BUFFER, p.param("bn7.running_var").kind());
            assertEquals(Group.HEAD, p.param("f9.weight").group());
            assertEquals(Group.BACKBONE, p.param("b7.conv_branch1.weight").group());
        }
    }

    @Test
    void initialisationFollowsTheSeedAndTheStatedDistributions() {
        try (SeamNetwork a = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.FROZEN, true), manager, 7);
             SeamNetwork b = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.FROZEN, true), manager, 7);
             SeamNetwork c = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.FROZEN, true), manager, 8);
             SeamNetwork cam = new SeamNetwork(tiny(Method.CAM, BatchNormMode.FROZEN, true), manager, 7)) {
            for (ParamStore.Param p : a.params().all()) {
                assertArrayEquals(p.array().toFloatArray(), b.params().get(p.name()).toFloatArray(), p.name());
            }
            assertFalse(java.util.Arrays.equals(a.params().get("b3.conv_branch2a.weight").toFloatArray(),
                    c.params().get("b3.conv_branch2a.weight").toFloatArray()));
            // Streams are per name: the CAM network's backbone equals the SEAM network's.
            assertArrayEquals(a.params().get("b7.conv_branch2b2.weight").toFloatArray(),
                    cam.params().get("b7.conv_branch2b2.weight").toFloatArray());

            // He normal: std √(2/fan_in) for b7.conv_branch2b2 (fan_in 128), many values so the estimate is tight.
            assertStd(a.params().get("b7.conv_branch2b2.weight").toFloatArray(), Math.sqrt(2.0 / 128), 0.03);
            // fc8 xavier uniform gain 1: bound √(6/(256+4)); f9 gain 4: 4·√(6/(19+16)).
            assertUniform(a.params().get("fc8.weight").toFloatArray(), Math.sqrt(6.0 / 260));
            assertUniform(a.params().get("f9.weight").toFloatArray(), 4 * Math.sqrt(6.0 / 35));
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, a.params().get("b2.bn_branch2a.weight").toFloatArray());
            assertArrayEquals(new float[8], a.params().get("b2.bn_branch2a.running_mean").toFloatArray());
        }
    }

    private static void assertStd(float[] v, double std, double relTol) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        assertEquals(std, Math.sqrt(s / v.length), std * relTol);
    }

    private static void assertUniform(float[] v, double bound) {
        double max = 0;
        for (float x : v) {
            assertTrue(Math.abs(x) <= bound + 1e-6, "value " + x + " outside ±" + bound);
            max = Math.max(max, Math.abs(x));
        }
        assertTrue(max > 0.8 * bound, "values should fill the range ±" + bound);
    }

    @Test
    void referenceFreezingOfBatchNormAndEarlyLayers() {
        try (SeamNetwork net = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.FROZEN, true), manager, 1)) {
            ParamStore p = net.params();
            for (ParamStore.Param q : p.all()) {
                boolean early = q.name().startsWith("conv1a.") || q.name().startsWith("b2.") || q.name().startsWith("b2_");
                boolean bn = q.name().contains("bn");
                assertEquals(!early && !bn && q.kind() == Kind.WEIGHT, q.trainable(), q.name());
            }
        }
        try (SeamNetwork net = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.TRAIN, false), manager, 1)) {
            for (ParamStore.Param q : net.params().all()) {
                assertEquals(q.kind() == Kind.WEIGHT, q.trainable(), q.name());
            }
        }
    }

    @Test
    void dropout2dZeroesWholeChannelsAndScalesSurvivors() {
        NDArray x = manager.ones(new Shape(4, 50, 3, 3));
        float[] y = SeamNetwork.dropout2d(x, 0.3, new SplittableRandom(3)).toFloatArray();
        int dropped = 0;
        for (int ch = 0; ch < 200; ch++) {
            float first = y[ch * 9];
            assertTrue(first == 0f || Math.abs(first - 1 / 0.7f) < 1e-6, "value " + first);
            for (int i = 1; i < 9; i++) {
                assertEquals(first, y[ch * 9 + i], "channel " + ch + " is dropped or kept as a whole");
            }
            if (first == 0f) {
                dropped++;
            }
        }
        assertTrue(dropped > 35 && dropped < 85, "about 30% of 200 channels dropped, got " + dropped);
    }

    @Test
    void dropoutActsOnlyWhenTrainingAndIsReproducibleFromTheSeed() {
        NDArray x = image(manager, 3, 1, 32, 32);
        try (SeamNetwork a = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.FROZEN, true), manager, 5);
             SeamNetwork b = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.FROZEN, true), manager, 5)) {
            float[] eval1 = a.forward(x, false).camLowRes().toFloatArray();
            float[] eval2 = a.forward(x, false).camLowRes().toFloatArray();
            assertArrayEquals(eval1, eval2);
            float[] trainA1 = a.forward(x, true).camLowRes().toFloatArray();
            float[] trainA2 = a.forward(x, true).camLowRes().toFloatArray();
            float[] trainB1 = b.forward(x, true).camLowRes().toFloatArray();
            assertFalse(java.util.Arrays.equals(trainA1, eval1), "dropout changes the training output");
            assertFalse(java.util.Arrays.equals(trainA1, trainA2), "each training forward draws new masks");
            assertArrayEquals(trainA1, trainB1, "same seed, same masks");
        }
    }

    @Test
    void trainModeBatchNormUpdatesRunningStatisticsAndFrozenDoesNot() {
        NDArray x = image(manager, 4, 2, 32, 32);
        try (SeamNetwork train = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.TRAIN, true), manager, 1);
             SeamNetwork frozen = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.FROZEN, true), manager, 1)) {
            train.forward(x, false).close();
            assertArrayEquals(new float[16], train.params().get("b3.bn_branch2b1.running_mean").toFloatArray(),
                    "evaluation never updates statistics");
            train.forward(x, true).close();
            frozen.forward(x, true).close();
            float[] mean = train.params().get("b3.bn_branch2b1.running_mean").toFloatArray();
            assertFalse(java.util.Arrays.equals(new float[16], mean), "TRAIN updates running statistics");
            assertArrayEquals(new float[8], train.params().get("b2.bn_branch2b1.running_mean").toFloatArray(),
                    "early units frozen by freezeEarly keep their statistics");
            assertArrayEquals(new float[16], frozen.params().get("b3.bn_branch2b1.running_mean").toFloatArray());
        }
    }

    @Test
    void trainModeRunningStatisticsUsePytorchMomentum() {
        // The first BN sees conv1a's output; with momentum 0.1 the running mean becomes 0.1 · batch mean.
        NDArray x = image(manager, 6, 2, 16, 16);
        try (SeamNetwork net = new SeamNetwork(tiny(Method.CAM, BatchNormMode.TRAIN, false), manager, 1)) {
            NDArray h = ai.djl.nn.convolutional.Conv2d.conv2d(x, net.params().get("conv1a.weight"), null,
                    new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
            float[] batchMean = h.mean(new int[] {0}).mean(new int[] {1}).mean(new int[] {1}).toFloatArray();
            net.forward(x, true).close();
            float[] running = net.params().get("b2.bn_branch2a.running_mean").toFloatArray();
            for (int c = 0; c < batchMean.length; c++) {
                assertEquals(0.1f * batchMean[c], running[c], 1e-5f, "channel " + c);
            }
        }
    }

    @Test
    void forwardLeavesNothingBehindInEitherManager() {
        try (SeamNetwork net = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.TRAIN, false), manager, 1);
             NDManager step = manager.newSubManager()) {
            NDArray x = image(step, 9, 2, 40, 40);
            int params = net.params().manager().getManagedArrays().size();
            int inputs = step.getManagedArrays().size();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                SeamNetwork.Forward f = net.forward(x, true);
                assertEquals(inputs + 3, step.getManagedArrays().size(), "exactly the three outputs are added");
                // The loss, and the ones array DJL's backward creates in the loss's manager, are the test's own.
                try (NDScope lossScope = new NDScope()) {
                    lossScope.suppressNotUsedWarning();
                    gc.backward(f.cam().sum().add(f.camRv().sum()));
                }
                f.close();
            }
            net.zeroGradients();
            net.forward(x, false).close();
            assertEquals(params, net.params().manager().getManagedArrays().size(), "parameter manager unchanged");
            assertEquals(inputs, step.getManagedArrays().size(), "input manager back to its inputs");
        }
    }

    @Test
    void zeroGradientsClearsAccumulatedGradients() {
        try (SeamNetwork net = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.TRAIN, false), manager, 1)) {
            NDArray x = image(manager, 10, 1, 32, 32);
            for (int i = 0; i < 2; i++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(net.forward(x, false).cam().sum());
                }
            }
            NDArray w = net.params().get("fc8.weight");
            assertTrue(w.getGradient().abs().sum().getFloat() > 0f);
            net.zeroGradients();
            for (ParamStore.Param p : net.params().all()) {
                if (p.trainable()) {
                    assertEquals(0f, p.array().getGradient().abs().sum().getFloat(), p.name());
                }
            }
        }
    }

    @Test
    void rejectsBadInput() {
        try (SeamNetwork net = new SeamNetwork(tiny(Method.SEAM, BatchNormMode.FROZEN, true), manager, 1)) {
            assertThrows(IllegalArgumentException.class, () -> net.forward(manager.zeros(new Shape(1, 4, 16, 16)), false));
            assertThrows(IllegalArgumentException.class, () -> net.forward(manager.zeros(new Shape(3, 16, 16)), false));
            assertThrows(IllegalArgumentException.class,
                    () -> net.forward(manager.zeros(new Shape(1, 3, 16, 16), DataType.FLOAT64), false));
        }
    }
}
