package ai.seamstream.ingest.http;

import ai.seamstream.ingest.IngestSettings;
import ai.seamstream.ingest.IngestStreams;
import ai.seamstream.ingest.http.Answers.ImageAccepted;
import ai.seamstream.ingest.http.Answers.TagRequest;
import ai.seamstream.ingest.http.Answers.TagsAccepted;
import ai.seamstream.ingest.streams.ImageStateQuery;
import ai.seamstream.ingest.topology.ImageCheck;
import ai.seamstream.ingest.topology.IngestConfig;
import ai.seamstream.ingest.topology.Rejection;
import ai.seamstream.ingest.topology.Rejection.Code;
import ai.seamstream.ingest.topology.Rejection.RejectedException;
import ai.seamstream.ingest.topology.TagCheck;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelState;
import ai.seamstream.schemas.v1.TagAction;
import ai.seamstream.schemas.v1.TagEvent;
import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The HTTP intake: images and tags go to their topics after the same checks the topology applies. */
@Path("/v1/images")
@Produces(MediaType.APPLICATION_JSON)
public class ImageResource {
    private static final Logger LOG = Logger.getLogger(ImageResource.class);
    /** Marks a GET relayed by another instance, so it is never relayed twice. */
    static final String FORWARDED_HEADER = "X-Seam-Forwarded";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Producer<String, byte[]> producer;
    private final IngestConfig config;
    private final ImageCheck imageCheck;
    private final TagCheck tagCheck;
    private final IngestStreams streams;
    private final MeterRegistry registry;
    private final String defaultAnnotator;

    public ImageResource(Producer<String, byte[]> producer, IngestConfig config, ImageCheck imageCheck,
                         TagCheck tagCheck, IngestStreams streams, MeterRegistry registry, IngestSettings settings) {
        this.producer = producer;
        this.config = config;
        this.imageCheck = imageCheck;
        this.tagCheck = tagCheck;
        this.streams = streams;
        this.registry = registry;
        this.defaultAnnotator = settings.ingest().defaultAnnotator();
    }

