package ai.seamstream.trainer.service;

import ai.seamstream.trainer.policy.JobGuard;
import ai.seamstream.trainer.policy.LocalJobGuard;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training job at a time across instances: every trainer joins the consumer group {@code group} on a topic with a
 * single partition, and the member that the group assigns that partition to is the leader. Only the leader admits a
 * job (then, within the process, one at a time as {@link LocalJobGuard}). A crashed leader's partition moves after
 * the session timeout; a leader that closes leaves the group at once. The consumer polls in its own thread so that
 * the membership stays alive while a job runs; when the partition is revoked or lost, {@code onLost} runs (the
 * service cancels its running job).
 */
public final class KafkaLeaderGuard implements JobGuard, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLeaderGuard.class);

    private final LocalJobGuard local = new LocalJobGuard();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final String instanceId;
    private final Runnable onLost;
    private final Thread thread;
    private final CountDownLatch joined = new CountDownLatch(1);
    private volatile boolean leader;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /**
     * @param topic  a topic with exactly one partition (nothing is read from it)
     * @param onLost run in the guard's thread when this instance stops being the leader
     */
    public KafkaLeaderGuard(String bootstrapServers, String topic, String group, String instanceId, Duration sessionTimeout,
                            Runnable onLost) {
        this.topic = topic;
        this.instanceId = instanceId;
        this.onLost = onLost == null ? () -> { } : onLost;
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, instanceId + "-leader");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // cooperative rebalancing: a member joining or leaving does not take the partition from the leader (the eager
        // protocol revokes every partition on each rebalance, which would cancel the running job whenever an instance
        // starts)
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
        int session = (int) Math.max(6000, sessionTimeout.toMillis());
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, session);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(500, session / 5));
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::loop, "trainer-leader");
        this.thread.setDaemon(true);
    }

    public KafkaLeaderGuard start() {
        thread.start();
        return this;
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        lose("revoked");
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty() && !leader) {
                        leader = true;
                        LOG.info("{} is the trainer leader ({} partition {})", instanceId, topic, partitions);
                    }
                    joined.countDown();
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    lose("lost");
                }
            });
            while (running) {
                consumer.poll(Duration.ofMillis(200));
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("leadership consumer stopped", e);
        } finally {
            if (leader) {
                lose("closed");
            }
        }
    }

    private void lose(String why) {
        if (leader) {
            leader = false;
            LOG.warn("{} is no longer the trainer leader ({})", instanceId, why);
            onLost.run();
        }
    }

    /** Whether this instance owns the leadership partition now. */
    public boolean isLeader() {
        return leader;
    }

    /** Waits until the group assigned partitions at least once (this instance may or may not lead). */
    public boolean awaitJoined(Duration timeout) throws InterruptedException {
        return joined.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isAlive() {
        return thread.isAlive() && failure == null;
    }

    @Override
    public Optional<Lease> tryAcquire(String jobId) {
        if (!leader) {
            return Optional.empty();
        }
        return local.tryAcquire(jobId);
    }

    @Override
    public Optional<String> holder() {
        return local.holder();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
