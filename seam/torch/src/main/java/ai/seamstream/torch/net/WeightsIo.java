package ai.seamstream.torch.net;

import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Copies every tensor of a {@link ParamStore} to and from named float32 tensors (safetensors files). */
public final class WeightsIo {
    private WeightsIo() {
    }

    /** Snapshot of all tensors (weights and buffers) in store order. */
    public static List<NamedTensor> export(ParamStore store) {
        var out = new ArrayList<NamedTensor>();
        for (ParamStore.Param p : store.all()) {
            out.add(new NamedTensor(p.name(), p.shape().getShape(), p.array().toFloatArray()));
        }
        return out;
    }

    /** Writes all tensors to a safetensors file. */
    public static void save(ParamStore store, Path file, Map<String, String> metadata) throws IOException {
        SafeTensors.write(file, export(store), metadata);
    }

    /**
     * Loads tensors into the store by name; in strict mode the names and shapes must match exactly.
     *
     * @throws IllegalArgumentException listing missing, unexpected and wrongly shaped names
     */
    public static void load(ParamStore store, List<NamedTensor> tensors, boolean strict) {
        var missing = new TreeSet<String>();
        var unexpected = new TreeSet<String>();
        var wrongShape = new ArrayList<String>();
        var given = new java.util.HashMap<String, NamedTensor>();
        for (NamedTensor t : tensors) {
            given.put(t.name(), t);
            if (!store.contains(t.name())) {
                unexpected.add(t.name());
            } else if (!store.param(t.name()).shape().equals(new Shape(t.shape()))) {
                wrongShape.add(t.name() + " (model " + store.param(t.name()).shape() + ", file " + new Shape(t.shape()) + ")");
            }
        }
        for (ParamStore.Param p : store.all()) {
            if (!given.containsKey(p.name())) {
                missing.add(p.name());
            }
        }
        if (!wrongShape.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            throw new IllegalArgumentException("weights do not fit the network: missing " + missing + "; unexpected "
                    + unexpected + "; wrong shape " + wrongShape);
        }
        for (NamedTensor t : tensors) {
            if (store.contains(t.name())) {
                store.assign(t.name(), new Shape(t.shape()), t.data());
            }
        }
    }
}
