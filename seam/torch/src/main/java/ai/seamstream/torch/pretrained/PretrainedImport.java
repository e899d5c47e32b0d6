package ai.seamstream.torch.pretrained;

import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.weights.DType;
import ai.seamstream.core.weights.WeightFile;
import ai.seamstream.torch.net.ParamStore;
import ai.seamstream.torch.pretrained.NameMapping.Scheme;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeSet;

/**
 * Loads a weight file into a network's {@link ParamStore} through {@link NameMapping}, checking names and shapes.
 *
 * <p>What a file is expected to hold depends on its scheme: an ImageNet ResNet-38 brings the backbone only, so the
 * heads ({@code fc8}, and the PCM's {@code f8_3}, {@code f8_4}, {@code f9}) keep their initialisation; a state dict
 * is expected to hold every tensor of the network. Strict mode fails, listing them all, on any missing, unexpected
 * or wrongly shaped tensor; lenient mode still fails on a wrong shape or a file of which nothing fits, and reports
 * the rest.
 */
public final class PretrainedImport {
    /** Name prefixes of the layers an ImageNet backbone does not have. */
    static final List<String> HEADS = List.of("fc8.", "f8_3.", "f8_4.", "f9.");

    private PretrainedImport() {
    }

    /**
     * What an import did.
     *
     * @param scheme     the naming scheme recognised in the file
     * @param loaded     tensors copied into the network
     * @param missing    network tensors the file was expected to hold but does not (they keep their values)
     * @param unexpected file tensors with no place in the network (by file name where no rule mapped them)
     * @param dropped    file tensors left out by design (the ImageNet classifier, BatchNorm counters)
     * @param kept       network tensors the file's scheme does not provide (heads after an ImageNet import)
     */
    public record Report(Scheme scheme, int loaded, List<String> missing, List<String> unexpected, List<String> dropped,
                         List<String> kept) {
        public Report {
            missing = List.copyOf(missing);
            unexpected = List.copyOf(unexpected);
            dropped = List.copyOf(dropped);
            kept = List.copyOf(kept);
        }

        /** One line for a log or the console. */
        public String summary() {
            return String.format("%s: %d tensors loaded, %d missing%s, %d unexpected%s, %d dropped, %d left at initialisation%s",
                    scheme, loaded, missing.size(), listed(missing), unexpected.size(), listed(unexpected), dropped.size(),
                    kept.size(), kept.isEmpty() ? "" : " (" + heads(kept) + ")");
        }

        private static String listed(List<String> names) {
            return names.isEmpty() ? "" : " " + (names.size() <= 8 ? names : names.subList(0, 8) + "…");
        }

        private static String heads(List<String> names) {
            var layers = new TreeSet<String>();
            names.forEach(n -> layers.add(n.substring(0, n.indexOf('.') < 0 ? n.length() : n.indexOf('.'))));
            return String.join(", ", layers);
        }
    }

    /**
     * Maps the file's names and copies every tensor that fits into the store.
     *
     * @throws IllegalArgumentException listing missing, unexpected and wrongly shaped tensors when strict and any
     *                                  exist; listing the wrongly shaped ones in any mode; when nothing fits
     */
    public static Report load(ParamStore store, WeightFile file, boolean strict) {
        NameMapping.Mapped mapped = NameMapping.map(file);
        var given = new LinkedHashMap<String, NamedTensor>();
        var unexpected = new ArrayList<>(mapped.unmapped());
        var wrong = new ArrayList<String>();
        for (NamedTensor t : mapped.tensors()) {
            if (given.put(t.name(), t) != null) {
                wrong.add(t.name() + " (given twice)");
            }
        }
        for (NamedTensor t : given.values()) {
            String from = mapped.sources().getOrDefault(t.name(), t.name());
            String label = from.equals(t.name()) ? t.name() : t.name() + " (file " + from + ")";
            if (!store.contains(t.name())) {
                unexpected.add(label);
                continue;
            }
            Shape want = store.param(t.name()).shape();
            if (!want.equals(new Shape(t.shape()))) {
                wrong.add(label + ": network " + want + ", file " + new Shape(t.shape()));
            }
            DType d = file.dtypes().get(from);
            if (d != null && !d.floating()) {
                wrong.add(label + ": " + d + " in the file, weights are floating point");
            }
        }
        var missing = new ArrayList<String>();
        var kept = new ArrayList<String>();
        for (ParamStore.Param p : store.all()) {
            if (given.containsKey(p.name())) {
                continue;
            }
            if (mapped.scheme() == Scheme.MXNET_IMAGENET && isHead(p.name())) {
                kept.add(p.name());
            } else {
                missing.add(p.name());
            }
        }
        if (!wrong.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            throw new IllegalArgumentException("weights do not fit the network (" + mapped.scheme() + " names): "
                    + missing.size() + " missing " + missing + "; " + unexpected.size() + " unexpected " + unexpected + "; "
                    + wrong.size() + " wrong " + wrong);
        }
        int loaded = 0;
        for (NamedTensor t : given.values()) {
            if (store.contains(t.name())) {
                store.assign(t.name(), new Shape(t.shape()), t.data());
                loaded++;
            }
        }
        if (loaded == 0) {
            throw new IllegalArgumentException("no tensor of the file fits the network (" + mapped.scheme() + " names; "
                    + unexpected.size() + " unexpected, e.g. " + unexpected.subList(0, Math.min(5, unexpected.size())) + ")");
        }
        return new Report(mapped.scheme(), loaded, missing, unexpected, mapped.dropped(), kept);
    }

    /** Whether the scheme's file provides the network's PCM heads. */
    public static boolean isHead(String name) {
        return HEADS.stream().anyMatch(name::startsWith);
    }
}
