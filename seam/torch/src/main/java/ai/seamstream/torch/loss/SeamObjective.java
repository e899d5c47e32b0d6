package ai.seamstream.torch.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.torch.net.NetConfig.Method;
import ai.seamstream.torch.net.OwnedArrays;
import ai.seamstream.torch.net.Resize;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.net.TensorScope;

/**
 * The training objectives of SEAM-METHOD §2: the siamese SEAM objective and the paper's CAM baseline, each one
 * call that runs the network and returns the loss terms.
 *
 * <p>The images must stay open until {@code backward} has run (the first convolution's weight gradient reads them);
 * every intermediate is freed on return and only the terms remain, in the images' manager.
 */
public final class SeamObjective {
    /** The reference's transformation A: a bilinear (align_corners) resize by 0.3. */
    public static final double DEFAULT_SCALE = 0.3;

    private SeamObjective() {
    }

    /**
     * The loss terms of one step, all scalars in the input's manager; closing frees them.
     *
     * @param total   the value to differentiate: {@code cls + minPool + er + ecr}
     * @param cls     {@code (L_cls1 + L_cls2)/2} (for the CAM baseline: L_cls of its single branch)
     * @param minPool {@code (L_min1 + L_min2)/2}
     * @param er      {@code L_ER}
     * @param ecr     {@code L_ECR1 + L_ECR2}
     * @param dense   the unweighted dense cross-entropy of {@link #camWithDenseTargets} (the benchmark's stand-in
     *                pre-training); zero for SEAM and the CAM baseline
     */
    public record Terms(NDArray total, NDArray cls, NDArray minPool, NDArray er, NDArray ecr, NDArray dense)
            implements AutoCloseable {
        @Override
        public void close() {
            total.close();
            cls.close();
            minPool.close();
            er.close();
            ecr.close();
            dense.close();
        }
    }

    /**
     * The SEAM objective exactly as the reference train_SEAM.py computes it (SEAM-METHOD §2): {@code I2 = A(I1)} with
     * A a bilinear align_corners resize to {@code floor(H·s)×floor(W·s)}, both branches forwarded (independent
     * dropout), {@code Ĉ1 = A(maxnorm(cam1))⊙ỹ}, {@code R̂1 = A(maxnorm(rv1))⊙ỹ}, {@code Ĉ2 = maxnorm(cam2)⊙ỹ},
     * {@code R̂2 = maxnorm(rv2)⊙ỹ}; L_cls on GAP of each input-size cam's foreground; L_min on the raw rv;
     * L_ER on the foreground before channel 0 becomes {@code 1 − max fg}; L_ECR against max_onehot of the other
     * branch's detached map; {@code total = (cls1+cls2)/2 + (min1+min2)/2 + ER + ECR}.
     *
     * @param net           a {@link Method#SEAM} network
     * @param x             N×3×H×W normalised images (I1)
     * @param labelsWithBg  N×(C+1) image labels ỹ: column 0 (background) is 1, the rest 0 or 1
     * @param scale         the resize factor s of A (reference 0.3)
     * @param training      whether dropout (and batch-statistics BatchNorm, if configured) is active
     * @throws IllegalArgumentException if the network is not SEAM, or shapes or labels are invalid
     */
    public static Terms seam(SeamNetwork net, NDArray x, NDArray labelsWithBg, double scale, boolean training) {
        return seam(net, x, labelsWithBg, scale, training, Weights.REFERENCE);
    }

    /**
     * Weights of the SEAM terms in the total, for ablations (the paper's Table 1), and the share of ECR's error map
     * that its online hard example mining keeps. The reference is all 1 and {@link SeamLosses#OHEM_RATIO} (0.2 of
     * {@code (C+1)·h·w} entries, SEAM-METHOD §2). The classification term always has weight 1. A weight of 0 removes
     * the term's gradient; its value is still computed and reported.
     *
     * <p>The reference script hard-codes VOC's 21 channels in k ({@code int(21·h·w·0.2)}): on VOC, with one or two
     * classes per image, that keeps more entries than the label mask leaves non-zero, so its OHEM averages every
     * entry of the image's classes. {@code ohemRatio = 0.2·21/(C+1)} reproduces that k for a vocabulary of C classes.
     */
    public record Weights(double minPool, double er, double ecr, double ohemRatio) {
        public static final Weights REFERENCE = new Weights(1, 1, 1);

        public Weights {
            if (!(minPool >= 0 && er >= 0 && ecr >= 0) || Double.isInfinite(minPool + er + ecr)) {
                throw new IllegalArgumentException("loss weights must be finite and >= 0, got min " + minPool + ", er " + er
                        + ", ecr " + ecr);
            }
            if (!(ohemRatio > 0 && ohemRatio <= 1)) {
                throw new IllegalArgumentException("the OHEM ratio must be in (0, 1], got " + ohemRatio);
            }
        }

