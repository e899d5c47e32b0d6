package ai.seamstream.torch.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.resample.InterpolationMatrix;

/**
 * Bilinear resizing of N×C×H×W tensors exactly as PyTorch's {@code F.interpolate(mode='bilinear')} without
 * antialiasing, done as the matrix products {@code R_y · X · R_xᵀ} (SEAM-METHOD §0), because DJL's own
 * interpolation ignores align_corners and antialiases; the products are differentiable.
 */
public final class Resize {
    private Resize() {
    }

    /**
     * Resizes the last two axes of {@code x} (N×C×H×W) to {@code outH×outW}; the result lives in {@code x}'s manager.
     *
     * @throws IllegalArgumentException if {@code x} is not 4-D or a size is not positive
     */
    public static NDArray bilinear(NDArray x, int outH, int outW, boolean alignCorners) {
        Shape shape = x.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException("resize expects an N×C×H×W tensor, got shape " + shape);
        }
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + outH + "×" + outW);
        }
        int inH = Math.toIntExact(shape.get(2));
        int inW = Math.toIntExact(shape.get(3));
        return TensorScope.compute(() -> {
            NDManager m = x.getManager();
            DataType type = x.getDataType();
            // Same size is the identity in both align_corners modes (src = dst); skipping it saves two products.
            NDArray out = x;
            if (inW != outW) {
                NDArray rxT = OwnedArrays.copyOf(m, InterpolationMatrix.linear(inW, outW, alignCorners), new Shape(outW, inW))
                        .toType(type, false).transpose();
                out = out.matMul(rxT);
            }
            if (inH != outH) {
                NDArray ry = OwnedArrays.copyOf(m, InterpolationMatrix.linear(inH, outH, alignCorners), new Shape(outH, inH))
                        .toType(type, false);
                out = ry.matMul(out);
            }
            // A fresh array either way, so that the caller owns (and may close) the result without touching x.
            return out == x ? x.duplicate() : out;
        });
    }

    /**
     * The output size of a resize by scale factor {@code s}, {@code floor(in·s)} as {@code F.interpolate} computes it.
     *
     * @throws IllegalArgumentException if {@code in} or {@code s} is not positive or the result would be empty
     */
    public static int scaled(int in, double s) {
        if (in <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + in);
        }
        if (!(s > 0.0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("scale factor must be positive and finite, got " + s);
        }
        double out = Math.floor(in * s);
        if (out < 1.0) {
            throw new IllegalArgumentException("scaling size " + in + " by " + s + " leaves no pixel");
        }
        if (out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("scaling size " + in + " by " + s + " overflows");
        }
        return (int) out;
    }
}
