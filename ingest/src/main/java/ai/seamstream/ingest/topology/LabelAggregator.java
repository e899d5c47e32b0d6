package ai.seamstream.ingest.topology;

import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.schemas.v1.AnnotatorVote;
import ai.seamstream.schemas.v1.LabelState;
import ai.seamstream.schemas.v1.TagAction;
import ai.seamstream.schemas.v1.TagEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Folds one validated tag event into an image's label state: updates the annotator's vote, recomputes the consensus
 * with the {@link ConsensusRule}, and increases the label version when (and only when) the consensus changed.
 */
public final class LabelAggregator {
    private final ClassVocabulary vocabulary;
    private final ConsensusRule rule;

    public LabelAggregator(ClassVocabulary vocabulary, ConsensusRule rule) {
        this.vocabulary = vocabulary;
        this.rule = rule;
    }

    /** The state after {@code event}; {@code previous} may be the default (empty) state of a new image. */
    public LabelState apply(LabelState previous, TagEvent event) {
        Map<String, AnnotatorVote> votes = new TreeMap<>();
        for (AnnotatorVote v : previous.getVotesList()) {
            votes.put(v.getAnnotator(), v);
        }
        AnnotatorVote old = votes.get(event.getAnnotator());
        Set<String> classes = new LinkedHashSet<>(old == null ? List.of() : old.getClassesList());
        if (event.getAction() == TagAction.TAG_ACTION_ADD) {
            classes.addAll(event.getClassesList());
        } else {
            event.getClassesList().forEach(classes::remove);
        }
        votes.put(event.getAnnotator(), AnnotatorVote.newBuilder().setAnnotator(event.getAnnotator())
                .addAllClasses(inVocabularyOrder(classes)).setConfidence(event.getConfidence())
                .setTimeMs(event.getTimeMs()).build());

        List<String> consensus = consensus(votes.values());
        boolean changed = !consensus.equals(previous.getClassesList());
        var annotators = new ArrayList<String>();
        for (AnnotatorVote v : votes.values()) {
            if (rule.counts(v.getConfidence()) && v.getClassesCount() > 0) {
                annotators.add(v.getAnnotator());
            }
        }
        return LabelState.newBuilder().setImageId(event.getImageId()).addAllClasses(consensus)
                .setLabelVersion(previous.getLabelVersion() + (changed ? 1 : 0)).addAllAnnotators(annotators)
                .addAllVotes(votes.values()).setUpdatedAtMs(Math.max(previous.getUpdatedAtMs(), event.getTimeMs()))
                .setRule(rule.describe()).setEvents(previous.getEvents() + 1).build();
    }

    /** The consensus classes of a set of votes, in vocabulary order. */
    List<String> consensus(java.util.Collection<AnnotatorVote> votes) {
        int counting = 0;
        Map<String, Integer> holders = new TreeMap<>();
        for (AnnotatorVote v : votes) {
            if (!rule.counts(v.getConfidence())) {
                continue;
            }
            counting++;
            for (String c : v.getClassesList()) {
                holders.merge(c, 1, Integer::sum);
            }
        }
        var out = new ArrayList<String>();
        for (var e : holders.entrySet()) {
            if (rule.accepts(e.getValue(), counting)) {
                out.add(e.getKey());
            }
        }
        return inVocabularyOrder(out);
    }

    private List<String> inVocabularyOrder(java.util.Collection<String> classes) {
        var list = new ArrayList<>(classes);
        list.sort(Comparator.comparingInt(vocabulary::indexOf));
        return list;
    }
}
