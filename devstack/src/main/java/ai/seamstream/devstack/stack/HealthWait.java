package ai.seamstream.devstack.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Waiting for a started service to become healthy, and the clear failure when it does not. */
public final class HealthWait {
    private HealthWait() {
    }

    /** One look at a service: empty when healthy, else what was seen. */
    @FunctionalInterface
    public interface Probe {
        Optional<String> check();
    }

    /** Thrown when a service is not healthy in time or its process ends; the message names it and has its log. */
    public static final class NotHealthyException extends Exception {
        public NotHealthyException(String message) {
            super(message);
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Healthy when {@code GET url} answers 200. */
    public static Probe http(URI url) {
        return () -> {
            try {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).GET()
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return Optional.empty();
                }
                String body = r.body().replaceAll("\\s+", " ");
                return Optional.of("GET " + url + " answered " + r.statusCode() + ": "
                        + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
            } catch (IOException e) {
                return Optional.of("GET " + url + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted");
            }
        };
    }

    /** Healthy once the log file has a line containing {@code marker} (the broker prints its ready line). */
    public static Probe logLine(Path log, String marker) {
        return () -> {
            try {
                if (Files.exists(log)) {
                    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                        if (line.contains(marker)) {
                            return Optional.empty();
                        }
                    }
                }
                return Optional.of("no line '" + marker + "' in " + log + " yet");
            } catch (IOException e) {
                return Optional.of("cannot read " + log + ": " + e);
            }
        };
    }

    /**
     * Polls {@code probe} every {@code poll} until it passes.
     *
     * @param service name used in the failure
     * @param alive   false once the service's process has ended (the wait then fails at once)
     * @param log     the service's log; its last {@code tailLines} lines end the failure message
     * @throws NotHealthyException after {@code timeout}, or as soon as the process ended
     */
    public static void await(String service, Probe probe, BooleanSupplier alive, Duration timeout, Duration poll,
            Path log, int tailLines) throws NotHealthyException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String last = "not checked yet";
        while (true) {
            Optional<String> problem = probe.check();
            if (problem.isEmpty()) {
                return;
            }
            last = problem.get();
            if (!alive.getAsBoolean()) {
                throw new NotHealthyException(service + " stopped before it became healthy (last check: " + last
                        + ")" + tail(log, tailLines));
            }
            if (System.nanoTime() >= deadline) {
                throw new NotHealthyException(service + " did not become healthy within " + timeout.toSeconds()
                        + " s (last check: " + last + ")" + tail(log, tailLines));
            }
            Thread.sleep(Math.max(1, Math.min(poll.toMillis(), (deadline - System.nanoTime()) / 1_000_000 + 1)));
        }
    }

    private static String tail(Path log, int lines) {
        List<String> t = tail(log, lines, new ArrayList<>());
        if (t.isEmpty()) {
            return "; its log " + log + " is empty or missing";
        }
        return "; last lines of " + log + ":\n" + String.join("\n", t);
    }

    /** The last {@code lines} lines of a file (empty when it is missing or unreadable). */
    public static List<String> tail(Path file, int lines, List<String> into) {
        try {
            if (!Files.exists(file)) {
                return into;
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            into.addAll(all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            into.add("(cannot read " + file + ": " + e.getMessage() + ")");
        }
        return into;
    }
}
