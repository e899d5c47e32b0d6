package ai.seamstream.labeler.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.seamstream.devstack.SharedKafka;
import ai.seamstream.labeler.LabelerConfig;
import ai.seamstream.labeler.Streams;
import ai.seamstream.labeler.TestModels;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The service's HTTP face on the embedded broker: not ready and no masks before a model, then ready with the model's
 * version in the health data, {@code GET /v1/masks/{id}} with the committed mask, and the Prometheus metrics.
 */
@QuarkusTest
@QuarkusTestResource(value = LabelerEndpointsResource.class, restrictToAnnotatedClass = true)
class LabelerEndpointsTest {

    @Test
    void notReadyWithoutAModelThenServesMasksOverHttp() throws Exception {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(503);
        given().get("/v1/masks/img-1").then().statusCode(404).body("error", containsString("img-1"));

        LabelerConfig.Topics t = LabelerConfig.Topics.prefixed(LabelerEndpointsResource.prefix);
        Path model = TestModels.model(7);
        try (var producer = Streams.producer(SharedKafka.get())) {
            Streams.promote(producer, t, "v1", model, TestModels.sha(model));
            Streams.waitFor(Duration.ofSeconds(90), () -> given().get("/q/health/ready").statusCode() == 200,
                    "the labeler to be ready with model v1");
            given().get("/q/health/ready").then().body("checks.data.model", hasItem("v1"));

            Streams.send(producer, t.labelled(), "img-1",
                    Streams.labelled("img-1", Streams.image(3, 40, 30, false), List.of("cat")));
            producer.flush();
            Streams.waitFor(Duration.ofSeconds(90), () -> given().get("/v1/masks/img-1").statusCode() == 200,
                    "the mask of img-1 over HTTP");
        }
        JsonPath mask = given().get("/v1/masks/img-1").then().statusCode(200)
                .body("imageId", equalTo("img-1")).body("modelVersion", equalTo("v1")).body("width", equalTo(40))
                .body("height", equalTo(30)).body("tagsUsed", equalTo(List.of("cat"))).extract().jsonPath();
        byte[] png = Base64.getDecoder().decode(mask.getString("maskPng"));
        assertEquals(0x89, png[0] & 0xFF, "a PNG");
        given().get("/q/metrics").then().statusCode(200).body(containsString("seam_labeler_masks_total"))
                .body(not(containsString("seam_labeler_masks_total 0.0")));
    }
}
