package ai.seamstream.torch.affinity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.refine.AffinityLabels;
import ai.seamstream.torch.net.OwnedArrays;
import ai.seamstream.torch.net.TensorScope;
import java.util.List;

/**
 * The three-part affinity loss of AffinityNet (SEAM's {@code train_aff.py}): with {@code a = exp(−mean_c |f_i − f_j|)}
 * over labelled pairs within the radius,
 * {@code L = ¼·mean_bg(−log(a + 1e-5)) + ¼·mean_fg(−log(a + 1e-5)) + ½·mean_neg(−log(1 + 1e-5 − a))}, each mean
 * over its pairs of the whole batch (count + 1e-5 in the denominator).
 */
public final class AffinityLoss {
    /** The total and its three parts (as scalars in the features' manager). */
    public record Terms(NDArray total, NDArray background, NDArray foreground, NDArray negative) {
    }

    private AffinityLoss() {
    }

    /**
     * @param features {@code N × C × gh × gw}
     * @param labels   per image, the pair masks of every offset ({@link AffinityLabels#pairs})
     */
    public static Terms compute(NDArray features, List<AffinityLabels.PairMasks[]> labels) {
        Shape s = features.getShape();
        int n = Math.toIntExact(s.get(0));
        if (labels.size() != n) {
            throw new IllegalArgumentException("labels for " + labels.size() + " images, features for " + n);
        }
        int offsets = labels.get(0).length;
        double bgCount = 0;
        double fgCount = 0;
        double negCount = 0;
        for (AffinityLabels.PairMasks[] img : labels) {
            for (AffinityLabels.PairMasks m : img) {
                bgCount += m.backgroundCount();
                fgCount += m.foregroundCount();
                negCount += m.negativeCount();
            }
        }
        final double bgC = bgCount + 1e-5;
        final double fgC = fgCount + 1e-5;
        final double negC = negCount + 1e-5;
        NDManager mgr = features.getManager();
        NDArray[] out = TensorScope.computeAll(() -> {
            NDArray bg = mgr.zeros(new Shape());
            NDArray fg = mgr.zeros(new Shape());
            NDArray neg = mgr.zeros(new Shape());
            for (int o = 0; o < offsets; o++) {
                AffinityLabels.PairMasks m0 = labels.get(0)[o];
                int rows = m0.rows();
                int cols = m0.cols();
                if (rows == 0 || cols == 0) {
                    continue;
                }
                int dy = m0.dy();
                int dx = m0.dx();
                int x0 = m0.x0();
                NDArray from = features.get(new NDIndex(":, :, {}:{}, {}:{}", 0, rows, x0, x0 + cols));
                NDArray to = features.get(new NDIndex(":, :, {}:{}, {}:{}", dy, dy + rows, x0 + dx, x0 + dx + cols));
                NDArray aff = from.sub(to).abs().mean(new int[] {1}).neg().exp(); // N × rows × cols
                float[] bgm = new float[n * rows * cols];
                float[] fgm = new float[n * rows * cols];
                float[] negm = new float[n * rows * cols];
                for (int i = 0; i < n; i++) {
                    AffinityLabels.PairMasks m = labels.get(i)[o];
                    System.arraycopy(m.background(), 0, bgm, i * rows * cols, rows * cols);
                    System.arraycopy(m.foreground(), 0, fgm, i * rows * cols, rows * cols);
                    System.arraycopy(m.negative(), 0, negm, i * rows * cols, rows * cols);
                }
                Shape ms = new Shape(n, rows, cols);
                NDArray logPos = aff.add(1e-5f).log().neg();
                NDArray logNeg = aff.neg().add(1f + 1e-5f).log().neg();
                // masks and scale factors in libtorch-owned memory: backward reads them after this scope
                bg = bg.add(logPos.mul(OwnedArrays.copyOf(mgr, bgm, ms)).sum());
                fg = fg.add(logPos.mul(OwnedArrays.copyOf(mgr, fgm, ms)).sum());
                neg = neg.add(logNeg.mul(OwnedArrays.copyOf(mgr, negm, ms)).sum());
            }
            NDArray b = bg.mul(OwnedArrays.scalar(mgr, (float) (1 / bgC)));
            NDArray f = fg.mul(OwnedArrays.scalar(mgr, (float) (1 / fgC)));
            NDArray g = neg.mul(OwnedArrays.scalar(mgr, (float) (1 / negC)));
            NDArray total = b.mul(OwnedArrays.scalar(mgr, 0.25f)).add(f.mul(OwnedArrays.scalar(mgr, 0.25f)))
                    .add(g.mul(OwnedArrays.scalar(mgr, 0.5f)));
            return new NDArray[] {total, b, f, g};
        });
        return new Terms(out[0], out[1], out[2], out[3]);
    }
}
