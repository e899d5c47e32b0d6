package ai.seamstream.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading images by URI from files and from a real (JDK) HTTP server. */
class ImageFetcherTest {
    @TempDir
    Path dir;
    HttpServer server;
    String base;
    final byte[] body = new byte[1000];

    @BeforeEach
    void serve() throws IOException {
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 7);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/img.png", x -> {
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.createContext("/chunked.png", x -> { // no content-length: the limit must hold while reading
            x.sendResponseHeaders(200, 0);
            x.getResponseBody().write(body);
            x.close();
        });
        server.createContext("/moved", x -> {
            x.getResponseHeaders().add("Location", "/img.png");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        server.createContext("/slow", x -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsFilesAndHttpBodiesFollowingRedirects() throws IOException {
        Path f = Files.write(dir.resolve("a b.png"), body);
        var fetcher = ImageFetcher.defaults();
        assertArrayEquals(body, fetcher.fetch(f.toUri().toString()));
        assertArrayEquals(body, fetcher.fetch(base + "/img.png"));
        assertArrayEquals(body, fetcher.fetch(base + "/chunked.png"));
        assertArrayEquals(body, fetcher.fetch(base + "/moved"));
    }

    @Test
    void refusesWhatItCannotOrShouldNotRead() throws IOException {
        var fetcher = new ImageFetcher(999, Duration.ofMillis(500));
        Path f = Files.write(dir.resolve("big.png"), body);
        assertMessage(() -> fetcher.fetch(f.toUri().toString()), "limit of 999");
        assertMessage(() -> fetcher.fetch(base + "/img.png"), "over the limit of 999");
        assertMessage(() -> fetcher.fetch(base + "/chunked.png"), "more than the limit of 999");
        assertMessage(() -> fetcher.fetch(base + "/nothing"), "HTTP 404");
        assertMessage(() -> fetcher.fetch(base + "/slow"), "no answer within");
        assertMessage(() -> fetcher.fetch(dir.resolve("missing.png").toUri().toString()), "no such file");
        assertMessage(() -> fetcher.fetch(Files.write(dir.resolve("empty.png"), new byte[0]).toUri().toString()), "empty");
        assertMessage(() -> fetcher.fetch("s3://bucket/x.png"), "scheme 's3' is not supported");
        assertMessage(() -> fetcher.fetch("no scheme"), "not a URI");
        assertThrows(IllegalArgumentException.class, () -> new ImageFetcher(0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new ImageFetcher(10, Duration.ZERO));
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String part) {
        IOException x = assertThrows(IOException.class, e);
        assertTrue(x.getMessage().contains(part), x.getMessage());
    }
}
