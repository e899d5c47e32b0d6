package ai.seamstream.k8s;

import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.TopicSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Writes one Strimzi {@code KafkaTopic} per topic of the {@link TopicCatalog}: name, partitions,
 * {@code cleanup.policy} and {@code max.message.bytes} come from the catalog, so the cluster's topics are the ones
 * every service was written against. {@code k8s/base/kafka/topics.yaml} is this class's output; a test fails when
 * the committed file differs from what the catalog gives now.
 *
 * <pre>mvn -B -q -pl k8s -am install -DskipTests &amp;&amp; mvn -B -q -pl k8s exec:java \
 *     -Dexec.mainClass=ai.seamstream.k8s.KafkaTopicManifests -Dexec.args="--out base/kafka/topics.yaml"</pre>
 *
 * @param cluster    the Strimzi {@code Kafka} resource the topics belong to (label {@code strimzi.io/cluster})
 * @param replicas   replication factor of every topic
 * @param partitions partition count of the data topics (the catalog keeps {@code seam.models.v1} at one)
 */
public record KafkaTopicManifests(String cluster, int replicas, int partitions) {
    /** Name of the {@code Kafka} resource in {@code k8s/base/kafka/kafka.yaml}. */
    public static final String DEFAULT_CLUSTER = "seam-kafka";
    /** Replication factor of the committed manifests (three brokers). */
    public static final int DEFAULT_REPLICAS = 3;
    /** The Strimzi API version the manifests use. */
    public static final String API_VERSION = "kafka.strimzi.io/v1";

    public KafkaTopicManifests {
        Objects.requireNonNull(cluster, "cluster");
        if (!cluster.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
            throw new IllegalArgumentException("not a valid Kubernetes resource name for the Kafka cluster: '"
                    + cluster + "'");
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, got " + replicas);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
    }

    /** The committed manifests' settings. */
    public static KafkaTopicManifests defaults() {
        return new KafkaTopicManifests(DEFAULT_CLUSTER, DEFAULT_REPLICAS, TopicCatalog.DEFAULT_PARTITIONS);
    }

    /** The YAML stream, one document per catalog topic, in the catalog's order. */
    public String render() {
        var sb = new StringBuilder();
        sb.append("# Generated from ai.seamstream.schemas.TopicCatalog by ai.seamstream.k8s.KafkaTopicManifests")
                .append(" (cluster ").append(cluster).append(", replicas ").append(replicas)
                .append(", partitions ").append(partitions).append("): do not edit, regenerate (docs/deploy.md).\n");
        for (TopicSpec t : TopicCatalog.withPartitions(partitions).all()) {
            sb.append("---\n");
            sb.append("apiVersion: ").append(API_VERSION).append('\n');
            sb.append("kind: KafkaTopic\n");
            sb.append("metadata:\n");
            sb.append("  name: ").append(t.name()).append('\n');
            sb.append("  labels:\n");
            sb.append("    strimzi.io/cluster: ").append(cluster).append('\n');
            sb.append("    app.kubernetes.io/part-of: seamstream\n");
            sb.append("spec:\n");
            sb.append("  topicName: ").append(t.name()).append('\n');
            sb.append("  partitions: ").append(t.partitions()).append('\n');
            sb.append("  replicas: ").append(replicas).append('\n');
            sb.append("  config:\n");
            for (Map.Entry<String, String> c : t.configs().entrySet()) {
                sb.append("    ").append(c.getKey()).append(": ").append(yamlScalar(c.getValue())).append('\n');
            }
        }
        return sb.toString();
    }

    /** Numbers stay numbers (Strimzi accepts both); words are quoted so YAML never reads them as booleans. */
    private static String yamlScalar(String v) {
        return v.matches("-?[0-9]+") ? v : "\"" + v + "\"";
    }

    /**
     * {@code --out FILE} (default: standard output), {@code --cluster NAME}, {@code --replicas N},
     * {@code --partitions N}.
     */
    public static void main(String[] args) throws IOException {
        var d = defaults();
        String cluster = d.cluster();
        int replicas = d.replicas();
        int partitions = d.partitions();
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--out" -> out = Path.of(v);
                case "--cluster" -> cluster = v;
                case "--replicas" -> replicas = Integer.parseInt(v);
                case "--partitions" -> partitions = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + a
                        + "; known: --out FILE, --cluster NAME, --replicas N, --partitions N");
            }
        }
        String yaml = new KafkaTopicManifests(cluster, replicas, partitions).render();
        if (out == null) {
            System.out.print(yaml);
        } else {
            Files.writeString(out, yaml, StandardCharsets.UTF_8);
            System.err.println("wrote " + out);
        }
    }
}
