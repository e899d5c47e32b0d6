package ai.seamstream.ingest.topology;

import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.schemas.TopicCatalog;
import java.util.Objects;

/**
 * What the ingest topology needs to know: its topics, the class vocabulary, the consensus rule and the image limits.
 *
 * @param service name written into dead letters
 */
public record IngestConfig(String imagesTopic, String tagsTopic, String labelsTopic, String labelledTopic,
                           String deadLetterTopic, ClassVocabulary vocabulary, ConsensusRule rule, ImageLimits limits,
                           String service) {
    public IngestConfig {
        Objects.requireNonNull(imagesTopic, "imagesTopic");
        Objects.requireNonNull(tagsTopic, "tagsTopic");
        Objects.requireNonNull(labelsTopic, "labelsTopic");
        Objects.requireNonNull(labelledTopic, "labelledTopic");
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        Objects.requireNonNull(vocabulary, "vocabulary");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(service, "service");
    }

    /** The catalog's topics with the given vocabulary, rule and limits. */
    public static IngestConfig of(ClassVocabulary vocabulary, ConsensusRule rule, ImageLimits limits) {
        return new IngestConfig(TopicCatalog.IMAGES, TopicCatalog.TAGS, TopicCatalog.LABELS, TopicCatalog.LABELLED,
                TopicCatalog.DEAD_LETTER, vocabulary, rule, limits, "ingest");
    }
}
