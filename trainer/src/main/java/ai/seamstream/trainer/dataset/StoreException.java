package ai.seamstream.trainer.dataset;

import java.io.IOException;

/** A training-set store file that cannot be read back: truncated, corrupt or of another format. */
public final class StoreException extends IOException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
