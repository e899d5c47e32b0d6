package ai.seamstream.labeler;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka client interceptor for the crash test's child process: every send to a topic named by
 * {@code seam.test.slow-topic} waits {@code seam.test.slow-ms} before it goes out (so a transaction stays open for a
 * while with some of its masks already on the log), and every such record the broker acknowledged is reported on
 * stdout as {@code acked KEY}. The labeler passes its Kafka overrides to all its clients, consumers included, so this
 * class is a consumer interceptor too; there it passes records through untouched.
 */
public final class SlowMaskSends implements ProducerInterceptor<String, byte[]>, ConsumerInterceptor<String, byte[]> {
    public static final String TOPIC = "seam.test.slow-topic";
    public static final String DELAY_MS = "seam.test.slow-ms";
    private String topic = "";
    private long delayMs;

    @Override
    public void configure(Map<String, ?> configs) {
        Object t = configs.get(TOPIC);
        Object d = configs.get(DELAY_MS);
        topic = t == null ? "" : t.toString();
        delayMs = d == null ? 0 : Long.parseLong(d.toString());
    }

    @Override
    public ProducerRecord<String, byte[]> onSend(ProducerRecord<String, byte[]> record) {
        if (record.topic().equals(topic) && delayMs > 0) {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        if (exception == null && metadata != null && metadata.topic().equals(topic)) {
            synchronized (System.out) {
                System.out.println("acked " + metadata.partition() + "@" + metadata.offset());
                System.out.flush();
            }
        }
    }

    @Override
    public ConsumerRecords<String, byte[]> onConsume(ConsumerRecords<String, byte[]> records) {
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        // nothing: the consumer side only passes records through
    }

    @Override
    public void close() {
        // nothing held
    }
}
