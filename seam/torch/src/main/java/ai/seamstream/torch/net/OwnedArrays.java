package ai.seamstream.torch.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Constant tensors whose memory libtorch owns, safe to close before {@code backward}.
 *
 * <p>On the CPU, DJL's {@code NDManager.create(float[], …)} wraps a Java direct buffer without copying
 * ({@code from_blob}); closing the array drops the only Java reference, and once the buffer is garbage-collected
 * any autograd node that saved the tensor reads freed memory (wrong or NaN gradients, seen in practice). The same
 * holds for DJL's {@code mul/div/minimum/maximum/pow(Number)}, which wrap the number the same way and close it at
 * once; {@code add/sub(Number)} are safe because their backward never reads the operand. Hence every constant that
 * takes part in a differentiable operation comes from here.
 */
public final class OwnedArrays {
    private OwnedArrays() {
    }

    /** A float32 tensor of {@code shape} holding {@code values} (row-major), copied into libtorch-owned memory. */
    public static NDArray copyOf(NDManager manager, float[] values, Shape shape) {
        try (NDArray borrowed = manager.create(values, shape)) {
            return borrowed.duplicate();
        }
    }

    /** A 0-d float32 tensor holding {@code value}, in libtorch-owned memory. */
    public static NDArray scalar(NDManager manager, float value) {
        return manager.full(new Shape(), value, DataType.FLOAT32);
    }
}
