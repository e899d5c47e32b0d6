package ai.seamstream.torch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.NetConfig.BatchNormMode;
import ai.seamstream.torch.net.NetConfig.Method;
import ai.seamstream.torch.net.ParamStore;
import ai.seamstream.torch.net.SeamNetwork;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SEAM objective on a tiny network: gradient routing (SEAM-METHOD §2), finiteness, composition and memory. */
class SeamObjectiveTest {
    static final ClassVocabulary VOCAB = ClassVocabulary.ofForeground(List.of("cat", "dog", "car"));
    static final List<String> PCM_HEADS = List.of("f8_3.weight", "f8_4.weight", "f9.weight");
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Width 1/16, one unit per stage, every weight trainable (BatchNorm TRAIN, nothing frozen early). */
    private SeamNetwork tinyNet(Method method) {
        return tinyNet(manager, method);
    }

    static SeamNetwork tinyNet(NDManager m, Method method) {
        NetConfig cfg = NetConfig.of(BackboneConfig.small(1.0 / 16, 1), VOCAB, method, BatchNormMode.TRAIN, false, 16);
        return new SeamNetwork(cfg, m, 3);
    }

    /** Two 48×48 images of standard normal values, float32. */
    static NDArray images(NDManager m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[2 * 3 * 48 * 48];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return m.create(v, new Shape(2, 3, 48, 48));
    }

    /** ỹ for {@link #images}: background, cat and car; background and cat. */
    static NDArray labels(NDManager m) {
        return m.create(new float[] {1, 1, 0, 1, 1, 0, 1, 0}, new Shape(2, 4));
    }

