package ai.seamstream.ingest.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.devstack.SharedKafka;
import ai.seamstream.ingest.EmbeddedKafkaResource;
import ai.seamstream.ingest.topology.ProtoSerde;
import ai.seamstream.ingest.topology.TestImages;
import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.v1.LabelledImage;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedKafkaResource.class)
class ImageResourceTest {

    static Response awaitState(String id, Predicate<Response> done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        Response r;
        do {
            r = given().get("/v1/images/" + id);
            if (done.test(r)) {
                return r;
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("image " + id + " never reached the expected state; last answer "
                + r.statusCode() + " " + r.asString());
    }

    /** Reads seam.labelled.v1 (read committed) until a record for each id is seen; returns the last one per id. */
    static Map<String, LabelledImage> readLabelled(List<String> ids, Predicate<LabelledImage> want) {
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TopicCatalog.IMAGE_TOPIC_MAX_BYTES);
        var found = new HashMap<String, LabelledImage>();
        try (var c = new KafkaConsumer<>(p, new StringDeserializer(), ProtoSerde.labelled().deserializer())) {
            c.subscribe(List.of(TopicCatalog.LABELLED));
            long deadline = System.currentTimeMillis() + 60_000;
            while (!found.keySet().containsAll(ids) && System.currentTimeMillis() < deadline) {
                for (var rec : c.poll(Duration.ofMillis(200))) {
                    if (ids.contains(rec.key()) && rec.value() != null && want.test(rec.value())) {
                        found.put(rec.key(), rec.value());
                    }
                }
            }
        }
        return found;
    }

    /** Every labelled record of one id, read committed, until one matches {@code last}. */
    static List<LabelledImage> readAllLabelled(String id, Predicate<LabelledImage> last) {
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, TopicCatalog.IMAGE_TOPIC_MAX_BYTES);
        var found = new java.util.ArrayList<LabelledImage>();
        try (var c = new KafkaConsumer<>(p, new StringDeserializer(), ProtoSerde.labelled().deserializer())) {
            c.subscribe(List.of(TopicCatalog.LABELLED));
            long deadline = System.currentTimeMillis() + 60_000;
            while (found.stream().noneMatch(last) && System.currentTimeMillis() < deadline) {
                for (var rec : c.poll(Duration.ofMillis(200))) {
                    if (id.equals(rec.key()) && rec.value() != null) {
                        found.add(rec.value());
                    }
                }
            }
        }
        return found;
    }

    @Test
    void rawImageWithTagsIsLabelledOnTheOutputTopic() throws Exception {
        byte[] png = TestImages.png(40, 30, 101);
        String sha = TestImages.sha256Hex(png);
        given().contentType("image/png").body(png).queryParam("tags", "person,cat").queryParam("annotator", "alice")
                .post("/v1/images")
                .then().statusCode(202).body("id", equalTo(sha)).body("sha256", equalTo(sha))
                .body("width", equalTo(40)).body("height", equalTo(30)).body("tags", equalTo(List.of("person", "cat")));
        var r = awaitState(sha, x -> x.statusCode() == 200 && "labelled".equals(x.path("state")));
        assertEquals(List.of("cat", "person"), r.path("labels.classes"));
        assertEquals(1, (int) r.path("labels.labelVersion"));
        assertEquals(List.of("alice"), r.path("labels.annotators"));
        var out = readLabelled(List.of(sha), li -> li.getLabelVersion() == 1);
        assertEquals(List.of("cat", "person"), out.get(sha).getLabels().getClassesList());
        assertEquals(png.length, out.get(sha).getImage().getData().size());
        // the same bytes again: accepted, same id, and no second labelled record for the same label version
        given().contentType("image/png").body(png).post("/v1/images").then().statusCode(202).body("id", equalTo(sha));
        given().contentType("application/json").body("{\"add\":[\"dog\"],\"annotator\":\"alice\"}")
                .post("/v1/images/" + sha + "/tags").then().statusCode(202);
        var all = readAllLabelled(sha, li -> li.getLabelVersion() == 2);
        assertEquals(1, all.stream().filter(li -> li.getLabelVersion() == 1).count(), "re-send made no new record");
        assertEquals(List.of("cat", "dog", "person"), all.get(all.size() - 1).getLabels().getClassesList());
    }

    @Test
    void multipartWithIdThenTagChangesOverHttp() throws Exception {
        String id = "mp-" + UUID.randomUUID();
        byte[] jpg = TestImages.encoded(32, 24, 7, "jpg");
        given().multiPart("file", "a.jpg", jpg, "image/jpeg").multiPart("id", id).multiPart("tags", "dog")
                .post("/v1/images")
                .then().statusCode(202).body("id", equalTo(id)).body("contentType", equalTo("image/jpeg"))
                .body("annotator", equalTo("http"));
        awaitState(id, x -> x.statusCode() == 200 && Integer.valueOf(1).equals(x.path("labels.labelVersion")));
        given().contentType("application/json").body("{\"add\":[\"cat\"],\"remove\":[\"dog\"],\"annotator\":\"http\"}")
                .post("/v1/images/" + id + "/tags")
                .then().statusCode(202).body("events", equalTo(2));
        // add then remove: cat in (v2), then dog out (v3)
        var r = awaitState(id, x -> Integer.valueOf(3).equals(x.path("labels.labelVersion")));
        assertEquals(List.of("cat"), r.path("labels.classes"));
        var out = readLabelled(List.of(id), li -> li.getLabelVersion() == 3);
        assertEquals(List.of("cat"), out.get(id).getLabels().getClassesList());
    }

