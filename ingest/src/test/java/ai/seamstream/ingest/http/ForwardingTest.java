package ai.seamstream.ingest.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.devstack.SharedKafka;
import ai.seamstream.ingest.EmbeddedKafkaResource;
import ai.seamstream.ingest.streams.CrashSafeStreams;
import ai.seamstream.ingest.streams.ImageStateQuery;
import ai.seamstream.ingest.streams.StreamsSettings;
import ai.seamstream.ingest.topology.IngestConfig;
import ai.seamstream.ingest.topology.IngestTopology;
import ai.seamstream.ingest.topology.TestImages;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the ingest: the service under test and a second instance of the same Streams application in this
 * JVM (the real topology and {@link ImageStateQuery}, served over a plain JDK HTTP server with the service's JSON
 * view). A GET to the service for an id the second instance owns is answered by it, through the service.
 */
@QuarkusTest
@TestProfile(ForwardingTest.TwoInstances.class)
class ForwardingTest {
    /** The service advertises its own test port, so Streams metadata can name it. */
    public static class TwoInstances implements QuarkusTestProfile {
        static final int PORT = freePort();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.test-port", Integer.toString(PORT),
                    "seam.ingest.advertised-address", "127.0.0.1:" + PORT);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EmbeddedKafkaResource.class));
        }
    }

    static int freePort() {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Inject
    IngestConfig config;

    @Inject
    ObjectMapper json;

    @Test
    void anIdOwnedByTheOtherInstanceIsAnsweredThroughThisOne() throws Exception {
        String appId = ConfigProvider.getConfig().getValue("seam.ingest.application-id", String.class);
        int portB = freePort();
        var hostB = new HostInfo("127.0.0.1", portB);
        var served = ConcurrentHashMap.<String>newKeySet();
        var settingsB = new StreamsSettings(SharedKafka.get().bootstrapServers(), appId,
                Path.of("target", appId + "-b"), 1, 0, 100,
                Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, "127.0.0.1:" + portB));
        KafkaStreams b = CrashSafeStreams.create(IngestTopology.build(config), settingsB);
        var queryB = new ImageStateQuery(b, hostB);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", portB), 0);
        server.createContext("/v1/images/", exchange -> {
            String id = exchange.getRequestURI().getPath().substring("/v1/images/".length());
            var answer = queryB.lookup(id);
            int status;
            byte[] body;
            if (answer instanceof ImageStateQuery.Local l && (l.image() != null || l.labels() != null)) {
                if ("1".equals(exchange.getRequestHeaders().getFirst("X-Seam-Forwarded"))) {
                    served.add(id);
                }
                status = 200;
                body = json.writeValueAsBytes(Answers.view(id, l.image(), l.labels()));
            } else {
                status = 503;
                body = ("{\"error\":\"unavailable\",\"message\":\"" + answer + "\"}").getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        b.start();
        try {
            var ids = new ArrayList<String>();
            for (int i = 0; i < 12; i++) {
                String id = "fwd-" + UUID.randomUUID();
                ids.add(id);
                given().contentType("image/png").body(TestImages.png(8, 8, 900 + i)).queryParam("id", id)
                        .queryParam("tags", "horse").post("/v1/images").then().statusCode(202);
            }
            // every id answers through the service, wherever it lives, once both instances have settled
            long deadline = System.currentTimeMillis() + 90_000;
            var answered = new ArrayList<String>();
            while (answered.size() < ids.size() && System.currentTimeMillis() < deadline) {
                answered.clear();
                for (String id : ids) {
                    var r = given().get("/v1/images/" + id);
                    if (r.statusCode() == 200 && "labelled".equals(r.path("state"))) {
                        assertEquals(List.of("horse"), r.path("labels.classes"));
                        answered.add(id);
                    }
                }
                Thread.sleep(200);
            }
            assertEquals(ids, answered, "every id answered with its labels");
            assertTrue(!served.isEmpty(), "some ids were answered by the other instance through the service");
            // a request relayed once is never relayed again: the service answers 503 for an id it does not own
            String remoteId = served.iterator().next();
            given().header("X-Seam-Forwarded", "1").get("/v1/images/" + remoteId).then().statusCode(503);
        } finally {
            CrashSafeStreams.close(b, settingsB, Duration.ofSeconds(20));
            server.stop(0);
        }
    }
}
