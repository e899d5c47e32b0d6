package ai.seamstream.core.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Reads the bytes of an image given by URI ({@code file:}, {@code http:}, {@code https:}), as image events may carry a
 * URI instead of the bytes. Bounded: at most {@link #maxBytes()} bytes (a larger body is refused, not truncated) and
 * {@link #timeout()} for connecting and for the whole response. Redirects are followed (not from https to http).
 * Every failure is an {@link IOException} whose message names the URI and the reason. Thread-safe.
 */
public final class ImageFetcher {
    /** 64 MiB: far above any photo, below what would strain a service's heap. */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final long maxBytes;
    private final Duration timeout;
    private final HttpClient http;

    public ImageFetcher(long maxBytes, Duration timeout) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** With {@link #DEFAULT_MAX_BYTES} and {@link #DEFAULT_TIMEOUT}. */
    public static ImageFetcher defaults() {
        return new ImageFetcher(DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT);
    }

    public long maxBytes() {
        return maxBytes;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * The bytes at {@code uri}.
     *
     * @throws IOException for an unparseable URI, an unsupported scheme, a missing or unreadable file, an HTTP status
     *                     other than 2xx, a timeout, or a body over the limit
     */
    public byte[] fetch(String uri) throws IOException {
        Objects.requireNonNull(uri, "uri");
        URI u;
        try {
            u = new URI(uri);
        } catch (java.net.URISyntaxException e) {
            throw new IOException("image URI '" + uri + "' is not a URI: " + e.getMessage(), e);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
        return switch (scheme) {
            case "file" -> file(u);
            case "http", "https" -> http(u);
            default -> throw new IOException("image URI " + uri + ": scheme '" + scheme
                    + "' is not supported (file:, http:, https:)");
        };
    }

    private byte[] file(URI u) throws IOException {
        Path p;
        try {
            p = Path.of(u);
        } catch (IllegalArgumentException e) {
            throw new IOException("image URI " + u + " is not a local file path: " + e.getMessage(), e);
        }
        try (InputStream in = Files.newInputStream(p)) {
            return bounded(in, u);
        } catch (NoSuchFileException e) {
            throw new IOException("image URI " + u + ": no such file", e);
        }
    }

    private byte[] http(URI u) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(u).timeout(timeout).GET().build();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new IOException("image URI " + u + ": no answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("image URI " + u + ": interrupted", e);
        }
        try (InputStream in = resp.body()) {
            if (resp.statusCode() / 100 != 2) {
                throw new IOException("image URI " + u + ": HTTP " + resp.statusCode());
            }
            long declared = resp.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > maxBytes) {
                throw new IOException("image URI " + u + ": " + declared + " bytes, over the limit of " + maxBytes);
            }
            return bounded(in, u);
        }
    }

    private byte[] bounded(InputStream in, URI u) throws IOException {
        byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (b.length > maxBytes) {
            throw new IOException("image URI " + u + ": more than the limit of " + maxBytes + " bytes");
        }
        if (b.length == 0) {
            throw new IOException("image URI " + u + ": empty");
        }
        return b;
    }
}
