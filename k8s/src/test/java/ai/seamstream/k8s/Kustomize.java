package ai.seamstream.k8s;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for the features {@code k8s/} uses and no more:
 * {@code resources} (files and directories with their own kustomization), {@code patches} given by {@code path}
 * (strategic merge patches, matched by kind and name) and {@code images}. Anything else in a kustomization, or a
 * patch construct this class does not implement, is an error naming what is missing, never silently ignored.
 * There is no kustomize for the JVM on Maven Central; {@code kubectl kustomize k8s/overlays/gpu} is the real
 * renderer, and {@code KustomizeTest} compares the two when {@code kubectl} is on the PATH.
 */
final class Kustomize {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> SUPPORTED_FIELDS = Set.of("apiVersion", "kind", "resources", "patches", "images");
    /** Strategic-merge keys of the lists this renderer merges (from the Kubernetes API's patchMergeKey tags). */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name",
            "initContainers", "name",
            "env", "name",
            "volumes", "name",
            "volumeMounts", "mountPath");
    /** Lists of objects that the Kubernetes API declares atomic (no patchMergeKey): a patch replaces them whole. */
    private static final Set<String> ATOMIC_LISTS = Set.of("tolerations");

    private Kustomize() {
    }

    /** The rendered resources of the kustomization in {@code dir}, in the order of its resources list. */
    static List<Map<String, Object>> build(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no kustomization.yaml in " + dir);
        }
        Map<String, Object> k = readOne(file);
        for (String field : k.keySet()) {
            if (!SUPPORTED_FIELDS.contains(field)) {
                throw new UnsupportedOperationException(file + ": field '" + field + "' is not implemented by this"
                        + " renderer (it knows " + SUPPORTED_FIELDS + "); render with kubectl kustomize");
            }
        }
        var out = new ArrayList<Map<String, Object>>();
        for (Object r : list(k.get("resources"), file, "resources")) {
            Path p = dir.resolve(String.valueOf(r)).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(build(p));
            } else if (Files.isRegularFile(p)) {
                out.addAll(readAll(p));
            } else {
                throw new IllegalArgumentException(file + ": resource '" + r + "' does not exist");
            }
        }
        for (Object entry : list(k.get("patches"), file, "patches")) {
            Map<String, Object> e = map(entry, file + ": patches entry");
            if (!e.keySet().equals(Set.of("path"))) {
                throw new UnsupportedOperationException(file + ": patches entry " + e + ": only {path: FILE} is"
                        + " implemented (no inline patches, targets or options); render with kubectl kustomize");
            }
            Map<String, Object> patch = readOne(dir.resolve(String.valueOf(e.get("path"))));
            applyPatch(out, patch, file);
        }
        for (Object entry : list(k.get("images"), file, "images")) {
            Map<String, Object> e = map(entry, file + ": images entry");
            for (String f : e.keySet()) {
                if (!Set.of("name", "newName", "newTag").contains(f)) {
                    throw new UnsupportedOperationException(file + ": images field '" + f + "' is not implemented");
                }
            }
            String name = Objects.requireNonNull((String) e.get("name"), file + ": images entry without name");
            for (Map<String, Object> res : out) {
                setImages(res, name, (String) e.get("newName"), e.get("newTag") == null ? null
                        : String.valueOf(e.get("newTag")));
            }
        }
        return out;
    }

    private static void applyPatch(List<Map<String, Object>> resources, Map<String, Object> patch, Path file) {
        String kind = (String) patch.get("kind");
        Map<String, Object> meta = map(patch.get("metadata"), file + ": patch metadata");
        String name = (String) meta.get("name");
        String group = group((String) patch.get("apiVersion"));
        var matches = new ArrayList<Map<String, Object>>();
        for (Map<String, Object> r : resources) {
            Map<String, Object> m = map(r.get("metadata"), "metadata");
            if (Objects.equals(kind, r.get("kind")) && Objects.equals(name, m.get("name"))
                    && group.equals(group((String) r.get("apiVersion")))) {
                matches.add(r);
            }
        }
        if (matches.size() != 1) {
            throw new IllegalArgumentException(file + ": the patch for " + kind + " " + name + " matches "
                    + matches.size() + " resources, not one");
        }
        merge(matches.get(0), patch, kind + "/" + name);
    }

    private static String group(String apiVersion) {
        int slash = apiVersion == null ? -1 : apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /** Strategic merge of {@code patch} into {@code target}, in place. */
    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> target, Map<String, Object> patch, String where) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String key = e.getKey();
            Object pv = e.getValue();
            String at = where + "." + key;
            if (key.startsWith("$")) {
                throw new UnsupportedOperationException(at + ": patch directive '" + key + "' is not implemented");
            }
            Object tv = target.get(key);
            if (pv == null) {
                target.remove(key);
            } else if (pv instanceof Map<?, ?> pm && tv instanceof Map<?, ?> tm) {
                merge((Map<String, Object>) tm, (Map<String, Object>) pm, at);
            } else if (pv instanceof List<?> pl && tv instanceof List<?> tl) {
                target.put(key, mergeList(key, (List<Object>) tl, (List<Object>) pl, at));
            } else {
                target.put(key, pv);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> mergeList(String field, List<Object> target, List<Object> patch, String where) {
        boolean objects = patch.stream().anyMatch(x -> x instanceof Map);
        if (!objects || ATOMIC_LISTS.contains(field)) {
            return new ArrayList<>(patch); // lists of scalars and atomic lists are replaced
        }
        String mergeKey = MERGE_KEYS.get(field);
        if (mergeKey == null) {
            throw new UnsupportedOperationException(where + ": merging list '" + field + "' is not implemented by"
                    + " this renderer (it merges " + MERGE_KEYS.keySet() + ", replaces " + ATOMIC_LISTS + ")");
        }
        var result = new ArrayList<>(target);
        for (Object p : patch) {
            Map<String, Object> pm = map(p, where + " element");
            Object id = pm.get(mergeKey);
            if (id == null) {
                throw new IllegalArgumentException(where + ": element without its merge key '" + mergeKey + "'");
            }
            Map<String, Object> existing = null;
            for (Object t : result) {
                if (t instanceof Map<?, ?> tm && id.equals(tm.get(mergeKey))) {
                    existing = (Map<String, Object>) tm;
                }
            }
            if (existing == null) {
                result.add(pm);
            } else {
                merge(existing, pm, where + "[" + mergeKey + "=" + id + "]");
            }
        }
        return result;
    }

    /** The images transformer: every container image whose name (without tag) is {@code name}. */
    @SuppressWarnings("unchecked")
    private static void setImages(Object node, String name, String newName, String newTag) {
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                if ((key.equals("containers") || key.equals("initContainers")) && e.getValue() instanceof List<?> l) {
                    for (Object c : l) {
                        if (c instanceof Map<?, ?> cm && cm.get("image") instanceof String image) {
                            String replaced = replaceImage(image, name, newName, newTag);
                            ((Map<String, Object>) cm).put("image", replaced);
                        }
                    }
                }
                setImages(e.getValue(), name, newName, newTag);
            }
        } else if (node instanceof List<?> l) {
            for (Object x : l) {
                setImages(x, name, newName, newTag);
            }
        }
    }

    static String replaceImage(String image, String name, String newName, String newTag) {
        String base = image;
        String tag = null;
        int at = image.indexOf('@');
        if (at >= 0) {
            throw new UnsupportedOperationException("image digests are not implemented: " + image);
        }
        int colon = image.lastIndexOf(':');
        if (colon > image.lastIndexOf('/')) {
            base = image.substring(0, colon);
            tag = image.substring(colon + 1);
        }
        if (!base.equals(name)) {
            return image;
        }
        String n = newName != null ? newName : base;
        String t = newTag != null ? newTag : tag;
        return t == null ? n : n + ":" + t;
    }

    private static List<Object> list(Object o, Path file, String field) {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException(file + ": '" + field + "' must be a list");
        }
        return new ArrayList<>(l);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(what + " must be a mapping, got " + o);
        }
        return (Map<String, Object>) o;
    }

    /** Every document of a YAML stream (empty documents skipped), as nested maps and lists. */
    static List<Map<String, Object>> readAll(Path file) {
        try (MappingIterator<Object> it = YAML.readerFor(Object.class).readValues(file.toFile())) {
            var out = new ArrayList<Map<String, Object>>();
            while (it.hasNext()) {
                Object doc = it.next();
                if (doc != null) {
                    out.add(new LinkedHashMap<>(map(doc, file + ": document")));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static List<Map<String, Object>> readAll(String yaml) {
        try (MappingIterator<Object> it = YAML.readerFor(Object.class).readValues(yaml)) {
            var out = new ArrayList<Map<String, Object>>();
            while (it.hasNext()) {
                Object doc = it.next();
                if (doc != null) {
                    out.add(map(doc, "document"));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse YAML", e);
        }
    }

    private static Map<String, Object> readOne(Path file) {
        List<Map<String, Object>> docs = readAll(file);
        if (docs.size() != 1) {
            throw new IllegalArgumentException(file + ": expected one YAML document, found " + docs.size());
        }
        return docs.get(0);
    }
}
