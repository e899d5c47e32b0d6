package ai.seamstream.trainer.service.http;

import static ai.seamstream.trainer.service.ServiceFixtures.await;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.synth.SyntheticSample;
import ai.seamstream.devstack.SharedKafka;
import ai.seamstream.trainer.Fixtures;
import ai.seamstream.trainer.service.EmbeddedKafkaResource;
import ai.seamstream.trainer.service.ServiceFixtures;
import ai.seamstream.trainer.export.OnnxModelExporter;
import ai.seamstream.trainer.registry.ModelExporter;
import ai.seamstream.trainer.service.TrainerBeans;
import ai.seamstream.trainer.service.TrainerRuntime;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The HTTP API end to end on the embedded broker: train, progress, files, rollback, cancel, health and metrics. */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class TrainerResourceTest {
    @Inject
    TrainerRuntime runtime;

    @Inject
    @Any
    Instance<ModelExporter> exporters;

    @Test
    void theExporterIsTheCdiBeanOfTheConfiguredName() {
        assertTrue(TrainerBeans.selectExporter("none", exporters).isEmpty());
        assertTrue(TrainerBeans.selectExporter("weights-copy", exporters).orElseThrow() instanceof WeightsCopyExporter);
        assertTrue(TrainerBeans.selectExporter("onnx", exporters).orElseThrow() instanceof OnnxModelExporter);
        var e = assertThrows(IllegalArgumentException.class, () -> TrainerBeans.selectExporter("tflite", exporters));
        assertTrue(e.getMessage().contains("no ModelExporter bean named 'tflite'; known: none, "), e.getMessage());
    }

    void produce(SyntheticGenerator g, String prefix) throws Exception {
        try (var p = ServiceFixtures.producer(SharedKafka.get().bootstrapServers())) {
            for (SyntheticSample s : g.all()) {
                ServiceFixtures.send(p, "seam.labelled.test-" + EmbeddedKafkaResource.run, prefix + s.id(),
                        ServiceFixtures.record(g, s, prefix + s.id(), 1));
            }
        }
    }

    JsonPath finish(String jobId) throws InterruptedException {
        await("job " + jobId, 180, () -> !given().get("/v1/jobs/" + jobId).jsonPath().getBoolean("active"));
        return given().get("/v1/jobs/" + jobId).then().statusCode(200).extract().jsonPath();
    }

    String train() {
        return given().post("/v1/train").then().statusCode(202).body("href", containsString("/v1/jobs/"))
                .extract().jsonPath().getString("jobId");
    }

    @Test
    void trainFollowServeRollBackCancel() throws Exception {
        await("readiness", 60, () -> given().get("/q/health/ready").statusCode() == 200);
        await("leadership", 60, () -> runtime.guard().isLeader());
        given().post("/v1/train").then().statusCode(409).body("error", equalTo("POLICY"));

        SyntheticGenerator g = Fixtures.generator(41, 24);
        produce(g, "");
        await("24 images", 60, () -> runtime.store().size() == 24);
        String job1 = train();
        given().post("/v1/train").then().statusCode(409).body("error", equalTo("BUSY")).body("jobId", equalTo(job1));
        JsonPath j = finish(job1);
        assertEquals("SUCCEEDED", j.getString("state"), j.prettify());
        assertEquals(20, j.getInt("step"));
        assertEquals(20, j.getInt("totalSteps"));
        assertEquals("v000001", j.getString("modelVersion"));
        assertEquals("PROMOTED", j.getString("modelStatus"));
        given().get("/v1/jobs/" + job1).then().body("losses.total", notNullValue()).body("imagesPerSecond", notNullValue())
                .body("snapshotId", equalTo(runtime.store().snapshotId()));

        given().get("/v1/models").then().statusCode(200).body("promoted", equalTo("v000001"))
                .body("versions[0].version", equalTo("v000001"));
        given().get("/v1/models/v000001/files/model.json").then().statusCode(200).body("version", equalTo("v000001"));
        byte[] weights = given().get("/v1/models/v000001/files/checkpoint/weights.safetensors").then().statusCode(200)
                .extract().asByteArray();
        assertEquals(runtime.registry().manifest("v000001").orElseThrow().weightsSha256(), java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(weights)));
        given().get("/v1/models/v000001/files/..%2F..%2FPROMOTED").then().statusCode(404);
        // the default exporter wrote the ONNX model the labeler serves; its hash is the one the model event carries
        var exported = runtime.registry().manifest("v000001").orElseThrow().onnx();
        assertEquals("model.onnx", exported.file());
        byte[] onnx = given().get("/v1/models/v000001/files/onnx/model.onnx").then().statusCode(200).extract().asByteArray();
        assertEquals(exported.sha256(), java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(onnx)));
        given().get("/v1/models/v000001/files/onnx/model.json").then().statusCode(200).body("onnxSha256", equalTo(exported.sha256()));
        given().get("/v1/models/v000001/files/onnx/nothing.onnx").then().statusCode(404);
        given().get("/v1/models/v000009").then().statusCode(404);
        given().get("/v1/jobs/job-nope").then().statusCode(404);

        produce(Fixtures.generator(42, 3), "b-");
        await("27 images", 60, () -> runtime.store().size() == 27);
        JsonPath j2 = finish(train());
        assertEquals("v000002", j2.getString("modelVersion"), j2.prettify());
        given().post("/v1/models/v000001/rollback").then().statusCode(200).body("status", equalTo("PROMOTED"));
        given().get("/v1/models/v000002").then().body("status", equalTo("ROLLED_BACK"));
        given().get("/v1/models").then().body("promoted", equalTo("v000001"));
        given().post("/v1/models/v000001/rollback").then().statusCode(409).body("error", equalTo("ROLLBACK_REFUSED"));
        given().post("/v1/models/v000042/rollback").then().statusCode(404);
        var events = ServiceFixtures.events(SharedKafka.get().bootstrapServers(), "seam.models.test-" + EmbeddedKafkaResource.run, 6);
        assertEquals(java.util.List.of("v000001 MODEL_STATUS_CANDIDATE", "v000001 MODEL_STATUS_PROMOTED",
                "v000002 MODEL_STATUS_CANDIDATE", "v000002 MODEL_STATUS_PROMOTED",
                "v000002 MODEL_STATUS_ROLLED_BACK", "v000001 MODEL_STATUS_PROMOTED"),
                events.stream().map(e -> e.getModelVersion() + " " + e.getStatus()).toList());

        produce(Fixtures.generator(43, 3), "c-");
        await("30 images", 60, () -> runtime.store().size() == 30);
        String job3 = train();
        given().delete("/v1/jobs/" + job3).then().statusCode(202).body("cancelRequested", equalTo(true));
        JsonPath j3 = finish(job3);
        assertEquals("CANCELLED", j3.getString("state"), j3.prettify());
        given().post("/v1/jobs/" + job3 + "/cancel").then().statusCode(409).body("error", equalTo("FINISHED"));
        assertEquals(2, runtime.registry().versions().size(), "a cancelled job publishes nothing");

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        org.hamcrest.MatcherAssert.assertThat(metrics, containsString("seam_trainer_jobs_total{state=\"SUCCEEDED\"} 2.0"));
        org.hamcrest.MatcherAssert.assertThat(metrics, containsString("seam_trainer_jobs_total{state=\"CANCELLED\"} 1.0"));
        org.hamcrest.MatcherAssert.assertThat(metrics, containsString("seam_trainer_store_images 30.0"));
        org.hamcrest.MatcherAssert.assertThat(metrics, containsString("seam_trainer_gate_figure{figure=\"tagMap\"}"));
    }
}
