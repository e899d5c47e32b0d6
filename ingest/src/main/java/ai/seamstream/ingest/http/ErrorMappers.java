package ai.seamstream.ingest.http;

import ai.seamstream.ingest.http.Answers.ErrorAnswer;
import ai.seamstream.ingest.topology.IngestConfig;
import ai.seamstream.ingest.topology.Rejection.Code;
import ai.seamstream.ingest.topology.Rejection.RejectedException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure of a request into a JSON answer with a reason: 4xx for bad input, 503 for Kafka, never 500. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    private final IngestConfig config;

    public ErrorMappers(IngestConfig config) {
        this.config = config;
    }

    @ServerExceptionMapper
    public Response rejected(RejectedException e) {
        var r = e.rejection();
        var valid = r.code() == Code.UNKNOWN_CLASS ? config.vocabulary().foreground() : null;
        return json(r.code().httpStatus(), new ErrorAnswer(r.code().id(), r.message(), valid));
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return json(400, new ErrorAnswer("malformed-json", "the body is not valid JSON for this request: "
                + e.getOriginalMessage(), null));
    }

    /** Valid JSON of the wrong shape (a string where a list belongs ...); Quarkus's own mapper answers without a body. */
    @ServerExceptionMapper
    public Response wrongJsonShape(MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response kafka(ImageResource.KafkaUnavailableException e) {
        LOG.warn(e.getMessage());
        return json(503, new ErrorAnswer("kafka-unavailable", e.getMessage(), null));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String code = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "too-large";
            case 415 -> "unsupported-media-type";
            default -> status < 500 ? "bad-request" : "unavailable";
        };
        String msg = e.getMessage() == null ? "HTTP " + status : e.getMessage();
        if (status == 415) {
            msg = "send the image as image/png, image/jpeg or application/octet-stream, or as multipart/form-data";
        }
        if (status == 400 && e.getCause() instanceof JsonProcessingException j) {
            return malformedJson(j);
        }
        return json(status >= 500 ? 503 : status, new ErrorAnswer(code, msg, null));
    }

    private static Response json(int status, ErrorAnswer body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
