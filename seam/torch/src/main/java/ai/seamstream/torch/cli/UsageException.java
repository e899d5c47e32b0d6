package ai.seamstream.torch.cli;

/** A user error on the command line (bad or missing argument); printed as one line, never as a stack trace. */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
