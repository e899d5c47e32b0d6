package ai.seamstream.core.tensor;

import java.io.IOException;

/** A weight or tensor file that cannot be read; the message names the file and what is wrong with it. */
public class TensorFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public TensorFormatException(String message) {
        super(message);
    }
}
