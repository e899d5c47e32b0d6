package ai.seamstream.schemas;

import ai.seamstream.schemas.v1.DeadLetter;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelState;
import ai.seamstream.schemas.v1.LabelledImage;
import ai.seamstream.schemas.v1.Mask;
import ai.seamstream.schemas.v1.ModelEvent;
import ai.seamstream.schemas.v1.ReviewRequest;
import ai.seamstream.schemas.v1.TagEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The topics of {@code ARCHITECTURE.md}, shared by every service and by the broker setup: names, partitions,
 * compaction and the largest record each accepts.
 *
 * <p>Producers must set {@code max.request.size} to at least {@link #maxMessageBytes()}, and brokers must allow
 * {@code message.max.bytes} as large, or big images are refused before they reach a topic.
 */
public final class TopicCatalog {
    public static final String IMAGES = "seam.images.v1";
    public static final String TAGS = "seam.tags.v1";
    public static final String LABELS = "seam.labels.v1";
    public static final String LABELLED = "seam.labelled.v1";
    public static final String MASKS = "seam.masks.v1";
    public static final String REVIEW = "seam.review.v1";
    public static final String MODELS = "seam.models.v1";
    public static final String DEAD_LETTER = "seam.deadletter.v1";

    /** Default partition count of the data topics. */
    public static final int DEFAULT_PARTITIONS = 6;
    /** Largest record on the image-carrying topics: images up to 16 MiB plus their metadata. */
    public static final int IMAGE_TOPIC_MAX_BYTES = 16 * 1024 * 1024 + 64 * 1024;
    /** Largest record on the small-record topics (tags, labels, reviews, model events). */
    public static final int SMALL_TOPIC_MAX_BYTES = 1024 * 1024;

    private final Map<String, TopicSpec> topics;

    private TopicCatalog(List<TopicSpec> specs) {
        var m = new LinkedHashMap<String, TopicSpec>();
        for (TopicSpec s : specs) {
            if (m.put(s.name(), s) != null) {
                throw new IllegalArgumentException("topic " + s.name() + " appears twice in the catalog");
            }
        }
        this.topics = Collections.unmodifiableMap(m);
    }

    /** The catalog with {@link #DEFAULT_PARTITIONS} partitions on the data topics. */
    public static TopicCatalog defaults() {
        return withPartitions(DEFAULT_PARTITIONS);
    }

    /**
     * The catalog with the given partition count on every data topic; {@link #MODELS} always has one partition,
     * so every labeler sees model events in order.
     */
    public static TopicCatalog withPartitions(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        return new TopicCatalog(List.of(
                new TopicSpec(IMAGES, partitions, true, IMAGE_TOPIC_MAX_BYTES, Image.getDescriptor()),
                new TopicSpec(TAGS, partitions, false, SMALL_TOPIC_MAX_BYTES, TagEvent.getDescriptor()),
                new TopicSpec(LABELS, partitions, true, SMALL_TOPIC_MAX_BYTES, LabelState.getDescriptor()),
                new TopicSpec(LABELLED, partitions, true, IMAGE_TOPIC_MAX_BYTES, LabelledImage.getDescriptor()),
                new TopicSpec(MASKS, partitions, true, IMAGE_TOPIC_MAX_BYTES, Mask.getDescriptor()),
                new TopicSpec(REVIEW, partitions, false, SMALL_TOPIC_MAX_BYTES, ReviewRequest.getDescriptor()),
                new TopicSpec(MODELS, 1, true, SMALL_TOPIC_MAX_BYTES, ModelEvent.getDescriptor()),
                // a dead letter carries the original record, so it is as large as the largest topic's records
                new TopicSpec(DEAD_LETTER, partitions, false, IMAGE_TOPIC_MAX_BYTES + 64 * 1024,
                        DeadLetter.getDescriptor())));
    }

    /** All topics, in data-flow order. */
    public List<TopicSpec> all() {
        return new ArrayList<>(topics.values());
    }

    /**
     * The topic of that name.
     *
     * @throws IllegalArgumentException listing the known topics if there is none of that name
     */
    public TopicSpec get(String name) {
        Objects.requireNonNull(name, "name");
        TopicSpec s = topics.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown topic '" + name + "'; known topics: "
                    + String.join(", ", topics.keySet()));
        }
        return s;
    }

    /** The largest {@code max.message.bytes} of any topic: what producers and brokers must allow. */
    public int maxMessageBytes() {
        return topics.values().stream().mapToInt(TopicSpec::maxMessageBytes).max().orElseThrow();
    }
}
