package ai.seamstream.ingest.streams;

import ai.seamstream.schemas.TopicCatalog;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams settings of the ingest: {@code exactly_once_v2}, records as large as the catalog allows on every
 * client and internal topic, and no record cache by default (each update is forwarded when processed).
 *
 * @param applicationId  consumer group and prefix of internal topics; instances with the same id share the work
 * @param stateDir       where local state stores live
 * @param threads        stream threads of this instance
 * @param cacheMaxBytes  record cache; 0 forwards every update, more coalesces updates of a key between commits
 * @param commitIntervalMs how often transactions commit (the latency floor of read-committed consumers)
 * @param extra          any other Streams/client property, applied last
 */
public record StreamsSettings(String bootstrapServers, String applicationId, Path stateDir, int threads,
                              long cacheMaxBytes, long commitIntervalMs, Map<String, String> extra) {
    public StreamsSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers must be given");
        }
        if (applicationId == null || !applicationId.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("application id must be letters, digits, '.', '_' or '-', got '"
                    + applicationId + "'");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("stream threads must be at least 1, got " + threads);
        }
        if (cacheMaxBytes < 0 || commitIntervalMs < 1) {
            throw new IllegalArgumentException("cache must be >= 0 and commit interval >= 1 ms");
        }
        extra = Map.copyOf(extra);
    }

    public Properties toProperties() {
        int maxBytes = TopicCatalog.defaults().maxMessageBytes();
        var p = new Properties();
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheMaxBytes);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        // images are up to the catalog's size: producers, fetches and the internal changelog/repartition topics
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxBytes);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), maxBytes);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), Math.max(maxBytes, 52_428_800));
        p.put(StreamsConfig.topicPrefix("max.message.bytes"), Integer.toString(maxBytes));
        p.putAll(extra);
        return p;
    }
}
