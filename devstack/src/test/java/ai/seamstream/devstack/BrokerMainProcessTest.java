package ai.seamstream.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.schemas.TopicCatalog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker as a separate process: starts, creates the catalog, serves clients, stops on SIGTERM. */
class BrokerMainProcessTest {

    @Test
    void runsAsItsOwnProcessWithTheCatalogTopics(@TempDir Path dir) throws Exception {
        int port;
        int controllerPort;
        try (var a = new ServerSocket(0); var b = new ServerSocket(0)) {
            port = a.getLocalPort();
            controllerPort = b.getLocalPort();
        }
        Path data = dir.resolve("kafka");
        var pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BrokerMain.class.getName(),
                "--port", Integer.toString(port), "--controller-port", Integer.toString(controllerPort),
                "--data-dir", data.toString(), "--partitions", "2").redirectErrorStream(true);
        Process p = pb.start();
        try {
            String ready = null;
            try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("seamstream broker ready")) {
                        ready = line;
                        break;
                    }
                }
                assertTrue(ready != null, "the broker process never said it was ready");
                assertTrue(ready.contains("127.0.0.1:" + port), ready);
                var props = new Properties();
                props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
                try (Admin admin = Admin.create(props)) {
                    var topics = admin.describeTopics(List.of(TopicCatalog.IMAGES, TopicCatalog.MODELS))
                            .allTopicNames().get(30, TimeUnit.SECONDS);
                    assertEquals(2, topics.get(TopicCatalog.IMAGES).partitions().size());
                    assertEquals(1, topics.get(TopicCatalog.MODELS).partitions().size());
                }
                p.destroy(); // SIGTERM: the shutdown hook stops the broker and deletes its data
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the broker did not stop on SIGTERM");
            }
            assertTrue(!Files.exists(data), "data directory removed on exit without --keep");
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }
}
