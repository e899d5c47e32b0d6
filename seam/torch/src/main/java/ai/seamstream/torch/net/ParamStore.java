package ai.seamstream.torch.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The named tensors of a network, in creation order, with the reference implementation's names
 * ({@code b2.conv_branch2a.weight}, {@code fc8.weight}, ...), so that checkpoints, imports and ONNX export
 * all speak the same names.
 *
 * <p>Closing the store frees every tensor it holds.
 */
public final class ParamStore implements AutoCloseable {

    /** Learning-rate group of a parameter (SEAM-METHOD §2: heads learn 10× faster than the backbone). */
    public enum Group { BACKBONE, HEAD }

    /** What a tensor is: learned weights, or statistics that are stored but never receive gradient. */
    public enum Kind { WEIGHT, BUFFER }

    /** One named tensor; {@code trainable} decides whether it gets a gradient and an optimiser update. */
    public static final class Param {
        private final String name;
        private NDArray array;
        private final Group group;
        private final Kind kind;
        private boolean trainable;

        Param(String name, NDArray array, Group group, Kind kind, boolean trainable) {
            this.name = name;
            this.array = array;
            this.group = group;
            this.kind = kind;
            this.trainable = trainable;
        }

        public String name() { return name; }
        public NDArray array() { return array; }
        public Group group() { return group; }
        public Kind kind() { return kind; }
        public boolean trainable() { return trainable; }
        public Shape shape() { return array.getShape(); }
    }

    private final NDManager manager;
    private final Map<String, Param> params = new LinkedHashMap<>();

    /** A store whose tensors live in a child of {@code parent}. */
    public ParamStore(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    /** The manager that owns the parameters; per-step work belongs in a separate sub-manager. */
    public NDManager manager() {
        return manager;
    }

    /**
     * Adds a tensor with the given values (row-major float32).
     *
     * @throws IllegalArgumentException if the name is taken or the value count does not match the shape
     */
    public NDArray add(String name, Shape shape, float[] values, Group group, Kind kind, boolean trainable) {
        if (params.containsKey(name)) {
            throw new IllegalArgumentException("parameter '" + name + "' is defined twice");
        }
        if (values.length != shape.size()) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + shape + " but " + values.length + " values");
        }
        NDArray array = manager.create(values, shape);
        array.setName(name);
        Param p = new Param(name, array, group, kind, trainable && kind == Kind.WEIGHT);
        if (p.trainable) {
            array.setRequiresGradient(true);
        }
        params.put(name, p);
        return array;
    }

    /**
     * The tensor of a name.
     *
     * @throws IllegalArgumentException if there is none
     */
    public NDArray get(String name) {
        return param(name).array;
    }

    public Param param(String name) {
        Param p = params.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        return p;
    }

    public boolean contains(String name) {
        return params.containsKey(name);
    }

    /** All tensors in creation order. */
    public Collection<Param> all() {
        return Collections.unmodifiableCollection(params.values());
    }

    /** The element type of the tensors: float32, unless {@link #convert} changed it. */
    public DataType dataType() {
        return params.isEmpty() ? DataType.FLOAT32 : params.values().iterator().next().array.getDataType();
    }

    /**
     * Replaces every tensor by a copy in {@code type} (float32 or float64), keeping names, order, groups and which
     * weights are trainable. Float64 is for numerical gradient checks of the method's objective
     * ({@code SeamObjectiveGradientCheckTest}): a network's forward then takes float64 images. Training, checkpoints
     * and export work in float32.
     *
     * @throws IllegalArgumentException for any other type
     */
    public void convert(DataType type) {
        if (type != DataType.FLOAT32 && type != DataType.FLOAT64) {
            throw new IllegalArgumentException("parameters can be float32 or float64, not " + type);
        }
        for (Param p : params.values()) {
            if (p.array.getDataType() == type) {
                continue;
            }
            NDArray converted = p.array.toType(type, true); // made in the same (this store's) manager
            converted.setName(p.name);
            if (p.trainable) {
                converted.setRequiresGradient(true);
            }
            p.array.close();
            p.array = converted;
        }
    }

    /**
     * Freezes or unfreezes every weight whose name matches; buffers stay frozen.
     *
     * @return how many tensors matched
     */
    public int setTrainable(Predicate<String> names, boolean trainable) {
        int n = 0;
        for (Param p : params.values()) {
            if (p.kind == Kind.WEIGHT && names.test(p.name)) {
                p.trainable = trainable;
                p.array.setRequiresGradient(trainable);
                n++;
            }
        }
        return n;
    }

    /**
     * Overwrites a tensor's values in place (for checkpoint loading and weight import).
     *
     * @throws IllegalArgumentException naming the tensor if the shape differs
     */
    public void assign(String name, Shape shape, float[] values) {
        Param p = param(name);
        if (!p.shape().equals(shape)) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + p.shape() + ", the source has " + shape);
        }
        p.array.set(values); // in place: keeps the gradient attachment of the original array
    }

    /** Total number of scalar values in weights (buffers excluded). */
    public long weightCount() {
        return params.values().stream().filter(p -> p.kind == Kind.WEIGHT).mapToLong(p -> p.shape().size()).sum();
    }

    @Override
    public void close() {
        manager.close();
    }
}
