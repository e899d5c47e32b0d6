package ai.seamstream.labeler.work;

import ai.seamstream.labeler.LabelerConfig;
import ai.seamstream.labeler.LabelerMetrics;
import ai.seamstream.labeler.model.ModelManager;
import ai.seamstream.labeler.model.ServingModel;
import ai.seamstream.labeler.review.ReviewBudget;
import ai.seamstream.labeler.review.ReviewStrategy;
import ai.seamstream.schemas.TopicCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once loop on a thread of its own: poll labelled images (read committed) into a micro-batch until it
 * holds {@code batch.maxSize} images or {@code batch.maxWait} has passed since its first; run the pipeline on it with
 * the model serving at that moment; then in one Kafka transaction send its masks, dead letters and review requests
 * and the consumed offsets. A failed transaction is aborted and the consumer rewinds to the committed offsets, so
 * the batch is done again; a fenced producer (another process took this transactional id) stops the worker.
 * Records of partitions revoked in a rebalance are dropped from the unfinished batch (their new owner reads them
 * from the committed offset). Until a model serves, the worker does not join the group; while none serves later
 * (everything rolled back), its partitions are paused.
 */
public final class LabelerWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabelerWorker.class);

    private final LabelerConfig config;
    private final ModelManager models;
    private final BatchProcessor processor;
    private final ReviewBudget budget;
    private final LabelerMetrics metrics;
    private final LongSupplier clock;
    private final KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private final Thread thread;
    private final List<ConsumerRecord<String, byte[]>> buffer = new ArrayList<>();
    private long firstAt = -1;
    private volatile boolean running = true;
    private volatile boolean consuming;
    private volatile String stopReason;

    public LabelerWorker(LabelerConfig config, ModelManager models, ReviewStrategy strategy, LabelerMetrics metrics,
                         LongSupplier clock) {
        this.config = config;
        this.models = models;
        this.metrics = metrics;
        this.clock = clock;
        this.processor = new BatchProcessor(config, strategy, clock);
        this.budget = new ReviewBudget(config.review().budget(), config.review().window().toMillis(), clock);
        Properties c = new Properties();
        c.putAll(config.kafkaOverrides());
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.batch().maxSize()));
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(TopicCatalog.IMAGE_TOPIC_MAX_BYTES));
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, config.instance() + "-consumer");
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "labeler-worker");
    }

    private KafkaProducer<String, byte[]> newProducer() {
        Properties p = new Properties();
        p.putAll(config.kafkaOverrides());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(TopicCatalog.IMAGE_TOPIC_MAX_BYTES + 128 * 1024));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, config.instance() + "-producer");
        var prod = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        prod.initTransactions();
        return prod;
    }

    public void start() {
        thread.start();
    }

    /** Whether the worker has joined the group and consumes. */
    public boolean consuming() {
        return consuming;
    }

    /** Why the worker stopped for good (null while it runs). */
    public String stopReason() {
        return stopReason;
    }

    public boolean alive() {
        return thread.isAlive();
    }

    private void run() {
        try {
            while (running && !models.ready()) {
                Thread.sleep(50); // not ready: nothing is consumed until a model serves
            }
            if (!running) {
                return;
            }
            producer = newProducer();
            consumer.subscribe(List.of(config.topics().labelled()), new Listener());
            consuming = true;
            LOG.info("labeler: consuming {} as {} (batches of up to {}, {} ms wait)", config.topics().labelled(),
                    config.transactionalId(), config.batch().maxSize(), config.batch().maxWait().toMillis());
            while (running) {
                step();
            }
        } catch (WakeupException e) {
            if (running) {
                stopReason = "woken up unexpectedly";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProducerFencedException | FencedInstanceIdException e) {
            stopReason = "fenced by another instance with transactional id " + config.transactionalId() + ": " + e.getMessage();
            LOG.error("labeler: {}; stopping", stopReason);
        } catch (RuntimeException e) {
            stopReason = e.toString();
            LOG.error("labeler: worker stopped: {}", e.toString(), e);
        } finally {
            consuming = false;
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("labeler: closing the consumer: {}", e.toString());
            }
            if (producer != null) {
                try {
                    producer.close(Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                    LOG.warn("labeler: closing the producer: {}", e.toString());
                }
            }
        }
    }

    private void step() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (!models.ready()) {
            consumer.pause(assigned);
            consumer.poll(Duration.ofMillis(200));
            return;
        }
        if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
        long now = clock.getAsLong();
        long maxWait = config.batch().maxWait().toMillis();
        long wait = buffer.isEmpty() ? 200 : Math.max(0, Math.min(200, firstAt + maxWait - now));
        var records = consumer.poll(Duration.ofMillis(wait));
        for (var r : records) {
            if (buffer.isEmpty()) {
                firstAt = clock.getAsLong();
            }
            buffer.add(r);
        }
        if (buffer.isEmpty()) {
            return;
        }
        if (buffer.size() >= config.batch().maxSize() || clock.getAsLong() >= firstAt + maxWait) {
            int n = Math.min(buffer.size(), config.batch().maxSize());
            List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(buffer.subList(0, n));
            if (transact(batch)) {
                buffer.subList(0, n).clear();
                firstAt = buffer.isEmpty() ? -1 : clock.getAsLong();
            }
        }
    }

    /** Processes one batch in one transaction; false if it was aborted (the consumer is then rewound). */
    private boolean transact(List<ConsumerRecord<String, byte[]>> batch) {
        ServingModel model = models.forBatch();
        if (model == null) {
            return false;
        }
        var outcome = processor.process(batch, model);
        var ranked = outcome.masks().stream().filter(m -> m.review().score() >= config.review().minScore())
                .sorted(Comparator.comparingDouble((BatchProcessor.Made m) -> m.review().score()).reversed()).toList();
        long window = budget.windowStart();
        int granted = budget.take(ranked.size());
        long now = clock.getAsLong();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (var r : batch) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        try {
            producer.beginTransaction();
            for (var m : outcome.masks()) {
                producer.send(new ProducerRecord<>(config.topics().masks(), m.mask().getImageId(), m.mask().toByteArray()));
            }
            for (var d : outcome.refused()) {
                producer.send(new ProducerRecord<>(config.topics().deadLetter(), d.source().key(), d.deadLetter().toByteArray()));
            }
            for (int i = 0; i < granted; i++) {
                var m = ranked.get(i);
                producer.send(new ProducerRecord<>(config.topics().review(), m.mask().getImageId(),
                        processor.review(m, now).toByteArray()));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException | FencedInstanceIdException e) {
            budget.giveBack(granted, window);
            throw e;
        } catch (KafkaException e) {
            budget.giveBack(granted, window);
            metrics.aborted();
            LOG.warn("labeler: batch of {} aborted ({}); rewinding to the committed offsets", batch.size(), e.toString());
            try {
                producer.abortTransaction();
            } catch (ProducerFencedException | FencedInstanceIdException f) {
                throw f;
            } catch (KafkaException f) {
                LOG.warn("labeler: abort failed ({}); starting a new producer", f.toString());
                producer.close(Duration.ofSeconds(5));
                producer = newProducer();
            }
            rewind(consumer.assignment());
            buffer.clear();
            firstAt = -1;
            return false;
        }
        metrics.batch(batch.size(), outcome.inferenceNanos());
        metrics.refine(outcome.refineNanos(), outcome.masks().size());
        metrics.committed(outcome.masks().size(), granted);
        for (var m : outcome.masks()) {
            metrics.latency(m.mask().getLatency().getEndToEndMs());
        }
        for (var d : outcome.refused()) {
            metrics.deadLetter(d.deadLetter().getErrorCode());
            LOG.warn("labeler: dead letter {} {}-{}@{}: {}", d.deadLetter().getErrorCode(), d.source().topic(),
                    d.source().partition(), d.source().offset(), d.deadLetter().getError());
        }
        return true;
    }

    private void rewind(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata o = committed.get(tp);
            if (o == null) {
                fromStart.add(tp);
            } else {
                consumer.seek(tp, o);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drop(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("labeler: assigned {}", partitions);
        }

        private void drop(Collection<TopicPartition> partitions) {
            Set<TopicPartition> gone = new HashSet<>(partitions);
            int before = buffer.size();
            buffer.removeIf(r -> gone.contains(new TopicPartition(r.topic(), r.partition())));
            if (buffer.isEmpty()) {
                firstAt = -1;
            }
            if (before != buffer.size()) {
                LOG.info("labeler: dropped {} unfinished records of revoked partitions {}", before - buffer.size(), partitions);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(60_000);
    }
}
