package ai.seamstream.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The images: each service's Dockerfile copies the Quarkus fast-jar layout and exposes the port the pods use. */
class DockerfilesTest {
    private static final Pattern EXPOSE = Pattern.compile("(?m)^EXPOSE\\s+(\\d+)\\s*$");
    private static final Pattern COPY = Pattern.compile("(?m)^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s+(\\S+)\\s*$");

    @ParameterizedTest
    @ValueSource(strings = {"ingest", "labeler", "trainer"})
    void dockerfileRunsTheFastJarOnTheServicesPort(String service) throws IOException {
        Path root = Manifests.repoRoot();
        String text = Files.readString(root.resolve("k8s/docker").resolve(service).resolve("Dockerfile"),
                StandardCharsets.UTF_8);
        var sources = new ArrayList<String>();
        Matcher c = COPY.matcher(text);
        while (c.find()) {
            sources.add(c.group(1));
        }
        assertEquals(List.of("target/quarkus-app/lib/", "target/quarkus-app/quarkus/", "target/quarkus-app/app/",
                "target/quarkus-app/quarkus-run.jar"), sources, service + ": the fast-jar layout, nothing else");
        assertTrue(text.contains("-jar /deployments/quarkus-run.jar"), service + ": runs quarkus-run.jar");
        assertTrue(text.contains("\nUSER 185\n"), service + ": not root");

        Matcher e = EXPOSE.matcher(text);
        assertTrue(e.find(), service + ": EXPOSE");
        int exposed = Integer.parseInt(e.group(1));
        Deployment d = Manifests.render("cpu").get(Deployment.class, "seam-" + service);
        assertEquals(d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getContainerPort(),
                exposed, service + ": the port of the Deployment");
        Optional<ServiceModule> module = ServiceModule.load(root, service);
        if (module.isEmpty()) {
            System.out.println("NOT CHECKED: the " + service + " service module is not in this checkout, so EXPOSE "
                    + exposed + " is not checked against its quarkus.http.port");
        }
        module.ifPresent(s -> assertEquals(s.httpPort(), exposed, service + ": quarkus.http.port"));
    }
}
