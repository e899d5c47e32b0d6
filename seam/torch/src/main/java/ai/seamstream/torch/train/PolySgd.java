package ai.seamstream.torch.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.seamstream.torch.net.ParamStore;
import java.util.HashMap;
import java.util.Map;

/**
 * Plain SGD with the reference's poly schedule {@code lr_t = lr_0·(1 − t/T)^power} and per-group learning rates
 * (SEAM-METHOD §2: heads fc8/f8_3/f8_4/f9 learn {@code headLrMultiplier}× faster), L2 weight decay folded into
 * the gradient as PyTorch's SGD does, and optional momentum.
 *
 * <p>The reference passes its weight decay where {@code torch.optim.SGD} expects momentum, so it trains with a
 * momentum of 5e-4, which is none to speak of: the default here is 0 and the knob is kept for experiments.
 * Call {@link #step()} once per training step, after the backward pass; it also zeroes the gradients, which
 * DJL's PyTorch engine otherwise accumulates across gradient collectors.
 */
public final class PolySgd implements AutoCloseable {

    /** Optimiser settings; {@code totalSteps} is T of the poly schedule. */
    public record Config(double baseLr, double headLrMultiplier, double weightDecay, double momentum, double power,
                         long totalSteps) {
        public Config {
            if (!(baseLr > 0) || !(headLrMultiplier > 0) || weightDecay < 0 || momentum < 0 || momentum >= 1
                    || !(power >= 0) || totalSteps <= 0) {
                throw new IllegalArgumentException("invalid optimiser settings: lr " + baseLr + ", head multiplier "
                        + headLrMultiplier + ", weight decay " + weightDecay + ", momentum " + momentum + ", power " + power
                        + ", steps " + totalSteps);
            }
        }

        /** The reference's settings (lr 0.01, 10× heads, weight decay 5e-4, no momentum, power 0.9) for T steps. */
        public static Config reference(long totalSteps) {
            return new Config(0.01, 10, 5e-4, 0, 0.9, totalSteps);
        }
    }

    private final ParamStore params;
    private final Config config;
    private final Map<String, NDArray> velocity = new HashMap<>();
    private long step;

    public PolySgd(ParamStore params, Config config) {
        this.params = params;
        this.config = config;
    }

    /** The number of updates applied so far (t of the schedule). */
    public long stepsTaken() {
        return step;
    }

    /** Restarts the schedule at step t (resuming a run). */
    public void setStepsTaken(long t) {
        if (t < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + t);
        }
        this.step = t;
    }

    /** The learning rate of a group at step t: {@code lr_0·mult·(1 − t/T)^power}, 0 once t ≥ T. */
    public double learningRate(ParamStore.Group group, long t) {
        double base = config.baseLr * (group == ParamStore.Group.HEAD ? config.headLrMultiplier : 1.0);
        if (t >= config.totalSteps) {
            return 0;
        }
        return base * Math.pow(1.0 - (double) t / config.totalSteps, config.power);
    }

    /**
     * Applies one update to every trainable parameter that has a gradient, then zeroes the gradients.
     *
     * @throws NonFiniteGradientException (and changes nothing) if any gradient holds NaN or infinity
     */
    public void step() {
        checkFinite();
        for (ParamStore.Param p : params.all()) {
            if (!p.trainable()) {
                continue;
            }
            NDArray w = p.array();
            double lr = learningRate(p.group(), step);
            // Every array made here lands in the parameter manager (the gradient's wrapper, the weight-decay product,
            // the update, the scalar that clears the gradient): the scope frees them all when the parameter is done,
            // or a long run would keep a copy of the weights per step. Only a new velocity outlives it.
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray g = w.getGradient();
                // d = g + wd·w (PyTorch SGD's weight decay), then w -= lr·d (or lr·v with momentum).
                NDArray d = config.weightDecay > 0 ? g.add(w.mul(config.weightDecay)) : g;
                if (config.momentum > 0) {
                    NDArray v = velocity.get(p.name());
                    if (v == null) {
                        v = d.duplicate();
                        NDScope.unregister(v);
                        velocity.put(p.name(), v);
                    } else {
                        v.muli(config.momentum).addi(d);
                    }
                    d = v;
                }
                w.subi(d.mul(lr));
                clear(g); // in place: the engine keeps this buffer and would add the next backward to it
            }
        }
        step++;
    }

    /** A gradient with NaN or infinite entries: applying it would destroy the weights. */
    public static final class NonFiniteGradientException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public NonFiniteGradientException(String message) {
            super(message);
        }
    }

    private void checkFinite() {
        var bad = new java.util.ArrayList<String>();
        for (ParamStore.Param p : params.all()) {
            if (p.trainable()) {
                try (NDArray g = p.array().getGradient(); NDArray s = g.sum()) {
                    if (!Float.isFinite(s.getFloat())) {
                        bad.add(p.name());
                    }
                }
            }
        }
        if (!bad.isEmpty()) {
            zeroGradients();
            throw new NonFiniteGradientException("non-finite gradient at step " + (step + 1) + " in " + bad);
        }
    }

    /** Zeroes every gradient without updating (e.g. after a skipped step). */
    public void zeroGradients() {
        for (ParamStore.Param p : params.all()) {
            if (p.trainable()) {
                try (NDScope scope = new NDScope()) { // the gradient's wrapper and the clearing scalar
                    scope.suppressNotUsedWarning();
                    clear(p.array().getGradient());
                }
            }
        }
    }

    /**
     * Overwrites a gradient buffer with zeros. Multiplying by 0 would not do: NaN·0 and ∞·0 are NaN, so one skipped
     * batch would poison every later step of the run.
     */
    private static void clear(NDArray g) {
        g.set(new NDIndex("..."), 0);
    }

    @Override
    public void close() {
        velocity.values().forEach(NDArray::close);
        velocity.clear();
    }
}
