package ai.seamstream.trainer.service;

import ai.seamstream.core.image.ImageFetcher;
import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.trainer.dataset.TrainingSetStore;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link TrainingSetStore} a copy of the compacted {@code seam.labelled.v1}: every committed record is
 * upserted (the store keeps the newest label version), a tombstone removes the image.
 *
 * <p>It reads without a consumer group, assigning itself every partition, and keeps its positions in
 * {@code kafka-offsets.json} inside the store, written after the store is flushed. When that file is missing (a new
 * or lost store) it reads the topic from the beginning and, once caught up, removes images that the topic no longer
 * has. The store is <em>materialised</em> once the positions reach the end offsets (the last stable offsets under
 * read_committed) that the topic had at start.
 */
public final class LabelledMaterialiser implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabelledMaterialiser.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The positions file inside the store's folder. */
    public static final String OFFSETS_FILE = "kafka-offsets.json";

    private final TrainingSetStore store;
    private final String topic;
    private final Path offsetsFile;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch materialised = new CountDownLatch(1);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final ImageFetcher fetcher;
    private volatile boolean running = true;
    private volatile boolean rebuilding;
    private volatile Throwable failure;

    /** With {@link ImageFetcher#defaults()} for images given by URI. */
    public LabelledMaterialiser(TrainingSetStore store, String bootstrapServers, String topic, String clientId) {
        this(store, bootstrapServers, topic, clientId, ImageFetcher.defaults());
    }

    /** @param fetcher reads the bytes of images given by URI, which the store keeps like inline ones */
    public LabelledMaterialiser(TrainingSetStore store, String bootstrapServers, String topic, String clientId,
                                ImageFetcher fetcher) {
        this.fetcher = java.util.Objects.requireNonNull(fetcher, "fetcher");
        this.store = store;
        this.topic = topic;
        this.offsetsFile = store.root().resolve(OFFSETS_FILE);
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TopicCatalog.IMAGE_TOPIC_MAX_BYTES + 64 * 1024);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * TopicCatalog.IMAGE_TOPIC_MAX_BYTES);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::loop, "trainer-materialiser");
        this.thread.setDaemon(true);
    }

    /** Starts reading in its own thread. */
    public LabelledMaterialiser start() {
        thread.start();
        return this;
    }

    /** Whether the store has caught up with the topic as it was at start. */
    public boolean isMaterialised() {
        return materialised.getCount() == 0;
    }

    /** Waits until materialised; false on timeout. */
    public boolean awaitMaterialised(Duration timeout) throws InterruptedException {
        return materialised.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether this start read the topic from the beginning (no positions were kept). */
    public boolean rebuilding() {
        return rebuilding;
    }

    public boolean isAlive() {
        return thread.isAlive() && failure == null;
    }

    /** Why the reader stopped, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Records that changed the store (upserts that were applied). */
    public long applied() {
        return applied.get();
    }

    public long removed() {
        return removed.get();
    }

    /** Records that could not be stored (no inline bytes, unparseable, bad ids), reported in the log. */
    public long skipped() {
        return skipped.get();
    }

    private void loop() {
        try {
            List<TopicPartition> tps = partitions();
            consumer.assign(tps);
            Map<Integer, Long> saved = readOffsets();
            rebuilding = saved == null;
            for (TopicPartition tp : tps) {
                Long off = saved == null ? null : saved.get(tp.partition());
                if (off == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, off);
                }
            }
            Map<TopicPartition, Long> target = consumer.endOffsets(tps);
            long t0 = System.nanoTime();
            LOG.info("materialising {} into {} ({}; {} images in the store)", topic, store.root(),
                    rebuilding ? "rebuilding from the beginning" : "from kept positions", store.size());
            Set<String> seen = rebuilding ? new HashSet<>() : null;
            checkCaughtUp(tps, target, seen, t0);
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    for (ConsumerRecord<String, byte[]> r : records) {
                        apply(r, seen);
                    }
                    store.flush();
                    writeOffsets(tps);
                }
                if (!isMaterialised()) {
                    checkCaughtUp(tps, target, seen, t0);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("the materialiser of {} stopped", topic, e);
        }
    }

    private List<TopicPartition> partitions() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (running) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            Thread.sleep(500);
        }
        throw new InterruptedException("stopped");
    }

    private void apply(ConsumerRecord<String, byte[]> r, Set<String> seen) throws IOException {
        if (r.key() == null) {
            skipped.incrementAndGet();
            LOG.warn("{}-{}@{}: record without a key, skipped", r.topic(), r.partition(), r.offset());
            return;
        }
        if (r.value() == null) {
            if (seen != null) {
                seen.remove(r.key());
            }
            if (store.remove(r.key())) {
                removed.incrementAndGet();
            }
            return;
        }
        LabelledRecords.Decoded d = LabelledRecords.decode(r.key(), r.value(), fetcher);
        if (!d.ok()) {
            skipped.incrementAndGet();
            LOG.warn("{}-{}@{}: skipped: {}", r.topic(), r.partition(), r.offset(), d.problem());
            return;
        }
        if (seen != null) {
            seen.add(r.key());
        }
        if (store.upsert(d.image()) == TrainingSetStore.Upsert.APPLIED) {
            applied.incrementAndGet();
        }
    }

    private void checkCaughtUp(List<TopicPartition> tps, Map<TopicPartition, Long> target, Set<String> seen, long t0)
            throws IOException {
        for (TopicPartition tp : tps) {
            if (consumer.position(tp) < target.getOrDefault(tp, 0L)) {
                return;
            }
        }
        if (seen != null) {
            // a rebuild: what the compacted topic no longer has (tombstoned and compacted away) leaves the store too
            int gone = 0;
            for (var e : store.entries()) {
                if (!seen.contains(e.imageId())) {
                    store.remove(e.imageId());
                    gone++;
                }
            }
            if (gone > 0) {
                LOG.info("rebuild: removed {} images the topic no longer has", gone);
                removed.addAndGet(gone);
            }
            seen.clear();
        }
        store.flush();
        writeOffsets(tps);
        materialised.countDown();
        LOG.info("training set materialised from {}: {} images in {} ms", topic, store.size(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    private Map<Integer, Long> readOffsets() {
        if (!Files.isRegularFile(offsetsFile)) {
            return null;
        }
        try {
            Map<String, Long> m = JSON.readValue(offsetsFile.toFile(), new TypeReference<Map<String, Long>>() { });
            var out = new HashMap<Integer, Long>();
            m.forEach((k, v) -> out.put(Integer.parseInt(k), v));
            return out;
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} is unreadable ({}); rebuilding the training set from the beginning", offsetsFile, e.toString());
            return null;
        }
    }

    private void writeOffsets(List<TopicPartition> tps) throws IOException {
        var m = new TreeMap<String, Long>();
        for (TopicPartition tp : tps) {
            m.put(Integer.toString(tp.partition()), consumer.position(tp));
        }
        Path tmp = offsetsFile.resolveSibling(OFFSETS_FILE + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(m));
        Files.move(tmp, offsetsFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
