package ai.seamstream.labeler.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.seamstream.devstack.EmbeddedKafka;
import ai.seamstream.devstack.KafkaBrokerExtension;
import ai.seamstream.labeler.Labeler;
import ai.seamstream.labeler.LabelerConfig;
import ai.seamstream.labeler.Streams;
import ai.seamstream.labeler.TestModels;
import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.v1.Mask;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/labeler-bench}: masks per second and end-to-end latency of the labeler on the embedded broker, with the
 * small SEAM backbone (width 1/16, random weights, exported by the real exporter), at several batch sizes.
 *
 * <p>Per batch size and run: a fresh labeler (own topics, model promoted, warmed up with a few images), then
 * <ol>
 *   <li><b>burst</b>: {@code images} labelled images sent at once; throughput = images / (first send → last mask
 *   received), latency under a backlog;</li>
 *   <li><b>paced</b>: {@code paced} images at {@code rate} per second, below capacity; latency without a backlog,
 *   where the batch wait shows.</li>
 * </ol>
 * Latency runs from the labelled record's send (its produce time) to the receipt of its mask by a read-committed
 * consumer in the same JVM (so after the mask's transaction committed). Figures are medians over the runs.
 *
 * <p>System properties (defaults): {@code labeler.bench.batches} (1,4,8,16), {@code labeler.bench.runs} (3),
 * {@code labeler.bench.warmup-runs} (1, discarded rounds first), {@code labeler.bench.images} (400), {@code labeler.bench.paced} (40), {@code labeler.bench.rate} (10),
 * {@code labeler.bench.size} (64, image side), {@code labeler.bench.wait-ms} (50, batch max wait),
 * {@code labeler.bench.inference-batch} (32, views per ONNX Runtime run), {@code labeler.bench.threads} (1, ORT
 * intra-op), {@code labeler.bench.out} (folder of labeler.md/labeler.json, default {@code ../docs/benchmarks}).
 */
@ExtendWith(KafkaBrokerExtension.class)
@EnabledIfSystemProperty(named = "labeler.bench", matches = "true")
class LabelerBench {
    @TempDir
    Path cache;

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    record Run(double masksPerS, double burstP50, double burstP99, double pacedP50, double pacedP99, double meanBatch) {
    }

    @Test
    void bench(EmbeddedKafka kafka) throws Exception {
        int[] batches = Arrays.stream(System.getProperty("labeler.bench.batches", "1,4,8,16").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int runs = Integer.getInteger("labeler.bench.runs", 3);
        int warmupRuns = Integer.getInteger("labeler.bench.warmup-runs", 1);
        int images = Integer.getInteger("labeler.bench.images", 400);
        int paced = Integer.getInteger("labeler.bench.paced", 40);
        double rate = Double.parseDouble(System.getProperty("labeler.bench.rate", "10"));
        int size = Integer.getInteger("labeler.bench.size", 64);
        int waitMs = Integer.getInteger("labeler.bench.wait-ms", 50);
        int inferenceBatch = Integer.getInteger("labeler.bench.inference-batch", 32);
        int threads = Integer.getInteger("labeler.bench.threads", 1);
        Path out = Path.of(System.getProperty("labeler.bench.out", "../docs/benchmarks"));
        if (batches.length == 0 || runs < 1 || warmupRuns < 0 || images < 1 || paced < 0 || !(rate > 0)) {
            throw new IllegalArgumentException("bad bench settings");
        }
        Path model = TestModels.model(1);
        String sha = TestModels.sha(model);
        // the same images for every run: noisy, tagged "cat"
        List<byte[]> payloadImages = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            payloadImages.add(ai.seamstream.core.image.ImageEncoder.png(Streams.image(i, size, size, true)));
        }
        Map<Integer, List<Run>> all = new LinkedHashMap<>();
        String loadBefore = loadAverage();
        int seq = 0;
        // warm-up rounds (the JIT, ONNX Runtime's allocations, the broker's log segments), then the measured rounds
        for (int r = 0; r < warmupRuns + runs; r++) {
            for (int b : batches) { // interleaved, so a load change on the machine touches every batch size alike
                String prefix = "bench" + (seq++) + ".";
                Run run = once(kafka, prefix, model, sha, payloadImages, b, waitMs, inferenceBatch, threads, images, paced, rate);
                boolean warm = r < warmupRuns;
                if (!warm) {
                    all.computeIfAbsent(b, k -> new ArrayList<>()).add(run);
                }
                System.out.printf(Locale.ROOT, "labeler bench: batch %d %s %d: %s%n", b, warm ? "warm-up" : "run",
                        warm ? r + 1 : r - warmupRuns + 1, run);
            }
        }
        String load = loadBefore + " at the start, " + loadAverage() + " at the end";
        write(out, all, load, runs, warmupRuns, images, paced, rate, size, waitMs, inferenceBatch, threads);
    }

    private Run once(EmbeddedKafka kafka, String prefix, Path model, String sha, List<byte[]> payloads, int batch,
                     int waitMs, int inferenceBatch, int threads, int images, int paced, double rate) throws Exception {
        var t = Streams.topics(kafka, prefix, 1);
        var cfg = new LabelerConfig(kafka.bootstrapServers(), prefix + "g", prefix + "g-a", "a", t,
                new LabelerConfig.Batching(batch, Duration.ofMillis(waitMs), inferenceBatch), cache.resolve(prefix),
                threads, 24, 40_000_000L, LabelerConfig.Review.defaults(), Map.of());
        var sent = new ConcurrentHashMap<String, Long>();
        var received = new ConcurrentHashMap<String, Long>();
        var stop = new AtomicBoolean();
        Thread reader = new Thread(() -> read(kafka, t.masks(), received, stop), "bench-reader");
        reader.start();
        var registry = new SimpleMeterRegistry();
        try (var producer = Streams.producer(kafka); var labeler = new Labeler(cfg, registry).start()) {
            Streams.promote(producer, t, "v1", model, sha);
            Streams.waitFor(Duration.ofSeconds(120), () -> labeler.worker().consuming(), "the labeler to consume");
            // warm-up
            List<String> warm = new ArrayList<>();
            for (int i = 0; i < 2 * batch + 4; i++) {
                warm.add(send(producer, t.labelled(), "warm-" + i, payloads.get(i % payloads.size()), sent));
            }
            producer.flush();
            Streams.waitFor(Duration.ofSeconds(120), () -> received.keySet().containsAll(warm), "the warm-up masks");
            double batchesBefore = registry.find("seam.labeler.batch.size").summary() == null ? 0
                    : registry.find("seam.labeler.batch.size").summary().count();
            // burst
            List<String> burst = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < images; i++) {
                burst.add(send(producer, t.labelled(), "burst-" + i, payloads.get(i % payloads.size()), sent));
            }
            producer.flush();
            Streams.waitFor(Duration.ofSeconds(600), () -> received.keySet().containsAll(burst), "the burst's masks");
            long end = burst.stream().mapToLong(received::get).max().orElseThrow();
            double masksPerS = images / ((end - start) / 1e9);
            double batchesAfter = registry.find("seam.labeler.batch.size").summary() == null ? 0
                    : registry.find("seam.labeler.batch.size").summary().count();
            double meanBatch = batchesAfter > batchesBefore ? images / (batchesAfter - batchesBefore) : Double.NaN;
            double[] burstLat = latencies(burst, sent, received);
            // paced
            List<String> slow = new ArrayList<>();
            long period = (long) (1e9 / rate);
            long next = System.nanoTime();
            for (int i = 0; i < paced; i++) {
                while (System.nanoTime() < next) {
                    Thread.sleep(1);
                }
                slow.add(send(producer, t.labelled(), "paced-" + i, payloads.get(i % payloads.size()), sent));
                producer.flush();
                next += period;
            }
            Streams.waitFor(Duration.ofSeconds(600), () -> received.keySet().containsAll(slow), "the paced masks");
            double[] pacedLat = latencies(slow, sent, received);
            assertEquals(images, burst.stream().filter(received::containsKey).count());
            return new Run(masksPerS, percentile(burstLat, 50), percentile(burstLat, 99), percentile(pacedLat, 50),
                    percentile(pacedLat, 99), meanBatch);
        } finally {
            stop.set(true);
            reader.join(10_000);
        }
    }

    private static String send(org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> p, String topic, String id,
                               byte[] png, Map<String, Long> sent) {
        byte[] value = Streams.labelled(id, png, List.of("cat"), 1).toByteArray();
        sent.put(id, System.nanoTime());
        p.send(new ProducerRecord<>(topic, id, value));
        return id;
    }

    private static double[] latencies(List<String> ids, Map<String, Long> sent, Map<String, Long> received) {
        return ids.stream().mapToDouble(id -> (received.get(id) - sent.get(id)) / 1e6).sorted().toArray();
    }

    private static void read(EmbeddedKafka kafka, String topic, Map<String, Long> received, AtomicBoolean stop) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-bench-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(TopicCatalog.IMAGE_TOPIC_MAX_BYTES));
        try (var c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (!stop.get()) {
                for (var r : c.poll(Duration.ofMillis(20))) {
                    long now = System.nanoTime();
                    try {
                        received.putIfAbsent(Mask.parseFrom(r.value()).getImageId(), now);
                    } catch (Exception e) {
                        throw new IllegalStateException("unreadable mask", e);
                    }
                }
            }
        }
    }

    private static void write(Path out, Map<Integer, List<Run>> all, String load, int runs, int warmupRuns, int images, int paced, double rate,
                              int size, int waitMs, int inferenceBatch, int threads) throws Exception {
        Files.createDirectories(out);
        String date = Instant.now().toString();
        int cpus = Runtime.getRuntime().availableProcessors();
        String cpu = cpuModel();
        int first = all.keySet().iterator().next();
        double unbatched = median(all.get(first).stream().map(Run::masksPerS).toList());
        var json = new StringBuilder();
        json.append("{\n  \"date\": \"").append(date).append("\",\n  \"cpus\": ").append(cpus)
                .append(",\n  \"cpu\": \"").append(cpu.replace("\"", "'")).append("\",\n  \"command\": \"bin/labeler-bench\"")
                .append(",\n  \"runs\": ").append(runs).append(",\n  \"warmup_runs\": ").append(warmupRuns).append(",\n  \"burst_images\": ").append(images)
                .append(",\n  \"paced_images\": ").append(paced).append(",\n  \"paced_rate_per_s\": ").append(rate)
                .append(",\n  \"image_side_px\": ").append(size).append(",\n  \"batch_max_wait_ms\": ").append(waitMs)
                .append(",\n  \"inference_batch_views\": ").append(inferenceBatch).append(",\n  \"ort_intra_op_threads\": ")
                .append(threads).append(",\n  \"model\": \"SEAM small backbone width 1/16, random weights, 4 classes\"")
                .append(",\n  \"reference_batch_size\": ").append(first).append(",\n  \"batches\": [");
        var md = new StringBuilder();
        md.append("# Labeler benchmark\n\nMade by `bin/labeler-bench` (").append(date).append(") on ").append(cpus)
                .append(" CPUs (").append(cpu).append("; 1-minute load average ").append(load)
                .append(", other jobs share the machine): the labeler's exactly-once worker (`labeler.Labeler`, no HTTP layer) ")
                .append("against the embedded single-node broker in one JVM, with the small SEAM backbone (width 1/16, random ")
                .append("weights, exported to ONNX by the real exporter; ONNX Runtime, ").append(threads)
                .append(" intra-op thread, up to ").append(inferenceBatch).append(" views per run). Images are ")
                .append(size).append("x").append(size).append(" PNG, tagged `cat`. Per batch size, ").append(runs)
                .append(" runs (interleaved across batch sizes, after ").append(warmupRuns)
                .append(" discarded warm-up round(s)), each with a fresh labeler warmed up first; figures are the ")
                .append("medians over the runs.\n\n")
                .append("- **burst**: ").append(images).append(" labelled images sent at once; masks/s = images / (first send → ")
                .append("last mask received); latency under that backlog.\n")
                .append("- **paced**: ").append(paced).append(" images at ").append(rate).append("/s, below capacity: latency ")
                .append("without a backlog, where the batch wait (max ").append(waitMs).append(" ms) shows.\n\n")
                .append("Latency: from the send of the labelled record to the receipt of its mask by a read-committed ")
                .append("consumer in the same JVM (after the mask's transaction committed).\n\n")
                .append("| batch max size | masks/s | × vs batch ").append(first)
                .append(" | mean batch (burst) | burst p50 / p99 ms | paced p50 / p99 ms |\n|---|---|---|---|---|---|\n");
        boolean firstRow = true;
        for (var e : all.entrySet()) {
            var rs = e.getValue();
            double tput = median(rs.stream().map(Run::masksPerS).toList());
            double bp50 = median(rs.stream().map(Run::burstP50).toList());
            double bp99 = median(rs.stream().map(Run::burstP99).toList());
            double pp50 = median(rs.stream().map(Run::pacedP50).toList());
            double pp99 = median(rs.stream().map(Run::pacedP99).toList());
            double mb = median(rs.stream().map(Run::meanBatch).toList());
            md.append(String.format(Locale.ROOT, "| %d | %.1f | %.2f | %.1f | %.0f / %.0f | %.0f / %.0f |%n", e.getKey(), tput,
                    tput / unbatched, mb, bp50, bp99, pp50, pp99));
            json.append(firstRow ? "\n" : ",\n").append(String.format(Locale.ROOT,
                    "    {\"batch_max_size\": %d, \"masks_per_s\": %.2f, \"ratio_vs_reference\": %.3f, \"mean_batch\": %.2f, "
                            + "\"burst_p50_ms\": %.1f, \"burst_p99_ms\": %.1f, \"paced_p50_ms\": %.1f, \"paced_p99_ms\": %.1f, "
                            + "\"runs_masks_per_s\": %s}",
                    e.getKey(), tput, tput / unbatched, mb, bp50, bp99, pp50, pp99,
                    rs.stream().map(x -> String.format(Locale.ROOT, "%.2f", x.masksPerS())).toList()));
            firstRow = false;
        }
        json.append("\n  ]\n}\n");
        md.append("\nThe ratio column is the batched vs unbatched throughput measured in this one run (medians). ")
                .append("The machine is shared with other jobs, so absolute figures are indicative; `labeler.json` holds ")
                .append("every run's throughput. Options: see `docs/benchmarks/README.md`.\n");
        Files.writeString(out.resolve("labeler.md"), md.toString(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("labeler.json"), json.toString(), StandardCharsets.UTF_8);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
