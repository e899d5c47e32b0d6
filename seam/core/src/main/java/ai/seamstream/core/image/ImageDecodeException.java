package ai.seamstream.core.image;

import java.io.IOException;

/** Bytes that could not be decoded into an image; the message is one line, {@code "<source>: <reason>"}. */
public class ImageDecodeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String reason;

    /** An exception for the named source (a file name or other label) and the reason it failed. */
    public ImageDecodeException(String source, String reason) {
        this(source, reason, null);
    }

    /** An exception for the named source and reason, keeping the lower-level failure as its cause. */
    public ImageDecodeException(String source, String reason, Throwable cause) {
        super(source + ": " + reason, cause);
        this.source = source;
        this.reason = reason;
    }

    /** The label of the input that failed (a file path or a caller-given name). */
    public String source() {
        return source;
    }

    /** Why it failed, without the source prefix. */
    public String reason() {
        return reason;
    }
}
