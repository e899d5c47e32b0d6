package ai.seamstream.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.schemas.TopicCatalog;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaTopicManifestsTest {

    /** The committed topics are the catalog's: a change of the catalog without regenerating fails here. */
    @Test
    void committedTopicsYamlIsTheGeneratorsOutputForTheCatalog() throws IOException {
        Path committed = Manifests.repoRoot().resolve("k8s/base/kafka/topics.yaml");
        assertEquals(KafkaTopicManifests.defaults().render(), Files.readString(committed, StandardCharsets.UTF_8),
                "k8s/base/kafka/topics.yaml differs from the topic catalog: regenerate it (docs/deploy.md)");
    }

    /** Parsed with Strimzi's model, each topic carries the catalog's settings, independently of the text above. */
    @Test
    void eachTopicParsesIntoStrimzisModelWithTheCatalogsSettings() {
        var m = new KafkaTopicManifests("other", 2, 12);
        List<Map<String, Object>> docs = Kustomize.readAll(m.render());
        var catalog = TopicCatalog.withPartitions(12);
        assertEquals(catalog.all().size(), docs.size());
        var serialization = Manifests.serialization();
        for (int i = 0; i < docs.size(); i++) {
            KafkaTopic t = serialization.unmarshal(Manifests.toJson(docs.get(i)));
            var spec = catalog.all().get(i);
            assertEquals(spec.name(), t.getSpec().getTopicName());
            assertEquals(spec.name(), t.getMetadata().getName());
            assertEquals("other", t.getMetadata().getLabels().get("strimzi.io/cluster"));
            assertEquals(2, t.getSpec().getReplicas());
            assertEquals(spec.name().equals(TopicCatalog.MODELS) ? 1 : 12, t.getSpec().getPartitions());
            assertEquals(spec.compacted() ? "compact" : "delete", t.getSpec().getConfig().get("cleanup.policy"));
            assertEquals(spec.maxMessageBytes(), ((Number) t.getSpec().getConfig().get("max.message.bytes")).intValue());
        }
    }

    @Test
    void mainWritesTheFileAndRejectsBadOptions(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("t.yaml");
        PrintStream err = System.err;
        try {
            System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            KafkaTopicManifests.main(new String[] {"--out", out.toString(), "--replicas", "1", "--partitions", "3"});
        } finally {
            System.setErr(err);
        }
        assertEquals(new KafkaTopicManifests("seam-kafka", 1, 3).render(), Files.readString(out));
        var e = assertThrows(IllegalArgumentException.class, () -> KafkaTopicManifests.main(new String[] {"--x", "1"}));
        assertTrue(e.getMessage().contains("--out FILE"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KafkaTopicManifests.main(new String[] {"--out"}));
        assertThrows(IllegalArgumentException.class, () -> new KafkaTopicManifests("Bad_Name", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new KafkaTopicManifests("ok", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new KafkaTopicManifests("ok", 1, 0));
    }
}