    @Test
    void tagsForAnUnknownImageWaitForIt() throws Exception {
        String id = "early-" + UUID.randomUUID();
        given().contentType("application/json").body("{\"add\":[\"bird\"],\"annotator\":\"bob\",\"confidence\":0.8}")
                .post("/v1/images/" + id + "/tags").then().statusCode(202);
        var r = awaitState(id, x -> x.statusCode() == 200);
        assertEquals("awaiting-image", r.path("state"));
        assertEquals(List.of("bird"), r.path("labels.classes"));
        given().contentType("application/octet-stream").body(TestImages.png(16, 16, 55)).queryParam("id", id)
                .post("/v1/images").then().statusCode(202);
        r = awaitState(id, x -> "labelled".equals(x.path("state")));
        assertEquals(List.of("bird"), r.path("labels.classes"));
    }

    @Test
    void badImagesAnswer4xxWithAReason() {
        given().contentType("image/png").body("this is text, not a picture".getBytes()).post("/v1/images")
                .then().statusCode(415).body("error", equalTo("not-an-image")).body("message", containsString("PNG"));
        byte[] png = TestImages.png(50, 50, 3);
        given().contentType("image/png").body(Arrays.copyOf(png, png.length - 30)).post("/v1/images")
                .then().statusCode(400).body("error", equalTo("truncated-image"));
        given().contentType("image/png").body(new byte[0]).post("/v1/images")
                .then().statusCode(400).body("error", equalTo("empty"));
        // 1200x1000 = 1.2 MP over the test's 1 MP limit (a flat image compresses under the byte limit)
        byte[] wide = TestImages.flatPng(1200, 1000);
        assertTrue(wide.length < EmbeddedKafkaResource.MAX_IMAGE_BYTES, "fixture must pass the byte limit: " + wide.length);
        given().contentType("image/png").body(wide).post("/v1/images")
                .then().statusCode(413).body("error", equalTo("too-many-pixels"))
                .body("message", containsString("1200000 pixels, over the limit of 1000000"));
        byte[] big = new byte[(int) EmbeddedKafkaResource.MAX_IMAGE_BYTES + 1];
        new Random(3).nextBytes(big);
        given().contentType("image/jpeg").body(big).post("/v1/images")
                .then().statusCode(413).body("error", equalTo("too-large"));
        given().contentType("text/plain").body("hello").post("/v1/images")
                .then().statusCode(415).body("error", equalTo("unsupported-media-type"));
        given().contentType("image/png").body(png).queryParam("id", "bad id/x").post("/v1/images")
                .then().statusCode(400).body("error", equalTo("bad-id"));
        given().contentType("image/png").body(png).queryParam("tags", "cat,unicorn").post("/v1/images")
                .then().statusCode(400).body("error", equalTo("unknown-class")).body("validClasses", hasItem("cat"))
                .body("message", containsString("'unicorn'; valid classes: aeroplane"));
        given().multiPart("id", "x").post("/v1/images").then().statusCode(400).body("error", equalTo("empty"));
    }

    @Test
    void badTagRequestsAnswer400WithAReason() {
        given().contentType("application/json").body("{\"add\": [\"cat\"").post("/v1/images/some-id/tags")
                .then().statusCode(400).body("error", equalTo("malformed-json"));
        given().contentType("application/json").body("{\"add\": \"cat\"}").post("/v1/images/some-id/tags")
                .then().statusCode(400).body("error", equalTo("malformed-json"));
        given().contentType("application/json").body("{\"add\":[\"zebra\"]}").post("/v1/images/some-id/tags")
                .then().statusCode(400).body("error", equalTo("unknown-class"))
                .body("validClasses.size()", equalTo(20));
        given().contentType("application/json").body("{}").post("/v1/images/some-id/tags")
                .then().statusCode(400).body("error", equalTo("no-classes"));
        given().contentType("application/json").body("{\"add\":[\"cat\"],\"confidence\":3}")
                .post("/v1/images/some-id/tags").then().statusCode(400).body("error", equalTo("bad-confidence"));
        given().contentType("application/json").body("{\"add\":[\"cat\"]}").post("/v1/images/bad%20id/tags")
                .then().statusCode(400).body("error", equalTo("bad-id"));
    }

    @Test
    void unknownIdsAre404AndBadIds400() throws Exception {
        awaitState("nothing-here", x -> x.statusCode() != 503);
        given().get("/v1/images/nothing-here").then().statusCode(404).body("error", equalTo("not-found"));
        given().get("/v1/images/bad%20id").then().statusCode(400).body("error", equalTo("bad-id"));
    }

    @Test
    void healthMetricsAndOpenApi() throws Exception {
        awaitState("nothing-here", x -> x.statusCode() != 503);
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200);
        given().contentType("image/png").body(new byte[0]).post("/v1/images").then().statusCode(400);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("seam_ingest_images_total{outcome=\"empty\"}"), "rejections are counted");
        assertTrue(metrics.contains("kafka_stream"), "Kafka Streams metrics are exported");
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/v1/images/{id}/tags")).body(containsString("Add or remove tags of an image"))
                .body(containsString("image/png")).body(containsString("multipart/form-data"));
    }
}
