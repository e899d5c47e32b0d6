package ai.seamstream.torch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.seamstream.torch.net.ParamStore;
import org.junit.jupiter.api.Test;

class PolySgdTest {

    /** loss = Σ w·x, so ∂loss/∂w = x. */
    private static void backward(ParamStore store, NDManager root, float[] x, String... names) {
        try (NDManager step = root.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray input = step.create(x);
            NDArray loss = null;
            for (String n : names) {
                NDArray term = input.mul(store.get(n)).sum();
                loss = loss == null ? term : loss.add(term);
            }
            gc.backward(loss);
        }
    }

    @Test
    void firstStepsMatchHandComputedPolySgdWithWeightDecayAndGroups() {
        try (NDManager root = NDManager.newBaseManager(); ParamStore store = new ParamStore(root)) {
            store.add("backbone.w", new Shape(2), new float[] {1, 2}, ParamStore.Group.BACKBONE, ParamStore.Kind.WEIGHT, true);
            store.add("fc8.weight", new Shape(2), new float[] {1, 2}, ParamStore.Group.HEAD, ParamStore.Kind.WEIGHT, true);
            store.add("frozen.w", new Shape(2), new float[] {1, 2}, ParamStore.Group.BACKBONE, ParamStore.Kind.WEIGHT, false);
            var sgd = new PolySgd(store, new PolySgd.Config(0.05, 10, 0.1, 0, 0.9, 10));
            backward(store, root, new float[] {1, 1}, "backbone.w", "fc8.weight");
            sgd.step();
            // t=0: lr 0.05 (backbone), 0.5 (head); d = g + 0.1·w = [1.1, 1.2].
            assertArrayEquals(new float[] {1 - 0.055f, 2 - 0.06f}, store.get("backbone.w").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1 - 0.55f, 2 - 0.6f}, store.get("fc8.weight").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1, 2}, store.get("frozen.w").toFloatArray());
            // Gradients were zeroed: a second backward with x = [2, 0] must see exactly that gradient.
            backward(store, root, new float[] {2, 0}, "backbone.w");
            sgd.step();
            double lr1 = 0.05 * Math.pow(1 - 1 / 10.0, 0.9);
            float w0 = 1 - 0.055f;
            float w1 = 2 - 0.06f;
            assertArrayEquals(new float[] {(float) (w0 - lr1 * (2 + 0.1 * w0)), (float) (w1 - lr1 * (0 + 0.1 * w1))},
                    store.get("backbone.w").toFloatArray(), 1e-6f);
            assertEquals(2, sgd.stepsTaken());
        }
    }

    @Test
    void scheduleFollowsThePolyFormulaAndEndsAtZero() {
        try (NDManager root = NDManager.newBaseManager(); ParamStore store = new ParamStore(root)) {
            var sgd = new PolySgd(store, PolySgd.Config.reference(100));
            assertEquals(0.01, sgd.learningRate(ParamStore.Group.BACKBONE, 0), 1e-12);
            assertEquals(0.1, sgd.learningRate(ParamStore.Group.HEAD, 0), 1e-12);
            assertEquals(0.01 * Math.pow(0.5, 0.9), sgd.learningRate(ParamStore.Group.BACKBONE, 50), 1e-12);
            assertEquals(0, sgd.learningRate(ParamStore.Group.HEAD, 100));
        }
    }

    @Test
    void momentumAccumulatesVelocity() {
        try (NDManager root = NDManager.newBaseManager(); ParamStore store = new ParamStore(root)) {
            store.add("w", new Shape(1), new float[] {0}, ParamStore.Group.BACKBONE, ParamStore.Kind.WEIGHT, true);
            var sgd = new PolySgd(store, new PolySgd.Config(0.1, 1, 0, 0.5, 0, 100)); // power 0: constant lr
            backward(store, root, new float[] {1}, "w");
            sgd.step(); // v = 1, w = -0.1
            backward(store, root, new float[] {1}, "w");
            sgd.step(); // v = 0.5·1 + 1 = 1.5, w = -0.1 - 0.15
            assertEquals(-0.25f, store.get("w").toFloatArray()[0], 1e-6f);
            sgd.close();
        }
    }

    @Test
    void aSkippedNonFiniteStepLeavesNoTraceInTheNextOne() {
        try (NDManager root = NDManager.newBaseManager(); ParamStore store = new ParamStore(root)) {
            store.add("w", new Shape(2), new float[] {1, 2}, ParamStore.Group.BACKBONE, ParamStore.Kind.WEIGHT, true);
            var sgd = new PolySgd(store, new PolySgd.Config(0.1, 1, 0, 0, 0, 100)); // power 0: constant lr
            backward(store, root, new float[] {Float.NaN, Float.POSITIVE_INFINITY}, "w");
            var e = assertThrows(PolySgd.NonFiniteGradientException.class, sgd::step);
            assertTrue(e.getMessage().contains("[w]"), e.getMessage());
            assertArrayEquals(new float[] {1, 2}, store.get("w").toFloatArray()); // nothing applied
            // The next batch's gradient is exactly its own: the NaN and ∞ were cleared, not multiplied by 0.
            backward(store, root, new float[] {1, -1}, "w");
            sgd.step();
            assertArrayEquals(new float[] {0.9f, 2.1f}, store.get("w").toFloatArray(), 1e-6f);
        }
    }

    /**
     * A step adds nothing that outlives it to the parameter manager: the weight-decay product, the update and the
     * zero that clears a gradient are freed when the step ends. Left there, they cost a copy of every weight per
     * step (4 MB a step on the bench's small network), so a long run grows until it runs out of memory.
     */
    @Test
    void stepsLeaveNothingBehindInTheParameterManager() {
        for (double momentum : new double[] {0, 0.9}) {
            try (NDManager root = NDManager.newBaseManager(); ParamStore store = new ParamStore(root)) {
                store.add("backbone.w", new Shape(3), new float[] {1, 2, 3}, ParamStore.Group.BACKBONE, ParamStore.Kind.WEIGHT, true);
                store.add("fc8.weight", new Shape(3), new float[] {1, 2, 3}, ParamStore.Group.HEAD, ParamStore.Kind.WEIGHT, true);
                var sgd = new PolySgd(store, new PolySgd.Config(0.05, 10, 5e-4, momentum, 0.9, 100));
                backward(store, root, new float[] {1, 1, 1}, "backbone.w", "fc8.weight");
                sgd.step(); // the first step creates the gradient buffers' wrappers and any velocity
                int arrays = store.manager().getManagedArrays().size();
                for (int i = 0; i < 5; i++) {
                    backward(store, root, new float[] {1, -1, 2}, "backbone.w", "fc8.weight");
                    sgd.step();
                }
                sgd.zeroGradients();
                assertEquals(arrays, store.manager().getManagedArrays().size(), "momentum " + momentum);
                sgd.close();
            }
        }
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThrows(IllegalArgumentException.class, () -> new PolySgd.Config(0, 10, 0, 0, 0.9, 10));
        assertThrows(IllegalArgumentException.class, () -> new PolySgd.Config(0.01, 10, 0, 1.0, 0.9, 10));
        assertThrows(IllegalArgumentException.class, () -> new PolySgd.Config(0.01, 10, 0, 0, 0.9, 0));
    }
}
