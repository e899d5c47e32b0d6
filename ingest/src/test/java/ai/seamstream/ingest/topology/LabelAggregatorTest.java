package ai.seamstream.ingest.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.schemas.v1.LabelState;
import ai.seamstream.schemas.v1.TagAction;
import ai.seamstream.schemas.v1.TagEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelAggregatorTest {
    static final ClassVocabulary VOCAB = ClassVocabulary.ofForeground(List.of("cat", "dog", "person"));

    static TagEvent add(String annotator, float confidence, String... classes) {
        return TagEvent.newBuilder().setImageId("img").setAction(TagAction.TAG_ACTION_ADD).setAnnotator(annotator)
                .setConfidence(confidence).addAllClasses(List.of(classes)).setTimeMs(1000).build();
    }

    static TagEvent remove(String annotator, String... classes) {
        return TagEvent.newBuilder().setImageId("img").setAction(TagAction.TAG_ACTION_REMOVE).setAnnotator(annotator)
                .addAllClasses(List.of(classes)).setTimeMs(2000).build();
    }

    static LabelState fold(LabelAggregator a, TagEvent... events) {
        LabelState s = LabelState.getDefaultInstance();
        for (TagEvent e : events) {
            s = a.apply(s, e);
        }
        return s;
    }

    @Test
    void defaultRuleOneAnnotatorAddsThenRemoves() {
        var a = new LabelAggregator(VOCAB, ConsensusRule.DEFAULT);
        var s1 = fold(a, add("alice", 0, "person", "cat"));
        assertEquals(List.of("cat", "person"), s1.getClassesList(), "vocabulary order");
        assertEquals(1, s1.getLabelVersion());
        assertEquals(List.of("alice"), s1.getAnnotatorsList());
        var s2 = a.apply(s1, remove("alice", "cat"));
        assertEquals(List.of("person"), s2.getClassesList());
        assertEquals(2, s2.getLabelVersion());
        assertEquals(2, s2.getEvents());
        assertEquals("min-votes=1,min-fraction=0.5,min-confidence=0", s2.getRule());
        // re-adding what is there changes nothing: same version
        var s3 = a.apply(s2, add("alice", 0, "person"));
        assertEquals(2, s3.getLabelVersion());
    }

    @Test
    void majorityOfAnnotatorsDecides() {
        // 3 annotators: cat held by 2 of 3 (0.67 >= 0.5) is in; dog by 1 of 3 (0.33) is out
        var a = new LabelAggregator(VOCAB, ConsensusRule.DEFAULT);
        var s = fold(a, add("a", 0, "cat", "dog"), add("b", 0, "cat"), add("c", 0, "person"));
        assertEquals(List.of("cat"), s.getClassesList());
        // versions: {cat,dog} v1, {cat} (dog 1 of 2 = 0.5 stays in -> {cat,dog}) v1, then c: dog 1/3 out, person 1/3 out
        assertEquals(2, s.getLabelVersion());
        assertEquals(List.of("a", "b", "c"), s.getAnnotatorsList());
        // an annotator who withdraws everything still counts in the denominator
        var s2 = a.apply(s, remove("b", "cat"));
        assertEquals(List.of(), s2.getClassesList(), "cat now 1 of 3");
        assertEquals(List.of("a", "c"), s2.getAnnotatorsList());
        assertEquals(3, s2.getVotesCount());
    }

    @Test
    void minVotesAndMinConfidence() {
        var rule = new ConsensusRule(2, 0.5, 0.6);
        var a = new LabelAggregator(VOCAB, rule);
        var s = fold(a, add("a", 0.9f, "dog"));
        assertEquals(List.of(), s.getClassesList(), "one vote is not two");
        assertEquals(0, s.getLabelVersion());
        s = a.apply(s, add("b", 0.5f, "dog"));
        assertEquals(List.of(), s.getClassesList(), "b's 0.5 is under min-confidence 0.6");
        s = a.apply(s, add("c", 0f, "dog")); // 0 = not given = 1.0
        assertEquals(List.of("dog"), s.getClassesList());
        assertEquals(1, s.getLabelVersion());
        assertEquals(List.of("a", "c"), s.getAnnotatorsList(), "b's vote does not count");
    }

    @Test
    void ruleAcceptsParsesAndRefuses() {
        var r = ConsensusRule.parse("min-votes=2, min-fraction=0.75");
        assertEquals(new ConsensusRule(2, 0.75, 0), r);
        assertTrue(r.accepts(3, 4));
        assertFalse(r.accepts(2, 3), "2/3 < 0.75");
        assertFalse(r.accepts(1, 1), "under min-votes");
        assertEquals(r, ConsensusRule.parse(r.describe()));
        assertEquals(ConsensusRule.DEFAULT, ConsensusRule.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ConsensusRule.parse("min-votes=x"));
        assertThrows(IllegalArgumentException.class, () -> ConsensusRule.parse("quorum=2"));
        assertThrows(IllegalArgumentException.class, () -> ConsensusRule.parse("min-votes"));
        assertThrows(IllegalArgumentException.class, () -> new ConsensusRule(0, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConsensusRule(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConsensusRule(1, 0.5, 1.5));
    }
}
