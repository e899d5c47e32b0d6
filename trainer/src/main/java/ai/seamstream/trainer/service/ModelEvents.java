package ai.seamstream.trainer.service;

import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.v1.ModelEvent;
import ai.seamstream.schemas.v1.Provenance;
import ai.seamstream.trainer.registry.ModelManifest;
import ai.seamstream.trainer.registry.ModelStatus;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a registry version's status on {@code seam.models.v1} as a {@code seamstream.v1.ModelEvent}, keyed by the
 * model version (the topic is compacted: its last event per version is the version's status).
 */
public final class ModelEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Function<ModelManifest, URI> manifestUri;

    /**
     * @param manifestUri where a version's model is reached (a {@code file:} or {@code http:} URI): the exported ONNX
     *                    model's {@code model.json} when there is one (what the labeler loads), else the version's own
     */
    public ModelEvents(String bootstrapServers, String topic, String clientId, Function<ModelManifest, URI> manifestUri) {
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TopicCatalog.SMALL_TOPIC_MAX_BYTES);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.manifestUri = manifestUri;
    }

    /** The proto status of a registry status. */
    public static ai.seamstream.schemas.v1.ModelStatus status(ModelStatus s) {
        return switch (s) {
            case CANDIDATE -> ai.seamstream.schemas.v1.ModelStatus.MODEL_STATUS_CANDIDATE;
            case PROMOTED -> ai.seamstream.schemas.v1.ModelStatus.MODEL_STATUS_PROMOTED;
            case REJECTED -> ai.seamstream.schemas.v1.ModelStatus.MODEL_STATUS_REJECTED;
            case ROLLED_BACK -> ai.seamstream.schemas.v1.ModelStatus.MODEL_STATUS_ROLLED_BACK;
        };
    }

    /**
     * The event for {@code m} in its current status. {@code sha256} is the exported (ONNX) file's, empty while the
     * version has no export; {@code training_images} is the job's training-set size.
     */
    public static ModelEvent event(ModelManifest m, URI manifestUri, String reason, long timeMs) {
        var prov = Provenance.newBuilder()
                .setTrainingSetSnapshot(nz(m.snapshotId()))
                .setParentModelVersion(nz(m.parentVersion()))
                .setSeed(m.seed())
                .setCodeVersion(nz(m.codeVersion()))
                .setConfig(configJson(m));
        Double n = m.metrics().get("trainImages");
        if (n != null) {
            prov.setTrainingImages(Math.round(n));
        }
        var b = ModelEvent.newBuilder()
                .setModelVersion(m.version())
                .setStatus(status(m.status()))
                .setUri(manifestUri.toString())
                .setSha256(m.onnx() == null ? "" : nz(m.onnx().sha256()))
                .setProvenance(prov)
                .setTimeMs(timeMs)
                .setReason(nz(reason));
        m.metrics().forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                b.putMetrics(k, v);
            }
        });
        return b.build();
    }

    /** Sends the event of {@code m} and waits for the broker's acknowledgement. */
    public ModelEvent publish(ModelManifest m, String reason) {
        ModelEvent e = event(m, manifestUri.apply(m), reason, System.currentTimeMillis());
        try {
            producer.send(new ProducerRecord<>(topic, m.version(), e.toByteArray())).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the event of " + m.version(), ex);
        } catch (ExecutionException | TimeoutException ex) {
            throw new IllegalStateException("could not publish the " + m.status() + " event of " + m.version() + " on "
                    + topic + ": " + ex.getMessage(), ex);
        }
        LOG.info("model event: {} {} on {}", m.version(), m.status(), topic);
        return e;
    }

    private static String configJson(ModelManifest m) {
        try {
            return JSON.writeValueAsString(m.configuration());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("configuration of " + m.version() + " is not JSON", e);
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
