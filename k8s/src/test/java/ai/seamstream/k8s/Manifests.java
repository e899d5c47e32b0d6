package ai.seamstream.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An overlay rendered by {@link Kustomize} and parsed into the fabric8 Kubernetes model (Strimzi's model for its
 * resources); kinds neither model knows (KEDA's ScaledObject) become {@link GenericKubernetesResource}s.
 */
final class Manifests {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Kinds that must parse into a typed model class; anything else is a test failure, not a generic resource. */
    private static final Set<String> GENERIC_KINDS = Set.of("keda.sh/v1alpha1/ScaledObject");

    final String overlay;
    final List<HasMetadata> resources;

    private Manifests(String overlay, List<HasMetadata> resources) {
        this.overlay = overlay;
        this.resources = resources;
    }

    /** The repository root: the {@code seam.repo.root} system property (set by the pom) or the working folder's parent. */
    static Path repoRoot() {
        String p = System.getProperty("seam.repo.root");
        Path root = (p != null ? Path.of(p) : Path.of("..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("k8s/base/kustomization.yaml"))) {
            throw new IllegalStateException("not the repository root (no k8s/base/kustomization.yaml): " + root);
        }
        return root;
    }

    static KubernetesSerialization serialization() {
        var s = new KubernetesSerialization();
        // the manifests use Strimzi's v1 API (KafkaTopicManifests.API_VERSION)
        s.registerKubernetesResource(KafkaTopicManifests.API_VERSION, "Kafka", Kafka.class);
        s.registerKubernetesResource(KafkaTopicManifests.API_VERSION, "KafkaNodePool", KafkaNodePool.class);
        s.registerKubernetesResource(KafkaTopicManifests.API_VERSION, "KafkaTopic", KafkaTopic.class);
        return s;
    }

    /** Renders {@code k8s/overlays/NAME} and parses every resource; fields the model does not know are failures. */
    static Manifests render(String overlay) {
        Path dir = repoRoot().resolve("k8s/overlays").resolve(overlay);
        var serialization = serialization();
        var out = new ArrayList<HasMetadata>();
        for (Map<String, Object> doc : Kustomize.build(dir)) {
            String json = toJson(doc);
            HasMetadata r = serialization.unmarshal(json);
            String gvk = r.getApiVersion() + "/" + r.getKind();
            if (r instanceof GenericKubernetesResource && !GENERIC_KINDS.contains(gvk)) {
                throw new AssertionError(overlay + ": " + gvk + " " + r.getMetadata().getName()
                        + " is no kind the Kubernetes or Strimzi model knows");
            }
            if (!(r instanceof GenericKubernetesResource)) {
                List<String> unknown = new ArrayList<>();
                unknownFields(r, gvk + " " + r.getMetadata().getName(), unknown, new IdentityHashMap<>());
                if (!unknown.isEmpty()) {
                    throw new AssertionError(overlay + ": fields the model does not know (typos?): " + unknown);
                }
            }
            out.add(r);
        }
        return new Manifests(overlay, out);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        List<T> found = all(type).stream().filter(r -> name.equals(r.getMetadata().getName())).toList();
        if (found.size() != 1) {
            throw new AssertionError(overlay + ": expected one " + type.getSimpleName() + " named " + name
                    + ", found " + found.size());
        }
        return found.get(0);
    }

    GenericKubernetesResource generic(String kind, String name) {
        return all(GenericKubernetesResource.class).stream()
                .filter(r -> kind.equals(r.getKind()) && name.equals(r.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": no " + kind + " named " + name));
    }

    static String toJson(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same tree with JSON's scalar types (so trees read by different parsers compare equal). */
    static Object normalise(Object tree) {
        try {
            return JSON.readValue(toJson(tree), Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Walks the model's getters and collects every non-empty {@code additionalProperties}: the fabric8 and Strimzi
     * models keep fields they do not know there instead of failing, which would hide a misspelt field.
     */
    private static void unknownFields(Object o, String path, List<String> out, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object x : c) {
                unknownFields(x, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        String pkg = o.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8.kubernetes.api.model") && !pkg.startsWith("io.strimzi.api")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> map && !map.isEmpty()) {
                    out.add(path + ": " + map.keySet());
                }
            } else if (!(v instanceof Map<?, ?>)) {
                unknownFields(v, path + "." + m.getName().substring(3), out, seen);
            }
        }
    }
}
