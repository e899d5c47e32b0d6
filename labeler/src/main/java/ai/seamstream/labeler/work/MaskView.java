package ai.seamstream.labeler.work;

import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.v1.Mask;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest committed mask of every image, for {@code GET /v1/masks/{imageId}}: reads the whole mask topic (all
 * partitions, read committed, no group) into a map bounded to the {@code capacity} most recently updated images.
 * Every instance keeps the whole view, so any instance answers for any image.
 */
public final class MaskView implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MaskView.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Map<String, Mask> latest;
    private final Thread thread;
    private volatile boolean running = true;

    public MaskView(String bootstrap, String topic, Map<String, String> overrides, int capacity) {
        this.topic = topic;
        Properties p = new Properties();
        p.putAll(overrides);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(TopicCatalog.IMAGE_TOPIC_MAX_BYTES));
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.latest = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Mask> e) {
                return size() > capacity;
            }
        };
        this.thread = new Thread(this::run, "labeler-mask-view");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            var parts = new ArrayList<TopicPartition>();
            for (var info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (running) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    synchronized (latest) {
                        if (r.value() == null) {
                            latest.remove(r.key());
                            continue;
                        }
                        try {
                            Mask m = Mask.parseFrom(r.value());
                            latest.remove(m.getImageId()); // re-insert: most recently updated last
                            latest.put(m.getImageId(), m);
                        } catch (InvalidProtocolBufferException e) {
                            LOG.warn("labeler: unreadable mask at {}-{}@{}", r.topic(), r.partition(), r.offset());
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("labeler: the mask view stopped: {}", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    public Optional<Mask> get(String imageId) {
        synchronized (latest) {
            return Optional.ofNullable(latest.get(imageId));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
