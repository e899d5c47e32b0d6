package ai.seamstream.core.dataset;

import java.io.IOException;

/** Thrown when a data set folder is missing, incomplete or inconsistent; the one-line message names the files. */
public class DatasetException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a one-line message naming the files involved. */
    public DatasetException(String message) {
        super(message);
    }

    /** Creates the exception with a one-line message and the lower-level cause. */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
