package ai.seamstream.torch.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/**
 * Runs a tensor computation so that every intermediate array it creates is freed when it returns, and only its
 * results survive.
 *
 * <p>DJL attaches the result of an operation to the manager of its first operand, so intermediates of a forward pass
 * would otherwise pile up in the caller's manager (or, for an operation that starts from a parameter, in the
 * parameter manager) until that manager closes. Closing an intermediate before {@code backward} is safe when libtorch
 * owns its memory, because the autograd graph holds its own references to what it saved; constants made from Java
 * data must therefore come from {@link OwnedArrays}. The results are handed to the enclosing
 * {@link NDScope}, if any, as if they had been created there.
 */
public final class TensorScope {
    private TensorScope() {
    }

    /**
     * Evaluates {@code body} in a fresh {@link NDScope} and returns its result, which must be an array created inside
     * {@code body} (not one of its inputs).
     */
    public static NDArray compute(Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /**
     * Like {@link #compute} for several results; {@code null} entries are allowed and returned as {@code null}.
     */
    public static NDArray[] computeAll(Supplier<NDArray[]> body) {
        NDArray[] results;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            results = body.get();
            for (NDArray r : results) {
                if (r != null) {
                    NDScope.unregister(r);
                }
            }
        }
        for (NDArray r : results) {
            if (r != null) {
                NDScope.register(r);
            }
        }
        return results;
    }
}