        /** The given weights with the reference's OHEM ratio. */
        public Weights(double minPool, double er, double ecr) {
            this(minPool, er, ecr, SeamLosses.OHEM_RATIO);
        }
    }

    /** {@link #seam(SeamNetwork, NDArray, NDArray, double, boolean)} with the terms weighted by {@code w}. */
    public static Terms seam(SeamNetwork net, NDArray x, NDArray labelsWithBg, double scale, boolean training, Weights w) {
        if (net.config().method() != Method.SEAM) {
            throw new IllegalArgumentException("the SEAM objective needs a SEAM network (with PCM), got method "
                    + net.config().method());
        }
        Shape xs = checkInputs(net, x, labelsWithBg);
        int h2 = Resize.scaled(Math.toIntExact(xs.get(2)), scale);
        int w2 = Resize.scaled(Math.toIntExact(xs.get(3)), scale);
        NDArray[] t = TensorScope.computeAll(() -> {
            NDArray y = labelsWithBg.toType(x.getDataType(), false).duplicate(); // owned: backward reads it
            long n = xs.get(0);
            NDArray yMap = y.reshape(n, y.getShape().get(1), 1, 1);
            NDArray yFg = y.get(new NDIndex(":, 1:"));
            NDIndex fg = new NDIndex(":, 1:, :, :");

            NDArray x2 = Resize.bilinear(x, h2, w2, true);
            SeamNetwork.Forward f1 = net.forward(x, training);
            SeamNetwork.Forward f2 = net.forward(x2, training, false); // running BN statistics: full-size images only

            NDArray cls1 = SeamLosses.classification(SeamLosses.globalAveragePool(f1.cam().get(fg)), yFg);
            NDArray cls2 = SeamLosses.classification(SeamLosses.globalAveragePool(f2.cam().get(fg)), yFg);
            NDArray min1 = SeamLosses.minPool(f1.camRv().mul(yMap).get(fg));
            NDArray min2 = SeamLosses.minPool(f2.camRv().mul(yMap).get(fg));

            NDArray c1 = Resize.bilinear(SeamLosses.maxNorm(f1.cam()), h2, w2, true).mul(yMap);
            NDArray r1 = Resize.bilinear(SeamLosses.maxNorm(f1.camRv()), h2, w2, true).mul(yMap);
            NDArray c2 = SeamLosses.maxNorm(f2.cam()).mul(yMap);
            NDArray r2 = SeamLosses.maxNorm(f2.camRv()).mul(yMap);

            NDArray er = SeamLosses.equivariance(c1, c2);
            NDArray c1b = SeamLosses.backgroundFromForeground(c1);
            NDArray c2b = SeamLosses.backgroundFromForeground(c2);
            NDArray ecr1 = SeamLosses.ecr(SeamLosses.maxOneHot(c2b.stopGradient()), r1, w.ohemRatio());
            NDArray ecr2 = SeamLosses.ecr(SeamLosses.maxOneHot(c1b.stopGradient()), r2, w.ohemRatio());

            NDArray half = OwnedArrays.scalar(x.getManager(), 0.5f);
            NDArray cls = cls1.add(cls2).mul(half);
            NDArray minPool = min1.add(min2).mul(half);
            NDArray ecr = ecr1.add(ecr2);
            NDManager m = x.getManager();
            NDArray total = cls.add(minPool.mul(OwnedArrays.scalar(m, (float) w.minPool())))
                    .add(er.mul(OwnedArrays.scalar(m, (float) w.er()))).add(ecr.mul(OwnedArrays.scalar(m, (float) w.ecr())));
            return new NDArray[] {total, cls, minPool, er, ecr, m.zeros(new Shape())};
        });
        return terms(x.getManager(), t);
    }

    /**
     * The paper's CAM baseline (SEAM-METHOD §2, last bullets): one branch, L_cls alone; the other terms are zero
     * scalars. Works for either method (a SEAM network's PCM output is computed and ignored).
     *
     * @throws IllegalArgumentException if shapes or labels are invalid
     */
    public static Terms cam(SeamNetwork net, NDArray x, NDArray labelsWithBg, boolean training) {
        checkInputs(net, x, labelsWithBg);
        NDArray[] t = TensorScope.computeAll(() -> {
            NDArray y = labelsWithBg.toType(x.getDataType(), false).duplicate(); // owned: backward reads it
            SeamNetwork.Forward f = net.forward(x, training);
            NDArray cls = SeamLosses.classification(
                    SeamLosses.globalAveragePool(f.cam().get(new NDIndex(":, 1:, :, :"))), y.get(new NDIndex(":, 1:")));
            NDManager m = x.getManager();
            NDArray total = cls.add(0f);
            return new NDArray[] {total, cls, m.zeros(new Shape()), m.zeros(new Shape()), m.zeros(new Shape()), m.zeros(new Shape())};
        });
        return terms(x.getManager(), t);
    }

