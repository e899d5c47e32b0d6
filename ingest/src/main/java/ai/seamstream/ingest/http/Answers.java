package ai.seamstream.ingest.http;

import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelState;
import java.util.List;

/** The JSON bodies of the HTTP API. */
public final class Answers {
    private Answers() {
    }

    /** 202 for an accepted image. */
    public record ImageAccepted(String id, String sha256, String contentType, long sizeBytes, int width, int height,
                                List<String> tags, String annotator) {
    }

    /** Body of {@code POST /v1/images/{id}/tags}. */
    public record TagRequest(List<String> add, List<String> remove, String annotator, Float confidence) {
    }

    /** 202 for accepted tags: the tag events written. */
    public record TagsAccepted(String id, List<String> added, List<String> removed, String annotator, int events) {
    }

    /** Any 4xx or 503: a stable error code, a sentence, and the valid class names where a class was unknown. */
    public record ErrorAnswer(String error, String message, List<String> validClasses) {
    }

    /** The image part of {@link ImageView}. */
    public record ImageInfo(String sha256, String uri, String contentType, long sizeBytes, int width, int height,
                            String source, long receivedAtMs) {
    }

    /** One annotator's current vote. */
    public record Vote(String annotator, List<String> classes, float confidence, long timeMs) {
    }

    /** The labels part of {@link ImageView}. */
    public record LabelsInfo(List<String> classes, long labelVersion, List<String> annotators, List<Vote> votes,
                             String rule, long events, long updatedAtMs) {
    }

    /**
     * {@code GET /v1/images/{id}}: state is {@code labelled} (image and consensus labels), {@code untagged} (image,
     * no labels yet) or {@code awaiting-image} (tags kept until the image arrives).
     */
    public record ImageView(String id, String state, ImageInfo image, LabelsInfo labels) {
    }

    /** The view of an id from its stored image and label state (either may be null, not both). */
    public static ImageView view(String id, Image image, LabelState labels) {
        ImageInfo info = image == null ? null : new ImageInfo(image.getSha256(), image.getUri().isEmpty() ? null
                : image.getUri(), image.getContentType(), image.getSizeBytes(), image.getWidth(), image.getHeight(),
                image.getSource(), image.getReceivedAtMs());
        LabelsInfo li = labels == null ? null : new LabelsInfo(labels.getClassesList(), labels.getLabelVersion(),
                labels.getAnnotatorsList(), labels.getVotesList().stream().map(v -> new Vote(v.getAnnotator(),
                        v.getClassesList(), v.getConfidence(), v.getTimeMs())).toList(), labels.getRule(),
                labels.getEvents(), labels.getUpdatedAtMs());
        String state = image == null ? "awaiting-image" : labels == null ? "untagged" : "labelled";
        return new ImageView(id, state, info, li);
    }
}
