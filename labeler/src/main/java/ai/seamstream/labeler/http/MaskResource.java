package ai.seamstream.labeler.http;

import ai.seamstream.labeler.LabelerService;
import ai.seamstream.schemas.v1.ClassResult;
import ai.seamstream.schemas.v1.Mask;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/masks/{imageId}}: the latest committed mask of an image as JSON (PNGs base64), 404 if none yet. */
@Path("/v1/masks")
public class MaskResource {
    private final LabelerService service;

    public MaskResource(LabelerService service) {
        this.service = service;
    }

    @GET
    @Path("/{imageId}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response get(@PathParam("imageId") String imageId) {
        var view = service.view();
        var m = view == null ? java.util.Optional.<Mask>empty() : view.get(imageId);
        if (m.isEmpty()) {
            return Response.status(404).entity(Map.of("error", "no mask for image " + imageId + " yet")).build();
        }
        return Response.ok(json(m.get())).build();
    }

    static Map<String, Object> json(Mask m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("imageId", m.getImageId());
        o.put("modelVersion", m.getModelVersion());
        o.put("labelVersion", m.getLabelVersion());
        o.put("tagOrigin", m.getTagOrigin().name());
        o.put("tagsUsed", List.copyOf(m.getTagsUsedList()));
        o.put("width", m.getWidth());
        o.put("height", m.getHeight());
        List<Map<String, Object>> classes = new java.util.ArrayList<>();
        for (ClassResult c : m.getClassesList()) {
            classes.add(Map.of("name", c.getName(), "index", c.getIndex(), "area", c.getArea(), "score", c.getScore()));
        }
        o.put("classes", classes);
        o.put("latency", Map.of("endToEndMs", m.getLatency().getEndToEndMs(), "inferenceMs", m.getLatency().getInferenceMs(),
                "batchSize", m.getLatency().getBatchSize(), "refineMs", m.getLatency().getRefineMs()));
        o.put("lineage", Map.of("sourceTopic", m.getLineage().getSourceTopic(), "sourcePartition", m.getLineage().getSourcePartition(),
                "sourceOffset", m.getLineage().getSourceOffset(), "imageSha256", m.getLineage().getImageSha256(),
                "modelSha256", m.getLineage().getModelSha256(), "producedAtMs", m.getLineage().getProducedAtMs(),
                "producer", m.getLineage().getProducer()));
        o.put("maskPng", Base64.getEncoder().encodeToString(m.getMaskPng().toByteArray()));
        o.put("uncertaintyPng", Base64.getEncoder().encodeToString(m.getUncertaintyPng().toByteArray()));
        return o;
    }
}
