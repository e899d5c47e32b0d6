package ai.seamstream.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kustomize subset: strategic merge, images, resources; and the comparison with the real kustomize. */
class KustomizeTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              template:
                spec:
                  tolerations:
                    - key: a
                      operator: Exists
                  containers:
                    - name: app
                      image: example/app:1.0
                      args: ["--x"]
                      ports:
                        - containerPort: 8080
                      env:
                        - name: A
                          value: "1"
                        - name: B
                          value: "2"
                      resources:
                        limits:
                          cpu: "1"
                    - name: side
                      image: example/side
            """;

    @Test
    void strategicMergeMergesContainersAndEnvByNameAndReplacesAtomicLists(@TempDir Path dir) throws IOException {
        write(dir, "d.yaml", DEPLOYMENT);
        write(dir, "p.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  template:
                    spec:
                      tolerations:
                        - key: b
                          operator: Exists
                      containers:
                        - name: app
                          args: ["--y"]
                          env:
                            - name: B
                              value: "3"
                            - name: C
                              value: "4"
                          resources:
                            limits:
                              gpu: 1
                """);
        write(dir, "kustomization.yaml", "resources: [d.yaml]\npatches:\n  - path: p.yaml\n");
        Map<String, Object> spec = podSpec(Kustomize.build(dir).get(0));
        assertEquals(List.of(Map.of("key", "b", "operator", "Exists")), spec.get("tolerations"));
        List<?> containers = (List<?>) spec.get("containers");
        assertEquals(2, containers.size(), "the untouched container stays");
        Map<?, ?> app = (Map<?, ?>) containers.get(0);
        assertEquals("example/app:1.0", app.get("image"), "fields the patch does not name stay");
        assertEquals(List.of("--y"), app.get("args"), "scalar lists are replaced");
        assertEquals(List.of(Map.of("name", "A", "value", "1"), Map.of("name", "B", "value", "3"),
                Map.of("name", "C", "value", "4")), app.get("env"));
        assertEquals(Map.of("cpu", "1", "gpu", 1), ((Map<?, ?>) app.get("resources")).get("limits"));
    }

    @Test
    void nullInAPatchDeletesTheField() {
        var target = new HashMap<String, Object>(Map.of("a", 1, "b", 2));
        var patch = new HashMap<String, Object>();
        patch.put("a", null);
        Kustomize.merge(target, patch, "t");
        assertEquals(Map.of("b", 2), target);
    }

    @Test
    void unimplementedFeaturesAreErrorsNotSilentlyIgnored(@TempDir Path dir) throws IOException {
        write(dir, "d.yaml", DEPLOYMENT);
        write(dir, "kustomization.yaml", "resources: [d.yaml]\nnamePrefix: x-\n");
        var e = assertThrows(UnsupportedOperationException.class, () -> Kustomize.build(dir));
        assertTrue(e.getMessage().contains("namePrefix"), e.getMessage());

        write(dir, "p.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          ports:
                            - containerPort: 80
                """);
        write(dir, "kustomization.yaml", "resources: [d.yaml]\npatches:\n  - path: p.yaml\n");
        e = assertThrows(UnsupportedOperationException.class, () -> Kustomize.build(dir));
        assertTrue(e.getMessage().contains("'ports'"), e.getMessage());
    }

    @Test
    void aPatchMustMatchExactlyOneResource(@TempDir Path dir) throws IOException {
        write(dir, "d.yaml", DEPLOYMENT);
        write(dir, "p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: other\nspec: {}\n");
        write(dir, "kustomization.yaml", "resources: [d.yaml]\npatches:\n  - path: p.yaml\n");
        var e = assertThrows(IllegalArgumentException.class, () -> Kustomize.build(dir));
        assertTrue(e.getMessage().contains("matches 0"), e.getMessage());
    }

    @Test
    void imagesAreRenamedAndRetaggedByNameWithoutTag(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("base"));
        write(dir.resolve("base"), "d.yaml", DEPLOYMENT);
        write(dir.resolve("base"), "kustomization.yaml", "resources: [d.yaml]\n");
        write(dir, "kustomization.yaml", """
                resources: [base]
                images:
                  - name: example/app
                    newName: reg/app
                  - name: example/side
                    newTag: "2"
                """);
        List<?> containers = (List<?>) podSpec(Kustomize.build(dir).get(0)).get("containers");
        assertEquals("reg/app:1.0", ((Map<?, ?>) containers.get(0)).get("image"));
        assertEquals("example/side:2", ((Map<?, ?>) containers.get(1)).get("image"));
        assertEquals("host:5000/a/b:9", Kustomize.replaceImage("a/b:1", "a/b", "host:5000/a/b", "9"));
        assertEquals("a/bc:1", Kustomize.replaceImage("a/bc:1", "a/b", "x", "9"), "a longer name is another image");
    }

    /**
     * The real renderer, where it is installed: {@code kubectl kustomize} must give the same resources as this
     * class for both overlays (compared as trees per kind and name; kustomize reorders resources by kind).
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void rendersLikeKubectlKustomize(String overlay) throws Exception {
        Path kubectl = onPath("kubectl");
        Assumptions.assumeTrue(kubectl != null,
                "kubectl is not on the PATH: the comparison with the real kustomize is not run here");
        Path dir = Manifests.repoRoot().resolve("k8s/overlays").resolve(overlay);
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize did not finish");
        assertEquals(0, p.exitValue(), "kubectl kustomize failed");
        Map<String, Object> theirs = byKindAndName(Kustomize.readAll(out));
        Map<String, Object> ours = byKindAndName(Kustomize.build(dir));
        assertEquals(theirs.keySet(), ours.keySet());
        for (String k : theirs.keySet()) {
            assertEquals(theirs.get(k), ours.get(k), k);
        }
        System.out.println("overlay " + overlay + ": " + ours.size() + " resources, the same as kubectl kustomize's");
    }

    private static Map<String, Object> byKindAndName(List<Map<String, Object>> docs) {
        var m = new HashMap<String, Object>();
        for (Map<String, Object> d : docs) {
            String key = d.get("apiVersion") + " " + d.get("kind") + " " + ((Map<?, ?>) d.get("metadata")).get("name");
            // compare through JSON so that both sides have the same scalar types
            assertEquals(null, m.put(key, Manifests.normalise(d)), "twice: " + key);
        }
        return m;
    }

    private static Path onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(File.pathSeparator)) {
            Path p = Path.of(d, exe);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> podSpec(Map<String, Object> deployment) {
        var spec = (Map<String, Object>) deployment.get("spec");
        var template = (Map<String, Object>) spec.get("template");
        return (Map<String, Object>) template.get("spec");
    }

    private static void write(Path dir, String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }
}
