package ai.seamstream.torch.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.seamstream.torch.net.OwnedArrays;
import ai.seamstream.torch.net.TensorScope;

/**
 * The terms of the SEAM objective (SEAM-METHOD §2) as small differentiable functions over N×C×H×W tensors, each
 * computed exactly as the reference training script does; every intermediate is freed on return.
 */
public final class SeamLosses {
    /** The ε of maxnorm (SEAM-METHOD §2). */
    static final float EPS = 1e-5f;
    /** Share of the ECR error map kept by online hard example mining (SEAM-METHOD §2). */
    public static final double OHEM_RATIO = 0.2;

    private SeamLosses() {
    }

    /**
     * Min–max normalisation per sample and channel (SEAM-METHOD §2 "maxnorm"): {@code p = ReLU(p)};
     * {@code ReLU(p − min p − 1e-5)/(max p − min p + 1e-5)}; gradient flows through min and max as in the reference.
     *
     * @throws IllegalArgumentException if {@code p} is not 4-D
     */
    public static NDArray maxNorm(NDArray p) {
        Shape s = requireRank4("maxNorm input", p);
        long n = s.get(0);
        long c = s.get(1);
        return TensorScope.compute(() -> {
            NDArray r = Activation.relu(p);
            NDArray flat = r.reshape(n, c, -1);
            NDArray max = flat.max(new int[] {2}, true).reshape(n, c, 1, 1);
            NDArray min = flat.min(new int[] {2}, true).reshape(n, c, 1, 1);
            return Activation.relu(r.sub(min).sub(EPS)).div(max.sub(min).add(EPS));
        });
    }

    /**
     * max_onehot (SEAM-METHOD §2): channel 0 kept, every foreground channel zeroed at pixels where it is not the
     * foreground maximum (ties all keep their value).
     *
     * @throws IllegalArgumentException if {@code t} is not 4-D with at least two channels
     */
    public static NDArray maxOneHot(NDArray t) {
        requireWithForeground("maxOneHot input", t);
        return TensorScope.compute(() -> {
            NDArray fg = t.get(new NDIndex(":, 1:, :, :"));
            NDArray fgMax = fg.max(new int[] {1}, true);
            NDArray kept = NDArrays.where(fg.eq(fgMax), fg, fg.zerosLike());
            return t.get(new NDIndex(":, 0:1, :, :")).concat(kept, 1);
        });
    }

    /**
     * Sets channel 0 to {@code 1 − max_{k≥1} t_k} per pixel (SEAM-METHOD §2, after ER), returning a new tensor.
     *
     * @throws IllegalArgumentException if {@code t} is not 4-D with at least two channels
     */
    public static NDArray backgroundFromForeground(NDArray t) {
        requireWithForeground("backgroundFromForeground input", t);
        return TensorScope.compute(() -> {
            NDArray fg = t.get(new NDIndex(":, 1:, :, :"));
            return fg.max(new int[] {1}, true).neg().add(1f).concat(fg, 1);
        });
    }

    /**
     * Global average pooling of every channel of N×C×H×W maps, giving N×C scores {@code s = GAP(cam)}.
     *
     * @throws IllegalArgumentException if {@code cam} is not 4-D
     */
    public static NDArray globalAveragePool(NDArray cam) {
        requireRank4("globalAveragePool input", cam);
        // Mean over one axis at a time: DJL's mean takes a single axis.
        return TensorScope.compute(() -> cam.mean(new int[] {3}).mean(new int[] {2}));
    }

    /**
     * Multilabel soft-margin classification loss (SEAM-METHOD §2):
     * {@code −(1/C)Σ_k [y_k log σ(s_k) + (1−y_k) log σ(−s_k)]}, mean over the batch; a scalar.
     *
     * @param scores N×C foreground scores
     * @param y      N×C targets in [0, 1]
     * @throws IllegalArgumentException if the shapes are not equal N×C
     */
    public static NDArray classification(NDArray scores, NDArray y) {
        Shape s = scores.getShape();
        if (s.dimension() != 2 || !s.equals(y.getShape())) {
            throw new IllegalArgumentException("classification loss needs N×C scores and N×C targets, got " + s
                    + " and " + y.getShape());
        }
        return TensorScope.compute(() -> {
            // log σ(s) = min(s, 0) − log(1 + e^(−|s|)), stable for large |s|; log σ(−s) likewise with −s.
            NDManager m = scores.getManager();
            NDArray zero = OwnedArrays.scalar(m, 0f);
            NDArray softTail = scores.abs().neg().exp().add(1f).log();
            NDArray logSig = scores.minimum(zero).sub(softTail);
            NDArray logSigNeg = scores.neg().minimum(zero).sub(softTail);
            NDArray perClass = y.mul(logSig).add(y.neg().add(1f).mul(logSigNeg));
            return perClass.sum(new int[] {1}).div(OwnedArrays.scalar(m, s.get(1))).mean().neg();
        });
    }

    /**
     * Dense softmax cross-entropy, a loss of the benchmark's stand-in pre-training (not of SEAM): {@code −Σ t·log
     * softmax(z)} over N×B×h×w logits z and one-hot targets t (softmax over the B channels), divided by the number
     * of target cells {@code Σ t} (at least 1). A cell whose target column is all zero is ignored.
     *
     * @throws IllegalArgumentException unless both are 4-D and of the same shape
     */
    public static NDArray denseCrossEntropy(NDArray logits, NDArray oneHot) {
        requireRank4("denseCrossEntropy logits", logits);
        if (!logits.getShape().equals(oneHot.getShape())) {
            throw new IllegalArgumentException("dense cross-entropy needs logits and targets of one shape, got "
                    + logits.getShape() + " and " + oneHot.getShape());
        }
        return TensorScope.compute(() -> {
            NDManager m = logits.getManager();
            NDArray cells = oneHot.sum().maximum(OwnedArrays.scalar(m, 1f));
            return oneHot.mul(logits.logSoftmax(1)).sum().neg().div(cells);
        });
    }

