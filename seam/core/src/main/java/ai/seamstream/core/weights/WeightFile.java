package ai.seamstream.core.weights;

import ai.seamstream.core.tensor.NamedTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of a weight file under the file's own names, in file order, as float32, with the element type each
 * had in the file.
 *
 * @param format  the file's format
 * @param tensors the tensors, converted to float32
 * @param dtypes  each tensor's element type in the file, by name
 */
public record WeightFile(WeightFormat format, List<NamedTensor> tensors, Map<String, DType> dtypes) {
    public WeightFile {
        tensors = List.copyOf(tensors);
        dtypes = Map.copyOf(dtypes);
    }

    /** Tensors by name, in file order. */
    public Map<String, NamedTensor> byName() {
        var m = new LinkedHashMap<String, NamedTensor>();
        tensors.forEach(t -> m.put(t.name(), t));
        return m;
    }

    /** Total number of values over all tensors. */
    public long valueCount() {
        return tensors.stream().mapToLong(NamedTensor::size).sum();
    }
}
