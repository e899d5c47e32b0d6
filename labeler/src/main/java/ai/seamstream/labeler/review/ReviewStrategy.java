package ai.seamstream.labeler.review;

import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.schemas.v1.ReviewReason;
import java.util.List;

/**
 * Scores an image's value for review by a person (active learning). Implementations must be pure functions of
 * their input, so a retried batch scores the same; the labeler ranks a batch's candidates by {@link Candidate#score()}
 * and publishes the best within the review budget.
 */
public interface ReviewStrategy {

    /** One suggested tag: class name and the model's probability for it. */
    record Suggestion(String name, double score) {
    }

    /** The strategy's verdict on one image: the priority, the main reason, a sentence for people, tags to suggest. */
    record Candidate(double score, ReviewReason reason, String detail, List<Suggestion> suggestions) {
        public Candidate {
            if (!(score >= 0) || Double.isInfinite(score)) {
                throw new IllegalArgumentException("review score must be finite and non-negative, got " + score);
            }
            suggestions = List.copyOf(suggestions);
        }
    }

    /**
     * Scores one image.
     *
     * @param classes     the model's class vocabulary, background first
     * @param givenTags   the people's tags (one flag per foreground class), or null when the tags were predicted
     * @param result      the pipeline's outcome for the image
     */
    Candidate score(List<String> classes, boolean[] givenTags, PseudoMaskResult result);
}
