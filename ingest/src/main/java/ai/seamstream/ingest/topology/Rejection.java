package ai.seamstream.ingest.topology;

import java.util.Objects;

/**
 * Why a record or request was refused: a stable machine-readable {@code code} and a one-line {@code message}.
 *
 * @param code    e.g. {@code not-an-image}, {@code unknown-class}; see {@link Code}
 * @param message one line for people, naming the offending value
 */
public record Rejection(Code code, String message) {
    public Rejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    /** The kinds of bad input, each with the HTTP status it answers with. */
    public enum Code {
        UNPARSEABLE("unparseable", 400),
        EMPTY("empty", 400),
        NOT_AN_IMAGE("not-an-image", 415),
        TRUNCATED("truncated-image", 400),
        TOO_LARGE("too-large", 413),
        TOO_MANY_PIXELS("too-many-pixels", 413),
        BAD_ID("bad-id", 400),
        KEY_MISMATCH("key-mismatch", 400),
        BAD_URI("bad-uri", 400),
        UNKNOWN_CLASS("unknown-class", 400),
        NO_CLASSES("no-classes", 400),
        BAD_ACTION("bad-action", 400),
        BAD_ANNOTATOR("bad-annotator", 400),
        BAD_CONFIDENCE("bad-confidence", 400);

        private final String id;
        private final int httpStatus;

        Code(String id, int httpStatus) {
            this.id = id;
            this.httpStatus = httpStatus;
        }

        /** The stable id written to dead letters and HTTP answers. */
        public String id() {
            return id;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    /** Thrown where a rejection ends a call (HTTP resources turn it into a 4xx answer). */
    public static final class RejectedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Rejection rejection;

        public RejectedException(Rejection rejection) {
            super(rejection.code().id() + ": " + rejection.message());
            this.rejection = rejection;
        }

        public Rejection rejection() {
            return rejection;
        }
    }
}