    /** The gradient of one parameter as Java floats, without leaving wrapper arrays in the parameter manager. */
    private static float[] grad(SeamNetwork net, String name) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return net.params().get(name).getGradient().toFloatArray();
        }
    }

    private static double absSum(float[] g) {
        double s = 0;
        for (float v : g) {
            assertTrue(Float.isFinite(v), "gradients are finite");
            s += Math.abs(v);
        }
        return s;
    }

    /** Backpropagates one term of a fresh objective evaluation, after zeroing all gradients. */
    private void backwardOf(SeamNetwork net, NDArray x, NDArray y, Function<SeamObjective.Terms, NDArray> term) {
        net.zeroGradients();
        try (NDManager step = manager.newSubManager()) {
            NDArray xs = step.create(x.toFloatArray(), x.getShape());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 SeamObjective.Terms t = SeamObjective.seam(net, xs, y, SeamObjective.DEFAULT_SCALE, true)) {
                gc.backward(term.apply(t));
            }
        }
    }

    @Test
    void gradientRoutingFollowsTheMethod() {
        try (SeamNetwork net = tinyNet(Method.SEAM)) {
            NDArray x = images(manager, 1);
            NDArray y = labels(manager);
            List<ParamStore.Param> backbone = net.params().all().stream()
                    .filter(p -> p.trainable() && p.group() == ParamStore.Group.BACKBONE).toList();
            assertTrue(backbone.size() > 40, "every backbone weight is trainable in this configuration");

            for (String term : List.of("ecr", "minPool")) {
                backwardOf(net, x, y, term.equals("ecr") ? SeamObjective.Terms::ecr : SeamObjective.Terms::minPool);
                for (ParamStore.Param p : backbone) {
                    assertEquals(0.0, absSum(grad(net, p.name())), 0.0, term + " must not reach " + p.name());
                }
                assertEquals(0.0, absSum(grad(net, "fc8.weight")), 0.0, term + " must not reach fc8");
            }
            // ECR trains the PCM heads.
            backwardOf(net, x, y, SeamObjective.Terms::ecr);
            for (String head : PCM_HEADS) {
                assertTrue(absSum(grad(net, head)) > 0, "L_ECR reaches " + head);
            }

            for (String term : List.of("cls", "er")) {
                backwardOf(net, x, y, term.equals("cls") ? SeamObjective.Terms::cls : SeamObjective.Terms::er);
                for (String head : PCM_HEADS) {
                    assertEquals(0.0, absSum(grad(net, head)), 0.0, term + " must not reach " + head);
                }
                for (ParamStore.Param p : backbone) {
                    assertTrue(absSum(grad(net, p.name())) > 0, term + " reaches " + p.name());
                }
                assertTrue(absSum(grad(net, "fc8.weight")) > 0, term + " reaches fc8");
            }

            backwardOf(net, x, y, SeamObjective.Terms::total);
            float[] fc8 = grad(net, "fc8.weight");
            int perRow = fc8.length / VOCAB.size();
            assertEquals(0.0, absSum(Arrays.copyOfRange(fc8, 0, perRow)), 0.0, "fc8's background row gets no gradient");
            for (int k = 1; k < VOCAB.size(); k++) {
                assertTrue(absSum(Arrays.copyOfRange(fc8, k * perRow, (k + 1) * perRow)) > 0, "fc8 row " + k);
            }
        }
    }

    @Test
    void seamTermsAreFiniteAndComposeTheTotal() {
        try (SeamNetwork net = tinyNet(Method.SEAM)) {
            NDArray x = images(manager, 2);
            try (SeamObjective.Terms t = SeamObjective.seam(net, x, labels(manager), 0.3, true)) {
                float cls = t.cls().getFloat(), min = t.minPool().getFloat(), er = t.er().getFloat();
                float ecr = t.ecr().getFloat(), total = t.total().getFloat();
                for (float v : new float[] {cls, min, er, ecr, total}) {
                    assertTrue(Float.isFinite(v) && v >= 0f, "term " + v);
                }
                assertTrue(cls > 0f && ecr > 0f);
                assertEquals(cls + min + er + ecr, total, 1e-5f);
                assertEquals(new Shape(), t.total().getShape());
            }
        }
    }

    @Test
    void lossWeightsScaleTheirTermsInTheTotalOnly() {
        try (SeamNetwork net = tinyNet(Method.SEAM)) {
            NDArray x = images(manager, 2);
            var w = new SeamObjective.Weights(0.5, 0, 2);
            try (SeamObjective.Terms ref = SeamObjective.seam(net, x, labels(manager), 0.3, false);
                 SeamObjective.Terms t = SeamObjective.seam(net, x, labels(manager), 0.3, false, w)) {
                // The reported terms are unweighted and equal to the reference's; only the total changes.
                assertEquals(ref.er().getFloat(), t.er().getFloat(), 1e-6f);
                assertEquals(ref.ecr().getFloat(), t.ecr().getFloat(), 1e-6f);
                assertTrue(t.er().getFloat() > 0f);
                assertEquals(t.cls().getFloat() + 0.5f * t.minPool().getFloat() + 2f * t.ecr().getFloat(), t.total().getFloat(), 1e-5f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new SeamObjective.Weights(1, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SeamObjective.Weights(1, 1, Double.NaN));
    }

    @Test
    void theOhemRatioChangesTheEcrTermOnly() {
        assertEquals(SeamLosses.OHEM_RATIO, SeamObjective.Weights.REFERENCE.ohemRatio());
        try (SeamNetwork net = tinyNet(Method.SEAM)) {
            NDArray x = images(manager, 2);
            try (SeamObjective.Terms ref = SeamObjective.seam(net, x, labels(manager), 0.3, false);
                 SeamObjective.Terms all = SeamObjective.seam(net, x, labels(manager), 0.3, false,
                         new SeamObjective.Weights(1, 1, 1, 1.0))) {
                assertEquals(ref.cls().getFloat(), all.cls().getFloat(), 1e-6f);
                assertEquals(ref.minPool().getFloat(), all.minPool().getFloat(), 1e-6f);
                assertEquals(ref.er().getFloat(), all.er().getFloat(), 1e-6f);
                // the mean of every entry is below the mean of the largest fifth, unless all errors are equal
                assertTrue(all.ecr().getFloat() < ref.ecr().getFloat(), all.ecr().getFloat() + " vs " + ref.ecr().getFloat());
                assertTrue(all.ecr().getFloat() > 0f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new SeamObjective.Weights(1, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SeamObjective.Weights(1, 1, 1, 1.5));
    }

    @Test
    void evaluationModeTermsMatchNaiveRecomputationFromTheForwards() {
        // Without dropout both forwards are deterministic, so L_cls and L_min can be recomputed by plain loops.
        // The reference's down-scale (48 px -> 14) and an up-scale (48 -> 72), whose second branch is the finer one.
        try (SeamNetwork net = tinyNet(Method.SEAM)) {
            NDArray x = images(manager, 3);
            float[] y = {1, 1, 0, 1, 1, 0, 1, 0};
            int c = VOCAB.size();
            double[][] scaleAndSide = {{0.3, 14}, {1.5, 72}};
            for (double[] ss : scaleAndSide) {
                SeamObjective.Terms t = SeamObjective.seam(net, x, manager.create(y, new Shape(2, c)), ss[0], false);
                NDArray x2 = ai.seamstream.torch.net.Resize.bilinear(x, (int) ss[1], (int) ss[1], true);
                SeamNetwork.Forward f1 = net.forward(x, false);
                SeamNetwork.Forward f2 = net.forward(x2, false);
                double cls = (naiveCls(f1.cam(), y, c) + naiveCls(f2.cam(), y, c)) / 2;
                double min = (naiveMin(f1.camRv(), y, c) + naiveMin(f2.camRv(), y, c)) / 2;
                assertEquals(cls, t.cls().getFloat(), 1e-5, "scale " + ss[0]);
                assertEquals(min, t.minPool().getFloat(), 1e-5, "scale " + ss[0]);
                assertTrue(Float.isFinite(t.er().getFloat()) && Float.isFinite(t.ecr().getFloat()), "scale " + ss[0]);
            }
        }
    }

    @Test
    void denseTargetsAddAWeightedCrossEntropyOnTheBinRowsAndLeaveThemOutOfTheClassification() {
        var vocab = ClassVocabulary.ofForeground(List.of("cat", "dog", "car", "bin-a", "bin-b"));
        NetConfig cfg = NetConfig.of(BackboneConfig.small(1.0 / 16, 1), vocab, Method.CAM, BatchNormMode.TRAIN, false, 16);
        try (SeamNetwork net = new SeamNetwork(cfg, manager, 3)) {
            NDArray x = images(manager, 4);
            float[] y = {1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1}; // the bin columns' labels must play no part
            int g = 6; // 48/8
            int[] target = new int[2 * g * g];
            float[] oneHot = new float[2 * 2 * g * g];
            SplittableRandom r = new SplittableRandom(9);
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < g * g; i++) {
                    int t = r.nextInt(3) - 1; // -1: no target
                    target[b * g * g + i] = t;
                    if (t >= 0) {
                        oneHot[(b * 2 + t) * g * g + i] = 1;
                    }
                }
            }
            NDArray hot = manager.create(oneHot, new Shape(2, 2, g, g));
            try (SeamObjective.Terms t = SeamObjective.camWithDenseTargets(net, x, manager.create(y, new Shape(2, 6)), 3, hot,
                    0.5, false); SeamNetwork.Forward f = net.forward(x, false)) {
                float[] y4 = {1, 1, 0, 1, 1, 0, 1, 0};
                double cls = naiveCls(f.cam().get(new NDIndex(":, 0:4, :, :")), y4, 4);
                float[] low = f.camLowRes().toFloatArray(); // 2×6×g×g
                double ce = 0;
                int cells = 0;
                for (int b = 0; b < 2; b++) {
                    for (int i = 0; i < g * g; i++) {
                        int k = target[b * g * g + i];
                        if (k < 0) {
                            continue;
                        }
                        double z0 = low[(b * 6 + 4) * g * g + i];
                        double z1 = low[(b * 6 + 5) * g * g + i];
                        double zk = k == 0 ? z0 : z1;
                        ce += Math.log(Math.exp(z0) + Math.exp(z1)) - zk;
                        cells++;
                    }
                }
                ce /= cells;
                assertEquals(cls, t.cls().getFloat(), 1e-5);
                assertEquals(cls + 0.5 * ce, t.total().getFloat(), 1e-5);
                assertEquals(ce, t.dense().getFloat(), 1e-5, "the unweighted dense term is reported");
                assertEquals(0f, t.ecr().getFloat(), 0f);
            }
            // fc8 rows must be 1 + classes + bins
            assertThrows(IllegalArgumentException.class, () -> SeamObjective.camWithDenseTargets(net, x,
                    manager.create(y, new Shape(2, 6)), 2, hot, 1, false));
        }
    }

    private static double naiveCls(NDArray cam, float[] y, int c) {
        Shape s = cam.getShape();
        int n = (int) s.get(0), plane = (int) (s.get(2) * s.get(3));
        float[] v = cam.toFloatArray();
        double loss = 0;
        for (int b = 0; b < n; b++) {
            double row = 0;
            for (int k = 1; k < c; k++) {
                double mean = 0;
                for (int i = 0; i < plane; i++) {
                    mean += v[(b * c + k) * plane + i];
                }
                mean /= plane;
                double yk = y[b * c + k];
                row += yk * -Math.log1p(Math.exp(-mean)) + (1 - yk) * -Math.log1p(Math.exp(mean));
            }
            loss += -row / (c - 1);
        }
        return loss / n;
    }

    private static double naiveMin(NDArray rv, float[] y, int c) {
        Shape s = rv.getShape();
        int n = (int) s.get(0), plane = (int) (s.get(2) * s.get(3));
        int k = plane / 4;
        float[] v = rv.toFloatArray();
        double sum = 0;
        for (int b = 0; b < n; b++) {
            float[] m = new float[plane];
            for (int i = 0; i < plane; i++) {
                float best = -Float.MAX_VALUE;
                for (int ch = 1; ch < c; ch++) {
                    best = Math.max(best, v[(b * c + ch) * plane + i] * y[b * c + ch]);
                }
                m[i] = best;
            }
            Arrays.sort(m);
            for (int i = 0; i < k; i++) {
                sum += Math.max(0f, m[i]);
            }
        }
        return sum / ((double) k * n);
    }

    @Test
    void camBaselineIsClassificationOnlyAndNeverTouchesPcmHeads() {
        try (SeamNetwork net = tinyNet(Method.CAM)) {
            NDArray x = images(manager, 4);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 SeamObjective.Terms t = SeamObjective.cam(net, x, labels(manager), true)) {
                assertEquals(0f, t.minPool().getFloat());
                assertEquals(0f, t.er().getFloat());
                assertEquals(0f, t.ecr().getFloat());
                assertEquals(0f, t.dense().getFloat());
                assertEquals(t.cls().getFloat(), t.total().getFloat());
                assertTrue(t.cls().getFloat() > 0f);
                gc.backward(t.total());
            }
            assertTrue(absSum(grad(net, "b3.conv_branch2a.weight")) > 0);
            float[] fc8 = grad(net, "fc8.weight");
            assertEquals(0.0, absSum(Arrays.copyOfRange(fc8, 0, fc8.length / VOCAB.size())), 0.0);
        }
    }

    @Test
    void invalidUseIsRejectedWithAReason() {
        try (SeamNetwork cam = tinyNet(Method.CAM); SeamNetwork seam = tinyNet(Method.SEAM)) {
            NDArray x = images(manager, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SeamObjective.seam(cam, x, labels(manager), 0.3, true));
            assertTrue(e.getMessage().contains("SEAM network"));
            assertThrows(IllegalArgumentException.class, () -> SeamObjective.seam(seam, x,
                    manager.create(new float[] {0, 1, 0, 1, 1, 0, 1, 0}, new Shape(2, 4)), 0.3, true));
            assertThrows(IllegalArgumentException.class, () -> SeamObjective.seam(seam, x,
                    manager.ones(new Shape(2, 3)), 0.3, true));
            assertThrows(IllegalArgumentException.class, () -> SeamObjective.seam(seam, x, labels(manager), 0.01, true));
        }
    }

    @Test
    void trainingStepsLeaveNoArraysBehind() {
        try (SeamNetwork net = tinyNet(Method.SEAM)) {
            NDArray x = images(manager, 6);
            NDArray y = labels(manager);
            int params = net.params().manager().getManagedArrays().size();
            int inputs = manager.getManagedArrays().size();
            long[] nanos = new long[5];
            for (int i = 0; i < nanos.length; i++) {
                long t0 = System.nanoTime();
                net.zeroGradients();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                     SeamObjective.Terms t = SeamObjective.seam(net, x, y, 0.3, true);
                     NDScope backwardScope = new NDScope()) {
                    backwardScope.suppressNotUsedWarning(); // frees the ones array DJL's backward creates
                    gc.backward(t.total());
                }
                nanos[i] = System.nanoTime() - t0;
            }
            Arrays.sort(nanos);
            System.out.printf("tiny SEAM training step (2×3×48×48, width 1/16, objective + backward): median %.1f ms%n",
                    nanos[nanos.length / 2] / 1e6);
            assertEquals(params, net.params().manager().getManagedArrays().size());
            assertEquals(inputs, manager.getManagedArrays().size());
        }
    }

    @Test
    void gradientsSurviveGarbageCollectionBetweenForwardAndBackward() {
        // Constants wrapped around Java buffers and closed before backward would be read after the GC frees them;
        // two identical networks must get identical gradients whether or not memory is recycled in between.
        try (SeamNetwork quiet = tinyNet(Method.SEAM); SeamNetwork stressed = tinyNet(Method.SEAM)) {
            NDArray x = images(manager, 7);
            NDArray y = labels(manager);
            for (SeamNetwork net : List.of(quiet, stressed)) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                     SeamObjective.Terms t = SeamObjective.seam(net, x, y, 0.3, true);
                     NDScope backwardScope = new NDScope()) {
                    backwardScope.suppressNotUsedWarning();
                    if (net == stressed) {
                        recycleNativeMemory();
                    }
                    gc.backward(t.total());
                }
            }
            for (ParamStore.Param p : quiet.params().all()) {
                if (p.trainable()) {
                    float[] a = grad(quiet, p.name());
                    float[] b = grad(stressed, p.name());
                    for (int i = 0; i < a.length; i++) {
                        assertEquals(a[i], b[i], 0f, p.name() + "[" + i + "]");
                    }
                }
            }
        }
    }

    /** Collects garbage, then fills freshly allocated direct memory of many sizes with NaN. */
    private static void recycleNativeMemory() {
        List<java.nio.ByteBuffer> junk = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int size = 4; size <= 1 << 20; size *= 2) {
                for (int j = 0; j < 8; j++) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(size).order(java.nio.ByteOrder.nativeOrder());
                    for (int k = 0; k + 4 <= size; k += 4) {
                        b.putFloat(k, Float.NaN);
                    }
                    junk.add(b);
                }
            }
        }
        assertTrue(junk.size() > 0);
    }
}