    /**
     * The benchmark's dense stand-in pre-training (not part of SEAM): a CAM network whose fc8 has {@code 1 + C + B}
     * rows, the background, C classes and B appearance bins. The classification loss covers the C classes only
     * (GAP of their input-size maps against {@code labelsWithBg[:, 1..C]}); the B rows of the stride-8 scores get
     * {@link SeamLosses#denseCrossEntropy} against {@code oneHot} (N×B×h×w, h×w the stride-8 grid). {@code total =
     * cls + weight·dense}, with the unweighted dense term in {@link Terms#dense()}; {@code minPool}, {@code er} and
     * {@code ecr} are zero.
     *
     * @throws IllegalArgumentException if the fc8 rows are not {@code 1 + classes + B} or shapes do not match
     */
    public static Terms camWithDenseTargets(SeamNetwork net, NDArray x, NDArray labelsWithBg, int classes, NDArray oneHot,
                                            double weight, boolean training) {
        checkInputs(net, x, labelsWithBg);
        long bins = oneHot.getShape().dimension() == 4 ? oneHot.getShape().get(1) : -1;
        if (classes < 1 || bins < 1 || net.config().classes() != 1 + classes + bins) {
            throw new IllegalArgumentException("dense pre-training needs fc8 rows 1 + " + classes + " classes + the targets' "
                    + bins + " bins, the network has " + net.config().classes());
        }
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("the dense weight must be finite and >= 0, got " + weight);
        }
        NDArray[] t = TensorScope.computeAll(() -> {
            NDArray y = labelsWithBg.toType(x.getDataType(), false).duplicate(); // owned: backward reads it
            SeamNetwork.Forward f = net.forward(x, training);
            String own = "1:" + (1 + classes);
            NDArray cls = SeamLosses.classification(
                    SeamLosses.globalAveragePool(f.cam().get(new NDIndex(":, " + own + ", :, :"))), y.get(new NDIndex(":, " + own)));
            NDArray low = f.camLowRes().get(new NDIndex(":, " + (1 + classes) + ":, :, :"));
            if (!low.getShape().equals(oneHot.getShape())) {
                throw new IllegalArgumentException("dense targets must be " + low.getShape() + ", got " + oneHot.getShape());
            }
            NDArray dense = SeamLosses.denseCrossEntropy(low, oneHot);
            NDManager m = x.getManager();
            NDArray total = cls.add(dense.mul(OwnedArrays.scalar(m, (float) weight)));
            return new NDArray[] {total, cls, m.zeros(new Shape()), m.zeros(new Shape()), m.zeros(new Shape()), dense};
        });
        return terms(x.getManager(), t);
    }

    private static Terms terms(NDManager owner, NDArray[] t) {
        for (NDArray a : t) {
            if (a.getManager() != owner) {
                a.attach(owner);
            }
        }
        return new Terms(t[0], t[1], t[2], t[3], t[4], t[5]);
    }

    /** Validates x (N×3×H×W) and ỹ (N×(C+1), background 1, values in [0, 1]); returns x's shape. */
    private static Shape checkInputs(SeamNetwork net, NDArray x, NDArray labelsWithBg) {
        Shape xs = x.getShape();
        if (xs.dimension() != 4 || xs.get(1) != 3) {
            throw new IllegalArgumentException("images must be N×3×H×W, got shape " + xs);
        }
        int classes = net.config().classes();
        Shape ls = labelsWithBg.getShape();
        if (ls.dimension() != 2 || ls.get(0) != xs.get(0) || ls.get(1) != classes) {
            throw new IllegalArgumentException("labels must be N×(C+1) = " + xs.get(0) + "×" + classes
                    + " (background column first), got shape " + ls);
        }
        float[] v;
        if (labelsWithBg.getDataType() == DataType.FLOAT32) {
            v = labelsWithBg.toFloatArray();
        } else {
            try (NDArray asFloat = labelsWithBg.toType(DataType.FLOAT32, false)) {
                v = asFloat.toFloatArray();
            }
        }
        for (int i = 0; i < v.length; i++) {
            int sample = i / classes;
            int c = i % classes;
            if (c == 0 && v[i] != 1f) {
                throw new IllegalArgumentException("label row " + sample + " must have background (column 0) = 1, got "
                        + v[i]);
            }
            if (!(v[i] >= 0f && v[i] <= 1f)) {
                throw new IllegalArgumentException("label row " + sample + " column " + c + " must be in [0, 1], got "
                        + v[i]);
            }
        }
        return xs;
    }
}
