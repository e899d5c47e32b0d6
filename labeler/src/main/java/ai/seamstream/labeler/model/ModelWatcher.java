package ai.seamstream.labeler.model;

import ai.seamstream.schemas.v1.ModelEvent;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the model topic (one partition, read committed) from its beginning on a thread of its own, without a
 * consumer group: every labeler instance sees every event. The history up to the end offset found at start is
 * folded in before anything loads, so a restart loads only the model that should serve; later events are acted on
 * as they come.
 */
public final class ModelWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelWatcher.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final ModelManager manager;
    private final Thread thread;
    private volatile boolean running = true;

    public ModelWatcher(String bootstrap, String topic, Map<String, String> overrides, ModelManager manager) {
        this.topic = topic;
        this.manager = manager;
        Properties p = new Properties();
        p.putAll(overrides);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "labeler-model-watcher");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            boolean caughtUp = end == 0;
            if (caughtUp) {
                LOG.info("labeler: no model events yet on {}; waiting for a promoted model", topic);
            }
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        ModelEvent e = ModelEvent.parseFrom(r.value());
                        LOG.info("labeler: model event {} {}", e.getModelVersion(), e.getStatus());
                        manager.apply(e);
                    } catch (InvalidProtocolBufferException ex) {
                        LOG.error("labeler: unreadable model event at {}-{} offset {}: {}", r.topic(), r.partition(), r.offset(),
                                ex.getMessage());
                    }
                }
                if (!caughtUp && consumer.position(tp) >= end) {
                    caughtUp = true;
                }
                if (caughtUp) {
                    manager.reconcile();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("labeler: the model watcher stopped: {}", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Whether the watcher thread is alive. */
    public boolean alive() {
        return thread.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(30_000);
    }
}
