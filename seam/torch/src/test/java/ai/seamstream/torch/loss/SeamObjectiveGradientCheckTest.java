package ai.seamstream.torch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.seamstream.torch.net.NetConfig.Method;
import ai.seamstream.torch.net.ParamStore;
import ai.seamstream.torch.net.SeamNetwork;
import java.nio.DoubleBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gradients the SEAM objective trains with, checked against central finite differences of the objective's own
 * values: along random directions d in parameter space, the autograd directional derivative {@code g·d} must equal
 * {@code (L(θ+εd) − L(θ−εd))/2ε}.
 *
 * <p>The routing test ({@link SeamObjectiveTest}) shows which parameters a term reaches; this one shows that what
 * reaches them is the derivative of that term. The benchmark's finding that ECR-trained PCM heads lower the mIoU of
 * their own CAM rests on ECR's gradient into f8_3, f8_4 and f9 being right, and libtorch has shipped one wrong CPU
 * backward here already ({@code NarrowConvGradientTest}).
 *
 * <p>The network runs in float64 ({@link ParamStore#convert}). In float32 a finite difference cannot resolve these
 * losses: L1 terms, ReLUs and the per-channel maxima of max-normalisation put a kink every 1e-5 or so of relative
 * weight change along a backbone direction, and a step large enough to rise above float32 rounding averages the
 * slopes of several pieces (measured while writing this test: along one b2–b5 direction, ER's slope is −0.0066 for
 * 1e-5 to the left of θ and −0.026 from 1.5e-6 to the right; autograd gives −0.00655). In float64 a step of 1e-7
 * stays inside one piece.
 *
 * <p>The forwards run in evaluation mode (no dropout, BatchNorm on its running statistics), so L is a deterministic
 * function of θ. L_ECR and L_min are checked along the PCM heads only: their targets and the PCM's input are the
 * detached maps of the backbone and fc8, which a finite difference along a backbone direction would move but the
 * method's gradient (rightly, SEAM-METHOD §2) does not see. L_cls and L_ER have no detached path and are checked along
 * every trainable parameter.
 */
class SeamObjectiveGradientCheckTest {
    /** Step along a direction whose entries are Gaussian times each tensor's RMS: every weight moves by about 1e-7 of its size. */
    private static final double EPS = 1e-7;
    private static final int DIRECTIONS = 3;
    /**
     * Largest relative disagreement allowed. Measured: 1e-10 to 2e-7 (float64 rounding in the difference); a wrong
     * gradient, or a kink inside the step, is off by 1e-2 and more.
     */
    private static final double TOLERANCE = 1e-5;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void ecrGradientIntoThePcmHeadsIsTheDerivativeOfEcr() {
        check("ecr", SeamObjective.Terms::ecr, true);
    }

    @Test
    void minPoolGradientIntoThePcmHeadsIsTheDerivativeOfTheMinPoolLoss() {
        check("minPool", SeamObjective.Terms::minPool, true);
    }

    @Test
    void erGradientIsTheDerivativeOfErAlongEveryTrainableWeight() {
        check("er", SeamObjective.Terms::er, false);
    }

    @Test
    void classificationGradientIsTheDerivativeOfTheClassificationLossAlongEveryTrainableWeight() {
        check("cls", SeamObjective.Terms::cls, false);
    }

    @Test
    void anotherTermsGradientFailsTheComparison() {
        // The comparison's power: the classification loss's gradient does not predict how ER changes.
        try (SeamNetwork net = tinyNet()) {
            NDArray x = images(manager, 7);
            NDArray y = SeamObjectiveTest.labels(manager);
            Map<String, double[]> params = trainable(net, false);
            Map<String, double[]> clsGrad = gradient(net, x, y, SeamObjective.Terms::cls, params.keySet());
            Map<String, double[]> d = direction(params, new SplittableRandom(5));
            double predicted = dot(clsGrad, d);
            double measured = centralDifference(net, x, y, SeamObjective.Terms::er, params, d);
            assertTrue(Math.abs(predicted - measured) > TOLERANCE * Math.max(Math.abs(predicted), Math.abs(measured)),
                    "a gradient of another term must not pass: predicted " + predicted + ", measured " + measured);
        }
    }

    @Test
    void aNetworkTakesImagesOfItsParametersTypeOnly() {
        try (SeamNetwork net = SeamObjectiveTest.tinyNet(manager, Method.SEAM)) {
            assertEquals(DataType.FLOAT32, net.params().dataType());
            NDArray x64 = images(manager, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.forward(x64, false));
            assertTrue(e.getMessage().contains("float32"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> net.params().convert(DataType.INT32));
            net.params().convert(DataType.FLOAT64);
            assertEquals(DataType.FLOAT64, net.params().dataType());
            try (SeamNetwork.Forward f = net.forward(x64, false)) {
                assertEquals(DataType.FLOAT64, f.camRv().getDataType());
            }
            NDArray x32 = x64.toType(DataType.FLOAT32, false);
            assertThrows(IllegalArgumentException.class, () -> net.forward(x32, false));
        }
    }

    /** Compares g·d with the central difference along {@link #DIRECTIONS} random directions. */
    private void check(String name, Function<SeamObjective.Terms, NDArray> term, boolean headsOnly) {
        try (SeamNetwork net = tinyNet()) {
            NDArray x = images(manager, 7);
            NDArray y = SeamObjectiveTest.labels(manager);
            Map<String, double[]> params = trainable(net, headsOnly);
            Map<String, double[]> g = gradient(net, x, y, term, params.keySet());
            assertTrue(dot(g, g) > 0, name + " has a gradient along the checked weights");
            SplittableRandom r = new SplittableRandom(name.hashCode());
            for (int k = 0; k < DIRECTIONS; k++) {
                Map<String, double[]> d = direction(params, r);
                double predicted = dot(g, d);
                double measured = centralDifference(net, x, y, term, params, d);
                assertEquals(predicted, measured, TOLERANCE * Math.abs(predicted) + 1e-9,
                        name + ", direction " + k + ": autograd g·d against the central difference");
            }
        }
    }

    /** {@link SeamObjectiveTest}'s tiny network (width 1/16, every weight trainable), in float64. */
    private SeamNetwork tinyNet() {
        SeamNetwork net = SeamObjectiveTest.tinyNet(manager, Method.SEAM);
        net.params().convert(DataType.FLOAT64);
        return net;
    }

    /** {@link SeamObjectiveTest}'s images in float64. */
    private static NDArray images(NDManager m, long seed) {
        return SeamObjectiveTest.images(m, seed).toType(DataType.FLOAT64, false);
    }

    /** The values of the weights a check moves: the PCM heads, or every trainable tensor. */
    private static Map<String, double[]> trainable(SeamNetwork net, boolean headsOnly) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (ParamStore.Param p : net.params().all()) {
            if (p.trainable() && (!headsOnly || SeamObjectiveTest.PCM_HEADS.contains(p.name()))) {
                out.put(p.name(), values(p.array()));
            }
        }
        return out;
    }

    private static double[] values(NDArray a) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            // toType: DJL reports a weight that no backward has reached with float32 zeros
            return a.toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    /** One term's autograd gradient on the named weights (evaluation-mode forwards). */
    private Map<String, double[]> gradient(SeamNetwork net, NDArray x, NDArray y,
                                           Function<SeamObjective.Terms, NDArray> term, Iterable<String> names) {
        net.zeroGradients();
        try (NDManager step = manager.newSubManager()) {
            NDArray xs = x.duplicate();
            xs.attach(step);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 SeamObjective.Terms t = SeamObjective.seam(net, xs, y, SeamObjective.DEFAULT_SCALE, false)) {
                gc.backward(term.apply(t));
            }
        }
        Map<String, double[]> g = new LinkedHashMap<>();
        for (String name : names) {
            g.put(name, values(net.params().get(name).getGradient()));
        }
        return g;
    }

    /** A Gaussian direction scaled per tensor by the tensor's RMS (so every layer moves by the same relative amount). */
    private static Map<String, double[]> direction(Map<String, double[]> params, SplittableRandom r) {
        Map<String, double[]> d = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : params.entrySet()) {
            double[] v = e.getValue();
            double ss = 0;
            for (double f : v) {
                ss += f * f;
            }
            double rms = Math.max(Math.sqrt(ss / v.length), 1e-3);
            double[] dir = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                dir[i] = r.nextGaussian() * rms;
            }
            d.put(e.getKey(), dir);
        }
        return d;
    }

    /** {@code (L(θ+εd) − L(θ−εd))/2ε}, restoring θ afterwards. */
    private double centralDifference(SeamNetwork net, NDArray x, NDArray y, Function<SeamObjective.Terms, NDArray> term,
                                     Map<String, double[]> params, Map<String, double[]> d) {
        try {
            shift(net, params, d, EPS);
            double plus = value(net, x, y, term);
            shift(net, params, d, -EPS);
            double minus = value(net, x, y, term);
            return (plus - minus) / (2 * EPS);
        } finally {
            shift(net, params, d, 0);
        }
    }

    /** Sets every moved weight to θ + ε·d in place (the gradient attachment stays). */
    private static void shift(SeamNetwork net, Map<String, double[]> params, Map<String, double[]> d, double eps) {
        for (Map.Entry<String, double[]> e : params.entrySet()) {
            double[] v = e.getValue();
            double[] dir = d.get(e.getKey());
            double[] moved = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                moved[i] = v[i] + eps * dir[i];
            }
            net.params().get(e.getKey()).set(DoubleBuffer.wrap(moved));
        }
    }

    private double value(SeamNetwork net, NDArray x, NDArray y, Function<SeamObjective.Terms, NDArray> term) {
        try (NDManager step = manager.newSubManager()) {
            NDArray xs = x.duplicate();
            xs.attach(step);
            try (SeamObjective.Terms t = SeamObjective.seam(net, xs, y, SeamObjective.DEFAULT_SCALE, false)) {
                return term.apply(t).getDouble();
            }
        }
    }

    private static double dot(Map<String, double[]> a, Map<String, double[]> b) {
        double s = 0;
        for (Map.Entry<String, double[]> e : a.entrySet()) {
            double[] u = e.getValue();
            double[] v = b.get(e.getKey());
            for (int i = 0; i < u.length; i++) {
                s += u[i] * v[i];
            }
        }
        return s;
    }
}