    @POST
    @Consumes({"image/*", MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Send an image as the raw request body",
            description = "Query parameters: id (default: hex SHA-256 of the bytes), tags (comma-separated class names), "
                    + "annotator. Answers 202 once the image (and its tags) are on Kafka.")
    @APIResponse(responseCode = "202", description = "accepted")
    @APIResponse(responseCode = "400", description = "empty, truncated, bad id or unknown class")
    @APIResponse(responseCode = "413", description = "over the size or pixel limit")
    @APIResponse(responseCode = "415", description = "not a PNG or JPEG image")
    public Response postRaw(byte[] body, @RestQuery String id, @RestQuery List<String> tags,
                            @RestQuery String annotator) {
        return accept(body, id, tags, annotator);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Send an image as a multipart form",
            description = "Fields: file (the image), id, tags (comma-separated), annotator.")
    @APIResponse(responseCode = "202", description = "accepted")
    public Response postMultipart(@RestForm("file") FileUpload file, @RestForm String id, @RestForm String tags,
                                  @RestForm String annotator) throws IOException {
        if (file == null) {
            throw new RejectedException(new Rejection(Code.EMPTY, "the form has no 'file' field"));
        }
        return accept(Files.readAllBytes(file.uploadedFile()), id, tags == null ? List.of() : List.of(tags), annotator);
    }

    private Response accept(byte[] body, String id, List<String> tagParams, String annotatorParam) {
        long t0 = System.nanoTime();
        var b = Image.newBuilder().setData(ByteString.copyFrom(body == null ? new byte[0] : body)).setSource("http")
                .setReceivedAtMs(System.currentTimeMillis());
        if (id != null && !id.isBlank()) {
            b.setImageId(id.strip());
        }
        ImageCheck.Result r = imageCheck.check(b.build(), null);
        if (!r.ok()) {
            count("images", r.rejection().code().id());
            throw new RejectedException(r.rejection());
        }
        Image image = r.image();
        List<String> tags = splitTags(tagParams);
        String annotator = annotatorParam == null || annotatorParam.isBlank() ? defaultAnnotator : annotatorParam.strip();
        TagEvent tagEvent = null;
        if (!tags.isEmpty()) {
            tagEvent = tagEvent(image.getImageId(), TagAction.TAG_ACTION_ADD, tags, annotator, 0f);
            Rejection tr = tagCheck.check(tagEvent, null);
            if (tr != null) {
                count("images", tr.code().id());
                throw new RejectedException(tr);
            }
        }
        var sends = new ArrayList<Future<RecordMetadata>>();
        sends.add(producer.send(new ProducerRecord<>(config.imagesTopic(), image.getImageId(), image.toByteArray())));
        if (tagEvent != null) {
            sends.add(producer.send(new ProducerRecord<>(config.tagsTopic(), image.getImageId(), tagEvent.toByteArray())));
        }
        awaitAll(sends);
        count("images", "accepted");
        registry.timer("seam.ingest.accept.time").record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        LOG.debugf("image %s accepted (%d bytes, %dx%d, tags %s)", image.getImageId(), image.getSizeBytes(),
                image.getWidth(), image.getHeight(), tags);
        return Response.accepted(new ImageAccepted(image.getImageId(), image.getSha256(), image.getContentType(),
                image.getSizeBytes(), image.getWidth(), image.getHeight(), tags, tagEvent == null ? null : annotator))
                .build();
    }

    @POST
    @Path("/{id}/tags")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add or remove tags of an image",
            description = "Body: {\"add\": [...], \"remove\": [...], \"annotator\": \"alice\", \"confidence\": 0.9}. "
                    + "Tags for an image not sent yet are kept until it arrives.")
    @APIResponse(responseCode = "202", description = "accepted")
    @APIResponse(responseCode = "400", description = "malformed JSON, no classes, unknown class (lists the valid ones)")
    public Response postTags(@PathParam("id") String id, TagRequest req) {
        if (req == null) {
            throw new RejectedException(new Rejection(Code.UNPARSEABLE, "the request needs a JSON body"));
        }
        List<String> add = req.add() == null ? List.of() : req.add();
        List<String> remove = req.remove() == null ? List.of() : req.remove();
        if (add.isEmpty() && remove.isEmpty()) {
            throw new RejectedException(new Rejection(Code.NO_CLASSES, "give at least one class in 'add' or 'remove'"));
        }
        String annotator = req.annotator() == null || req.annotator().isBlank() ? defaultAnnotator : req.annotator();
        float confidence = req.confidence() == null ? 0f : req.confidence();
        var events = new ArrayList<TagEvent>();
        if (!add.isEmpty()) {
            events.add(tagEvent(id, TagAction.TAG_ACTION_ADD, add, annotator, confidence));
        }
        if (!remove.isEmpty()) {
            events.add(tagEvent(id, TagAction.TAG_ACTION_REMOVE, remove, annotator, confidence));
        }
        for (TagEvent e : events) {
            Rejection r = tagCheck.check(e, null);
            if (r != null) {
                count("tag.events", r.code().id());
                throw new RejectedException(r);
            }
        }
        var sends = new ArrayList<Future<RecordMetadata>>();
        for (TagEvent e : events) {
            sends.add(producer.send(new ProducerRecord<>(config.tagsTopic(), id, e.toByteArray())));
        }
        awaitAll(sends);
        events.forEach(e -> count("tag.events", "accepted"));
        return Response.accepted(new TagsAccepted(id, add, remove, annotator, events.size())).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "An image's state and consensus labels",
            description = "state: labelled, untagged, or awaiting-image (tags kept until the image arrives). With "
                    + "several instances (seam.ingest.advertised-address set) the instance owning the id answers.")
    @APIResponse(responseCode = "200", description = "known image or tags")
    @APIResponse(responseCode = "404", description = "nothing known about the id")
    @APIResponse(responseCode = "503", description = "the streams are not running yet")
    public Response get(@PathParam("id") String id, @HeaderParam(FORWARDED_HEADER) String forwardedBy) {
        if (!ImageCheck.ID.matcher(id).matches()) {
            throw new RejectedException(new Rejection(Code.BAD_ID, "image id '" + id
                    + "' is not 1..128 characters of letters, digits, '.', '_' or '-'"));
        }
        ImageStateQuery.Answer answer = streams.lookup(id);
        if (answer instanceof ImageStateQuery.Unavailable u) {
            return Response.status(503).entity(new Answers.ErrorAnswer("unavailable", u.reason(), null)).build();
        }
        if (answer instanceof ImageStateQuery.Remote r) {
            if (forwardedBy != null) {
                // the instance that sent this here thought it was ours: ownership is moving, let the client retry
                return Response.status(503).entity(new Answers.ErrorAnswer("unavailable", "'" + id
                        + "' is moving between instances; retry", null)).build();
            }
            return forward(r.host(), id);
        }
        var local = (ImageStateQuery.Local) answer;
        Image image = local.image();
        LabelState labels = local.labels();
        if (image == null && labels == null) {
            return Response.status(404).entity(new Answers.ErrorAnswer("not-found", "no image or tags with id '" + id
                    + "'", null)).build();
        }
        return Response.ok(Answers.view(id, image, labels)).build();
    }

    /** Asks the instance that owns the id, and relays its answer. */
    private Response forward(HostInfo host, String id) {
        var req = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + "/v1/images/" + id))
                .header(FORWARDED_HEADER, "1").timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            return Response.status(r.statusCode()).type(MediaType.APPLICATION_JSON).entity(r.body()).build();
        } catch (IOException e) {
            return Response.status(503).entity(new Answers.ErrorAnswer("unavailable", "the instance owning '" + id
                    + "' at " + host.host() + ":" + host.port() + " did not answer: " + e.getMessage(), null)).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.status(503).entity(new Answers.ErrorAnswer("unavailable", "interrupted", null)).build();
        }
    }

    private TagEvent tagEvent(String id, TagAction action, List<String> classes, String annotator, float confidence) {
        return TagEvent.newBuilder().setImageId(id).setAction(action).addAllClasses(classes).setAnnotator(annotator)
                .setConfidence(confidence).setTimeMs(System.currentTimeMillis()).setSource("http")
                .setEventId(UUID.randomUUID().toString()).build();
    }

    static List<String> splitTags(List<String> params) {
        var out = new LinkedHashSet<String>();
        if (params != null) {
            for (String p : params) {
                for (String t : p.split(",")) {
                    if (!t.isBlank()) {
                        out.add(t.strip());
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private void awaitAll(List<Future<RecordMetadata>> sends) {
        try {
            for (Future<RecordMetadata> f : sends) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RecordTooLargeException) {
                throw new RejectedException(new Rejection(Code.TOO_LARGE, "Kafka refused the record as too large: "
                        + e.getCause().getMessage()));
            }
            throw new KafkaUnavailableException("Kafka did not take the record: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("Kafka did not acknowledge the record within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while waiting for Kafka", e);
        }
    }

    private void count(String what, String outcome) {
        registry.counter("seam.ingest." + what, "outcome", outcome).increment();
    }

    /** Kafka could not take a record: answered with 503 so clients retry. */
    public static final class KafkaUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KafkaUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
