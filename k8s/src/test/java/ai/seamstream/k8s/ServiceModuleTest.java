package ai.seamstream.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceModuleTest {
    private static final String SETTINGS = """
            package x;
            import io.smallrye.config.ConfigMapping;
            import io.smallrye.config.WithDefault;
            import io.smallrye.config.WithName;
            import java.util.*;
            @ConfigMapping(prefix = "seam")
            public interface S {
                Kafka kafka();
                Svc svc();
                interface Kafka {
                    @WithDefault("127.0.0.1:9092")
                    String bootstrapServers();
                    Map<String, String> client();
                }
                interface Svc {
                    Optional<String> stateDir();
                    @WithName("threads") int threadCount();
                    List<Double> scales();
                    Leader leader();
                    default String notAKey() { return ""; }
                }
                interface Leader {
                    @WithDefault("t.leader") String topic();
                }
            }
            """;

    private static Path module(Path dir, String properties) throws IOException {
        Files.createDirectories(dir.resolve("src/main/java/x"));
        Files.createDirectories(dir.resolve("src/main/resources"));
        Files.writeString(dir.resolve("src/main/java/x/S.java"), SETTINGS);
        Files.writeString(dir.resolve("src/main/resources/application.properties"), properties);
        Files.writeString(dir.resolve("pom.xml"), """
                <project><dependencies>
                  <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-smallrye-health</artifactId></dependency>
                </dependencies></project>
                """);
        return dir;
    }

    @Test
    void readsTheMappingsKeysDefaultsAndMapsFromTheSources(@TempDir Path root) throws IOException {
        module(root.resolve("svc"), "quarkus.http.port=9000\nseam.extra=1\n");
        ServiceModule s = ServiceModule.load(root, "svc").orElseThrow();
        assertEquals(Set.of("seam.kafka.bootstrap-servers", "seam.svc.state-dir", "seam.svc.threads",
                "seam.svc.scales", "seam.svc.leader.topic"), s.mapped().keySet());
        assertEquals("t.leader", s.mapped().get("seam.svc.leader.topic"));
        assertEquals(Set.of("seam.kafka.client"), s.mapKeys());
        assertEquals(Set.of("quarkus-smallrye-health"), s.extensions());
        assertEquals(Optional.of("seam.svc.state-dir"), s.keyOfEnv("SEAM_SVC_STATE_DIR"));
        assertEquals(Optional.of("seam.kafka.client.*"), s.keyOfEnv("SEAM_KAFKA_CLIENT_SECURITY_PROTOCOL"));
        assertEquals(Optional.of("seam.extra"), s.keyOfEnv("SEAM_EXTRA"), "application.properties keys are read");
        assertEquals(Optional.empty(), s.keyOfEnv("SEAM_SVC_THREAD_COUNT"), "@WithName renames the key");
        assertEquals(Optional.empty(), s.keyOfEnv("SEAM_KAFKA_CLIENT_"));
        assertEquals(Optional.empty(), s.keyOfEnv("SEAM_SVC_NOT_A_KEY"));
        assertEquals(9000, s.httpPort());
        assertEquals("/q/health/live", s.livenessPath());
        assertEquals("/q/health/ready", s.readinessPath());
        assertEquals("/q/metrics", s.metricsPath());
        assertEquals(Optional.of("127.0.0.1:9092"), s.effective("seam.kafka.bootstrap-servers"));
    }

    @Test
    void healthPathsFollowQuarkusRootSettings(@TempDir Path root) throws IOException {
        module(root.resolve("svc"), """
                quarkus.http.non-application-root-path=/admin/
                quarkus.smallrye-health.root-path=hc
                quarkus.smallrye-health.liveness-path=alive
                """);
        ServiceModule s = ServiceModule.load(root, "svc").orElseThrow();
        assertEquals(8080, s.httpPort(), "Quarkus's default port");
        assertEquals("/admin/hc/alive", s.livenessPath());
        assertEquals("/admin/hc/ready", s.readinessPath());
    }

    @Test
    void aFolderWithoutAServiceIsAbsent(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("core/src/main/resources"));
        Files.writeString(root.resolve("core/pom.xml"), "<project/>");
        assertTrue(ServiceModule.load(root, "core").isEmpty());
        assertTrue(ServiceModule.load(root, "missing").isEmpty());
    }

    @Test
    void namesFollowMicroProfileRules() {
        assertEquals("bootstrap-servers", ServiceModule.kebab("bootstrapServers"));
        assertEquals("SEAM_INGEST_STATE_DIR", ServiceModule.envName("seam.ingest.state-dir"));
        assertEquals("QUARKUS_LOG_CATEGORY__KAFKA__LEVEL", ServiceModule.envName("quarkus.log.category.\"kafka\".level"));
    }
}
