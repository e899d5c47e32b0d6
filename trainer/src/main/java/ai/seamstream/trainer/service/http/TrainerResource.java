package ai.seamstream.trainer.service.http;

import ai.seamstream.torch.train.SeamTrainer;
import ai.seamstream.trainer.job.JobProgress;
import ai.seamstream.trainer.registry.ModelManifest;
import ai.seamstream.trainer.service.TrainerRuntime;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The trainer's HTTP API: training on demand, job progress and cancellation, the registry's versions and files. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class TrainerResource {
    private static final Pattern VERSION = Pattern.compile("v\\d{1,12}");

    @Inject
    TrainerRuntime runtime;

    /** Starts a job now if this instance leads, the store is materialised and the snapshot is new: 202, else 409/503. */
    @POST
    @Path("/train")
    public Response train() {
        TrainerRuntime.Submission s = runtime.requestTraining(true);
        if (s.accepted()) {
            return Response.accepted(Map.of("jobId", s.jobId(), "reason", s.reason(), "href", "/v1/jobs/" + s.jobId()))
                    .build();
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("error", s.refusal().name());
        body.put("reason", s.reason());
        if (s.jobId() != null) {
            body.put("jobId", s.jobId());
        }
        int status = s.refusal() == TrainerRuntime.Refusal.NOT_READY ? 503 : 409;
        return Response.status(status).entity(body).build();
    }

    @GET
    @Path("/jobs")
    public List<Map<String, Object>> jobs() {
        return runtime.jobs().stream().map(this::view).toList();
    }

    @GET
    @Path("/jobs/{id}")
    public Response job(@PathParam("id") String id) {
        return runtime.job(id).map(r -> Response.ok(view(r)).build()).orElseGet(() -> notFound("no job " + id));
    }

    @DELETE
    @Path("/jobs/{id}")
    public Response deleteJob(@PathParam("id") String id) {
        return cancel(id);
    }

    /** Asks a running job to stop after its current step: 202; 409 when it already ended; 404 unknown. */
    @POST
    @Path("/jobs/{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        var rec = runtime.job(id);
        if (rec.isEmpty()) {
            return notFound("no job " + id);
        }
        if (!runtime.cancel(id)) {
            return Response.status(409).entity(Map.of("error", "FINISHED", "reason", "job " + id + " already ended",
                    "job", view(rec.get()))).build();
        }
        return Response.accepted(view(rec.get())).build();
    }

    @GET
    @Path("/models")
    public Map<String, Object> models() throws IOException {
        var m = new LinkedHashMap<String, Object>();
        m.put("promoted", runtime.registry().promotedVersion().orElse(null));
        m.put("versions", runtime.registry().versions());
        return m;
    }

    @GET
    @Path("/models/{version}")
    public Response model(@PathParam("version") String version) throws IOException {
        if (!VERSION.matcher(version).matches()) {
            return notFound("no version " + version);
        }
        return runtime.registry().manifest(version).map(m -> Response.ok(m).build())
                .orElseGet(() -> notFound("no version " + version));
    }

    /** Makes an earlier, once-promoted version the promoted one again: 200 with its manifest; 409 when not allowed. */
    @POST
    @Path("/models/{version}/rollback")
    public Response rollback(@PathParam("version") String version) throws IOException {
        if (!VERSION.matcher(version).matches() || runtime.registry().manifest(version).isEmpty()) {
            return notFound("no version " + version);
        }
        try {
            ModelManifest m = runtime.rollback(version);
            return Response.ok(m).build();
        } catch (IllegalArgumentException e) {
            return Response.status(409).entity(Map.of("error", "ROLLBACK_REFUSED", "reason", e.getMessage())).build();
        }
    }

    /** A file of a version folder ({@code model.json}, {@code checkpoint/weights.safetensors}, {@code onnx/...}). */
    @GET
    @Path("/models/{version}/files/{name: .+}")
    @Produces(MediaType.WILDCARD)
    public Response file(@PathParam("version") String version, @PathParam("name") String name) throws IOException {
        if (!VERSION.matcher(version).matches() || runtime.registry().manifest(version).isEmpty()) {
            return notFound("no version " + version);
        }
        java.nio.file.Path dir = runtime.registry().versionDir(version).toAbsolutePath().normalize();
        java.nio.file.Path f = dir.resolve(name).normalize();
        if (!f.startsWith(dir) || f.equals(dir) || !Files.isRegularFile(f)) {
            return notFound("version " + version + " has no file " + name);
        }
        String type = name.endsWith(".json") ? MediaType.APPLICATION_JSON : MediaType.APPLICATION_OCTET_STREAM;
        return Response.ok(f.toFile(), type).header("Content-Length", Files.size(f)).build();
    }

    private static Response notFound(String reason) {
        return Response.status(404).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "NOT_FOUND", "reason", reason)).build();
    }

    private Map<String, Object> view(TrainerRuntime.JobRecord r) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", r.id());
        m.put("requestedAt", r.requestedAt().toString());
        m.put("demanded", r.demanded());
        m.put("reason", r.reason());
        JobProgress p = runtime.progress(r);
        if (p == null) {
            m.put("state", r.error() != null ? "FAILED" : "QUEUED");
        } else {
            m.put("state", p.state().name());
            m.put("snapshotId", p.snapshotId());
            m.put("step", p.step());
            m.put("totalSteps", p.totalSteps());
            SeamTrainer.Losses l = p.losses();
            if (l != null) {
                var losses = new LinkedHashMap<String, Object>();
                losses.put("total", l.total());
                losses.put("cls", l.cls());
                losses.put("minPool", l.minPool());
                losses.put("er", l.er());
                losses.put("ecr", l.ecr());
                m.put("losses", losses);
            }
            m.put("imagesPerSecond", p.imagesPerSecond());
            m.put("etaSeconds", p.eta() == null ? null : p.eta().toMillis() / 1000.0);
            m.put("startedAt", p.startedAt() == null ? null : p.startedAt().toString());
            m.put("finishedAt", p.finishedAt() == null ? null : p.finishedAt().toString());
            m.put("message", p.message());
            m.put("skipped", p.skipped().stream().map(s -> Map.of("imageId", s.imageId(), "reason", s.reason())).toList());
        }
        m.put("cancelRequested", r.cancelRequested());
        m.put("active", runtime.active(r));
        if (r.published() != null) {
            m.put("modelVersion", r.published().version());
            m.put("modelStatus", r.published().status().name());
            m.put("metrics", r.published().metrics());
        }
        m.put("gate", r.gate());
        m.put("error", r.error());
        return m;
    }
}
