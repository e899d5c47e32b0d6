package ai.seamstream.ingest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.seamstream.devstack.SharedKafka;
import ai.seamstream.ingest.EmbeddedKafkaResource;
import ai.seamstream.ingest.topology.ProtoSerde;
import ai.seamstream.ingest.topology.TestImages;
import ai.seamstream.schemas.TopicCatalog;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code bin/ingest-bench}: images/s and latency from HTTP accept (the 202) to the labelled image on
 * {@code seam.labelled.v1} (read committed), through the real service and the embedded broker.
 *
 * <p>System properties: {@code ingest.bench.images} (default 400), {@code ingest.bench.concurrency} (4),
 * {@code ingest.bench.size} (image side, 64), {@code ingest.bench.out} (folder of ingest.md/ingest.json,
 * default {@code ../docs/benchmarks}). Each image is sent with one tag, so its labelled record with label version 1
 * is the end of its path; the first labelled record (version 0 when the image joins before its tag) is timed too.
 */
@QuarkusTest
@WithTestResource(EmbeddedKafkaResource.class)
@EnabledIfSystemProperty(named = "ingest.bench", matches = "true")
class IngestBench {
    @TestHTTPResource("/v1/images")
    URI images;

    static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        // nearest rank
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
    }

    @Test
    void bench() throws Exception {
        int n = Integer.getInteger("ingest.bench.images", 400);
        int concurrency = Integer.getInteger("ingest.bench.concurrency", 4);
        int size = Integer.getInteger("ingest.bench.size", 64);
        Path out = Path.of(System.getProperty("ingest.bench.out", "../docs/benchmarks"));
        String run = UUID.randomUUID().toString().substring(0, 8);
        int warmup = Math.min(50, n / 4);

        var accepted = new ConcurrentHashMap<String, Long>();
        var firstLabelled = new ConcurrentHashMap<String, Long>();
        var tagged = new ConcurrentHashMap<String, Long>();
        var stop = new AtomicBoolean();
        Thread reader = new Thread(() -> read(firstLabelled, tagged, stop, run), "bench-reader");
        reader.start();
        Thread.sleep(2000); // the reader's assignment before the first image

        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var sizes = new long[n + warmup];
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long t0 = 0;
        try {
            for (int phase = 0; phase < 2; phase++) {
                int from = phase == 0 ? 0 : warmup;
                int to = phase == 0 ? warmup : warmup + n;
                if (phase == 1) {
                    t0 = System.nanoTime();
                }
                var futures = new ArrayList<Future<?>>();
                for (int i = from; i < to; i++) {
                    final int k = i;
                    futures.add(pool.submit(() -> {
                        byte[] png = TestImages.png(size, size, k * 7919 + run.hashCode());
                        sizes[k] = png.length;
                        String id = "bench-" + run + "-" + k;
                        var req = HttpRequest.newBuilder(URI.create(images + "?id=" + id + "&tags=cat&annotator=bench"))
                                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png))
                                .build();
                        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                        long at = System.nanoTime();
                        assertEquals(202, r.statusCode(), r.body());
                        accepted.put(id, at);
                        return null;
                    }));
                }
                for (var f : futures) {
                    f.get();
                }
                long deadline = System.currentTimeMillis() + 120_000;
                while (countDone(tagged, run, from, to) < to - from && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
            }
        } finally {
            pool.shutdown();
            stop.set(true);
            reader.join(10_000);
        }
        long lastDone = 0;
        var first = new ArrayList<Long>();
        var full = new ArrayList<Long>();
        for (int k = warmup; k < warmup + n; k++) {
            String id = "bench-" + run + "-" + k;
            Long a = accepted.get(id);
            Long f = firstLabelled.get(id);
            Long t = tagged.get(id);
            if (a != null && f != null) {
                first.add(f - a);
            }
            if (a != null && t != null) {
                full.add(t - a);
                lastDone = Math.max(lastDone, t);
            }
        }
        long[] firstSorted = first.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] fullSorted = full.stream().mapToLong(Long::longValue).sorted().toArray();
        double seconds = (lastDone - t0) / 1e9;
        double rate = full.size() / seconds;
        double meanBytes = Arrays.stream(sizes, warmup, warmup + n).average().orElse(0);
        var figures = new java.util.LinkedHashMap<String, Object>();
        figures.put("date", Instant.now().toString());
        figures.put("images", n);
        figures.put("labelled", full.size());
        figures.put("concurrency", concurrency);
        figures.put("image_side_px", size);
        figures.put("mean_image_bytes", Math.round(meanBytes));
        figures.put("cpus", Runtime.getRuntime().availableProcessors());
        figures.put("images_per_s", round(rate));
        figures.put("first_labelled_p50_ms", round(percentile(firstSorted, 50)));
        figures.put("first_labelled_p99_ms", round(percentile(firstSorted, 99)));
        figures.put("tagged_labelled_p50_ms", round(percentile(fullSorted, 50)));
        figures.put("tagged_labelled_p99_ms", round(percentile(fullSorted, 99)));
        figures.put("tagged_labelled_max_ms", round(fullSorted.length == 0 ? Double.NaN : fullSorted[fullSorted.length - 1] / 1e6));
        write(out, figures);
        assertEquals(n, full.size(), "every image labelled within the time limit");
    }

    private static long countDone(Map<String, Long> tagged, String run, int from, int to) {
        long c = 0;
        for (int k = from; k < to; k++) {
            if (tagged.containsKey("bench-" + run + "-" + k)) {
                c++;
            }
        }
        return c;
    }

    private static void read(Map<String, Long> first, Map<String, Long> tagged, AtomicBoolean stop, String run) {
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + run);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TopicCatalog.IMAGE_TOPIC_MAX_BYTES);
        try (var c = new KafkaConsumer<>(p, new StringDeserializer(), ProtoSerde.labelled().deserializer())) {
            c.subscribe(List.of(TopicCatalog.LABELLED));
            while (!stop.get()) {
                for (var r : c.poll(Duration.ofMillis(20))) {
                    long now = System.nanoTime();
                    if (r.value() == null || !r.key().startsWith("bench-" + run)) {
                        continue;
                    }
                    first.putIfAbsent(r.key(), now);
                    if (r.value().getLabelVersion() >= 1) {
                        tagged.putIfAbsent(r.key(), now);
                    }
                }
            }
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static void write(Path dir, Map<String, Object> f) throws Exception {
        Files.createDirectories(dir);
        var json = new StringBuilder("{\n");
        int i = 0;
        for (var e : f.entrySet()) {
            Object v = e.getValue();
            json.append("  \"").append(e.getKey()).append("\": ")
                    .append(v instanceof String ? "\"" + v + "\"" : String.valueOf(v))
                    .append(++i < f.size() ? ",\n" : "\n");
        }
        json.append("}\n");
        Files.writeString(dir.resolve("ingest.json"), json, StandardCharsets.UTF_8);
        String md = String.format(Locale.ROOT, """
                # Ingest benchmark

                Made by `bin/ingest-bench` (%s): the real ingest service (Quarkus, JVM mode) and its Kafka Streams
                topology (`exactly_once_v2`, commit interval 100 ms) against the embedded single-node broker, all in
                one JVM on %d CPUs. %d images of %dx%d px (PNG, %d bytes on average) are POSTed with one tag each by %d
                concurrent HTTP clients after a warm-up; a read-committed consumer of `seam.labelled.v1` in the same JVM
                timestamps each image's labelled records. Latency runs from the HTTP 202 to the consumer's receipt.

                | figure | value |
                |---|---|
                | images labelled | %d of %d |
                | throughput (first accept to last tagged labelled image) | %.1f images/s |
                | accept → first labelled record, p50 / p99 | %.1f / %.1f ms |
                | accept → labelled with its tag (label version 1), p50 / p99 / max | %.1f / %.1f / %.1f ms |

                The first labelled record of an image is label version 0 when the image record is processed before its
                tag event (they travel on two topics), then version 1 follows; often both land in one commit. The
                floor of the latency is the transaction commit interval (read-committed consumers see results only
                after a commit). The figures are `ingest.json`'s; the machine is shared, so they are indicative.
                """, f.get("date"), f.get("cpus"), f.get("images"), f.get("image_side_px"), f.get("image_side_px"),
                f.get("mean_image_bytes"), f.get("concurrency"), f.get("labelled"), f.get("images"),
                f.get("images_per_s"), f.get("first_labelled_p50_ms"), f.get("first_labelled_p99_ms"),
                f.get("tagged_labelled_p50_ms"), f.get("tagged_labelled_p99_ms"), f.get("tagged_labelled_max_ms"));
        Files.writeString(dir.resolve("ingest.md"), md, StandardCharsets.UTF_8);
    }
}
