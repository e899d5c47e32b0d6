package ai.seamstream.devstack.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One file per service ({@code DIR/NAME.pid}, the process id in decimal) so that {@code down}, {@code status} and
 * {@code demo} find the processes {@code up} started, from any shell.
 */
public final class PidFiles {
    private final Path dir;

    public PidFiles(Path dir) {
        this.dir = dir;
    }

    /** The pid file of a service. */
    public Path file(String service) {
        return dir.resolve(service + ".pid");
    }

    /** Writes the pid of a started service (atomically: a reader never sees half a number). */
    public void write(String service, long pid) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(service + ".pid.tmp");
        Files.writeString(tmp, pid + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file(service), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The recorded pid, empty when there is no file.
     *
     * @throws IOException when the file does not hold a process id
     */
    public OptionalLong read(String service) throws IOException {
        Path f = file(service);
        if (!Files.exists(f)) {
            return OptionalLong.empty();
        }
        String text = Files.readString(f, StandardCharsets.UTF_8).trim();
        try {
            long pid = Long.parseLong(text);
            if (pid < 1) {
                throw new NumberFormatException();
            }
            return OptionalLong.of(pid);
        } catch (NumberFormatException e) {
            throw new IOException(f + " does not hold a process id: '" + text + "'");
        }
    }

    /** The live process of a service; empty when there is no pid file or its process has ended (stale file). */
    public Optional<ProcessHandle> live(String service) throws IOException {
        OptionalLong pid = read(service);
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive);
    }

    /** Removes the pid file (no error when it is gone). */
    public void remove(String service) throws IOException {
        Files.deleteIfExists(file(service));
    }
}
