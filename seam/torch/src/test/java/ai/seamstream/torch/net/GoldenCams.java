package ai.seamstream.torch.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.tensor.NamedTensor;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/** Checks a network's forward on a golden file's {@code input} against its {@code cam_low}, {@code cam}, {@code cam_rv}. */
public final class GoldenCams {
    private GoldenCams() {
    }

    /**
     * @param tolerance the allowed absolute difference as a function of the expected map's largest magnitude
     */
    public static void assertForwardMatches(Map<String, NamedTensor> golden, SeamNetwork net, NDManager manager,
                                            DoubleUnaryOperator tolerance) {
        NamedTensor in = golden.get("input");
        NDArray x = manager.create(in.data(), new Shape(in.shape()));
        try (SeamNetwork.Forward f = net.forward(x, false)) {
            assertClose(golden.get("cam_low"), f.camLowRes(), tolerance);
            assertClose(golden.get("cam"), f.cam(), tolerance);
            assertClose(golden.get("cam_rv"), f.camRv(), tolerance);
        }
    }

    private static void assertClose(NamedTensor expected, NDArray actual, DoubleUnaryOperator tolerance) {
        assertArrayEquals(expected.shape(), actual.getShape().getShape(), expected.name() + " shape");
        float[] e = expected.data();
        float[] a = actual.toFloatArray();
        double scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 1e-3, expected.name() + " is not trivially zero");
        double tol = tolerance.applyAsDouble(scale);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol, expected.name() + "[" + i + "]");
        }
    }
}
