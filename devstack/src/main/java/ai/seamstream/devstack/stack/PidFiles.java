package ai.seamstream.devstack.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One file per service ({@code DIR/NAME.pid}: the process id in decimal, then its start time in epoch milliseconds)
 * so that {@code down}, {@code status} and {@code demo} find the processes {@code up} started, from any shell. The
 * start time guards against a reused pid: a file left from an earlier boot or a killed launcher may name a pid that
 * now belongs to an unrelated process, which {@code down} must never signal.
 */
public final class PidFiles {
    /** How far the recorded and the observed start time may differ (both come from the same clock tick count). */
    static final long START_TOLERANCE_MS = 1000;

    private final Path dir;

    public PidFiles(Path dir) {
        this.dir = dir;
    }

    /** The pid file of a service. */
    public Path file(String service) {
        return dir.resolve(service + ".pid");
    }

    /** Writes the pid and start time of a started service (atomically: a reader never sees half a line). */
    public void write(String service, ProcessHandle process) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(service + ".pid.tmp");
        String start = process.info().startInstant().map(i -> " " + i.toEpochMilli()).orElse("");
        Files.writeString(tmp, process.pid() + start + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file(service), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The recorded pid, empty when there is no file.
     *
     * @throws IOException when the file does not hold a process id
     */
    public OptionalLong read(String service) throws IOException {
        long[] r = record(service);
        return r == null ? OptionalLong.empty() : OptionalLong.of(r[0]);
    }

    /** {pid, start ms or -1}, or null without a file. */
    private long[] record(String service) throws IOException {
        Path f = file(service);
        if (!Files.exists(f)) {
            return null;
        }
        String text = Files.readString(f, StandardCharsets.UTF_8).trim();
        String[] parts = text.split("\\s+");
        try {
            if (parts.length > 2) {
                throw new NumberFormatException();
            }
            long pid = Long.parseLong(parts[0]);
            long start = parts.length == 2 ? Long.parseLong(parts[1]) : -1;
            if (pid < 1) {
                throw new NumberFormatException();
            }
            return new long[] {pid, start};
        } catch (NumberFormatException e) {
            throw new IOException(f + " does not hold a process id (and start time): '" + text + "'");
        }
    }

    /**
     * The live process of a service; empty when there is no pid file, its process has ended (stale file), or the
     * pid now belongs to a process started at another time than the recorded one (a reused pid).
     */
    public Optional<ProcessHandle> live(String service) throws IOException {
        long[] r = record(service);
        if (r == null) {
            return Optional.empty();
        }
        return ProcessHandle.of(r[0]).filter(ProcessHandle::isAlive).filter(h -> r[1] < 0 || h.info().startInstant()
                .map(i -> Math.abs(i.toEpochMilli() - r[1]) <= START_TOLERANCE_MS).orElse(true));
    }

    /** Removes the pid file (no error when it is gone). */
    public void remove(String service) throws IOException {
        Files.deleteIfExists(file(service));
    }
}