    /**
     * K of the min-pool loss, {@code floor(h·w/4)} (SEAM-METHOD §2).
     *
     * @throws IllegalArgumentException if the map has fewer than 4 pixels
     */
    public static int minPoolK(int h, int w) {
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException("map size must be positive, got " + h + "×" + w);
        }
        long k = (long) h * w / 4;
        if (k < 1) {
            throw new IllegalArgumentException("the min-pool loss needs at least 4 pixels, got " + h + "×" + w);
        }
        return Math.toIntExact(k);
    }

    /**
     * Min-pool loss (SEAM-METHOD §2) on {@code x = (rv ⊙ ỹ)[:,1:]}: per pixel the maximum over channels, the K =
     * {@link #minPoolK} smallest of those per sample, ReLU, summed and divided by K·N; a scalar.
     *
     * @throws IllegalArgumentException if {@code x} is not 4-D or has fewer than 4 pixels
     */
    public static NDArray minPool(NDArray x) {
        Shape s = requireRank4("minPool input", x);
        long n = s.get(0);
        int k = minPoolK(Math.toIntExact(s.get(2)), Math.toIntExact(s.get(3)));
        return TensorScope.compute(() -> {
            NDArray m = x.max(new int[] {1}).reshape(n, -1);
            NDArray smallest = m.topK(k, 1, false, false).get(0);
            return Activation.relu(smallest).sum().div(OwnedArrays.scalar(x.getManager(), (float) ((double) k * n)));
        });
    }

    /**
     * Equivariance regularisation (SEAM-METHOD §2): {@code mean |Ĉ1[:,1:] − Ĉ2[:,1:]|} over all of N×C×h×w
     * (absent classes included, as in the reference); a scalar.
     *
     * @throws IllegalArgumentException if the shapes differ or there is no foreground channel
     */
    public static NDArray equivariance(NDArray c1, NDArray c2) {
        requireWithForeground("equivariance first map", c1);
        if (!c1.getShape().equals(c2.getShape())) {
            throw new IllegalArgumentException("equivariance needs maps of one shape, got " + c1.getShape() + " and "
                    + c2.getShape());
        }
        return TensorScope.compute(() -> {
            NDIndex fg = new NDIndex(":, 1:, :, :");
            return c1.get(fg).sub(c2.get(fg)).abs().mean();
        });
    }

    /**
     * How many entries OHEM keeps: {@code floor(channels·h·w·ratio)} (SEAM-METHOD §2, the reference's
     * {@code int(21·h·w·0.2)} with the vocabulary's channel count).
     *
     * @throws IllegalArgumentException if a size is not positive, the ratio is not in (0, 1], or nothing is kept
     */
    public static int ohemK(int channels, int h, int w, double ratio) {
        if (channels <= 0 || h <= 0 || w <= 0) {
            throw new IllegalArgumentException("OHEM sizes must be positive, got " + channels + "×" + h + "×" + w);
        }
        if (!(ratio > 0.0 && ratio <= 1.0)) {
            throw new IllegalArgumentException("OHEM ratio must be in (0, 1], got " + ratio);
        }
        // Same arithmetic as Python: an exact integer product, then one double multiplication, then floor.
        double k = Math.floor((double) ((long) channels * h * w) * ratio);
        if (k < 1.0) {
            throw new IllegalArgumentException("OHEM keeps no entry of a " + channels + "×" + h + "×" + w
                    + " map at ratio " + ratio);
        }
        return Math.toIntExact((long) k);
    }

    /**
     * Equivariant cross regularisation with OHEM (SEAM-METHOD §2): per sample the mean of the top
     * {@code k = ohemK(C+1, h, w, 0.2)} entries of the flattened {@code |target − pred|}, then the mean over samples;
     * a scalar. {@code target} is {@code max_onehot} of the other branch's detached map.
     *
     * @throws IllegalArgumentException if the shapes differ or are not 4-D
     */
    public static NDArray ecr(NDArray target, NDArray pred) {
        return ecr(target, pred, OHEM_RATIO);
    }

    /**
     * {@link #ecr(NDArray, NDArray)} keeping {@code k = ohemK(C+1, h, w, ratio)} entries per sample; at ratio 1 the
     * plain mean of the error map.
     *
     * @throws IllegalArgumentException if the shapes differ or are not 4-D, or the ratio is not in (0, 1]
     */
    public static NDArray ecr(NDArray target, NDArray pred, double ratio) {
        Shape s = requireRank4("ECR prediction", pred);
        if (!s.equals(target.getShape())) {
            throw new IllegalArgumentException("ECR needs target and prediction of one shape, got " + target.getShape()
                    + " and " + s);
        }
        long n = s.get(0);
        int k = ohemK(Math.toIntExact(s.get(1)), Math.toIntExact(s.get(2)), Math.toIntExact(s.get(3)), ratio);
        return TensorScope.compute(() -> {
            NDArray err = target.sub(pred).abs().reshape(n, -1);
            // Every sample keeps the same k, so the mean over N×k is the mean of the per-sample means.
            return err.topK(k, 1, true, false).get(0).mean();
        });
    }

    private static Shape requireRank4(String what, NDArray a) {
        Shape s = a.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException(what + " must be N×C×H×W, got shape " + s);
        }
        return s;
    }

    private static void requireWithForeground(String what, NDArray a) {
        Shape s = requireRank4(what, a);
        if (s.get(1) < 2) {
            throw new IllegalArgumentException(what + " needs a background and at least one foreground channel, got "
                    + s);
        }
    }
}
