package ai.seamstream.core.mask;

import java.io.IOException;

/** Thrown when bytes that should hold a mask or map PNG do not, with a one-line message "source: reason". */
public class MaskFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for the named source (a file path or any other name of the bytes) and reason. */
    public MaskFormatException(String source, String reason) {
        super(source + ": " + reason);
    }

    /** Creates the exception for the named source and reason, keeping the lower-level cause. */
    public MaskFormatException(String source, String reason, Throwable cause) {
        super(source + ": " + reason, cause);
    }
}
