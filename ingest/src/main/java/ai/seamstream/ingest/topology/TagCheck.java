package ai.seamstream.ingest.topology;

import ai.seamstream.ingest.topology.Rejection.Code;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.schemas.v1.TagAction;
import ai.seamstream.schemas.v1.TagEvent;
import java.util.ArrayList;
import java.util.regex.Pattern;

/** Validates tag events, from HTTP or from the tags topic, against the class vocabulary. */
public final class TagCheck {
    /** Annotator names: 1..128 printable characters without spaces. */
    static final Pattern ANNOTATOR = Pattern.compile("[\\p{Graph}&&[^,]]{1,128}");

    private final ClassVocabulary vocabulary;

    public TagCheck(ClassVocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /**
     * Returns why the event is refused, or null if it is valid.
     *
     * @param key the record key it arrived with, or null on the HTTP path; when given, it must equal the image id
     */
    public Rejection check(TagEvent e, String key) {
        if (!ImageCheck.ID.matcher(e.getImageId()).matches()) {
            return new Rejection(Code.BAD_ID, "image id '" + ImageCheck.abbreviate(e.getImageId())
                    + "' is not 1..128 characters of letters, digits, '.', '_' or '-'");
        }
        if (key != null && !key.equals(e.getImageId())) {
            return new Rejection(Code.KEY_MISMATCH, "record key '" + ImageCheck.abbreviate(key)
                    + "' is not the image id '" + e.getImageId() + "' (records are keyed by image id)");
        }
        if (e.getAction() != TagAction.TAG_ACTION_ADD && e.getAction() != TagAction.TAG_ACTION_REMOVE) {
            return new Rejection(Code.BAD_ACTION, "the tag action must be ADD or REMOVE, got " + e.getAction());
        }
        if (e.getClassesCount() == 0) {
            return new Rejection(Code.NO_CLASSES, "the tag event names no class");
        }
        var unknown = new ArrayList<String>();
        for (String c : e.getClassesList()) {
            if (!vocabulary.contains(c) || ClassVocabulary.BACKGROUND.equals(c)) {
                unknown.add(c);
            }
        }
        if (!unknown.isEmpty()) {
            return new Rejection(Code.UNKNOWN_CLASS, "unknown class" + (unknown.size() > 1 ? "es " : " ")
                    + String.join(", ", unknown.stream().map(u -> "'" + ImageCheck.abbreviate(u) + "'").toList())
                    + "; valid classes: " + String.join(", ", vocabulary.foreground()));
        }
        if (!ANNOTATOR.matcher(e.getAnnotator()).matches()) {
            return new Rejection(Code.BAD_ANNOTATOR, "annotator '" + ImageCheck.abbreviate(e.getAnnotator())
                    + "' is not 1..128 printable characters without spaces or commas");
        }
        float c = e.getConfidence();
        if (!(c >= 0f && c <= 1f)) {
            return new Rejection(Code.BAD_CONFIDENCE, "confidence must be in [0, 1] (0 = not given), got " + c);
        }
        return null;
    }
}
