package ai.seamstream.ingest.topology;

import java.util.Locale;

/**
 * How several annotators' tags become an image's consensus labels.
 *
 * <p>Each annotator holds a current set of classes (adds put classes in, removes take them out) and a confidence
 * (its latest event's, 0 read as 1). A vote counts only if its annotator's confidence is at least
 * {@code minConfidence}. A class is in the consensus when at least {@code minVotes} counting annotators hold it
 * <em>and</em> they are at least {@code minFraction} of all counting annotators of the image (those whose sets are
 * now empty included, since they looked and withdrew). The default (1, 0.5, 0) is "a class someone asserts and no
 * majority has withdrawn"; {@code (2, 0.5, 0)} needs two independent annotators.
 *
 * @param minVotes      at least 1
 * @param minFraction   in (0, 1]
 * @param minConfidence in [0, 1]
 */
public record ConsensusRule(int minVotes, double minFraction, double minConfidence) {
    public static final ConsensusRule DEFAULT = new ConsensusRule(1, 0.5, 0.0);

    public ConsensusRule {
        if (minVotes < 1) {
            throw new IllegalArgumentException("consensus min-votes must be at least 1, got " + minVotes);
        }
        if (!(minFraction > 0 && minFraction <= 1)) {
            throw new IllegalArgumentException("consensus min-fraction must be in (0, 1], got " + minFraction);
        }
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("consensus min-confidence must be in [0, 1], got " + minConfidence);
        }
    }

    /** Whether a vote of this confidence counts (0 means not given and reads as 1). */
    public boolean counts(float confidence) {
        return (confidence == 0f ? 1.0 : confidence) >= minConfidence;
    }

    /**
     * Whether a class held by {@code holders} of the {@code counting} annotators is in the consensus.
     */
    public boolean accepts(int holders, int counting) {
        return holders >= minVotes && counting > 0 && holders >= minFraction * counting - 1e-9;
    }

    /** The rule as written into label states, e.g. {@code min-votes=1,min-fraction=0.5,min-confidence=0}. */
    public String describe() {
        return String.format(Locale.ROOT, "min-votes=%d,min-fraction=%s,min-confidence=%s", minVotes,
                trim(minFraction), trim(minConfidence));
    }

    /** Parses {@link #describe()}'s form; missing keys take the default's values. */
    public static ConsensusRule parse(String s) {
        int votes = DEFAULT.minVotes;
        double fraction = DEFAULT.minFraction;
        double confidence = DEFAULT.minConfidence;
        if (s != null && !s.isBlank()) {
            for (String part : s.split(",")) {
                String[] kv = part.strip().split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("consensus rule part '" + part + "' is not key=value");
                }
                try {
                    switch (kv[0].strip()) {
                        case "min-votes" -> votes = Integer.parseInt(kv[1].strip());
                        case "min-fraction" -> fraction = Double.parseDouble(kv[1].strip());
                        case "min-confidence" -> confidence = Double.parseDouble(kv[1].strip());
                        default -> throw new IllegalArgumentException("unknown consensus rule key '" + kv[0].strip()
                                + "'; keys: min-votes, min-fraction, min-confidence");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("consensus rule value '" + kv[1] + "' of " + kv[0]
                            + " is not a number");
                }
            }
        }
        return new ConsensusRule(votes, fraction, confidence);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

}
