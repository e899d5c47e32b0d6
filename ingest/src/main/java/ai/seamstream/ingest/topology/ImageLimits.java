package ai.seamstream.ingest.topology;

import java.util.Set;

/**
 * What an acceptable image is: at most {@code maxBytes} encoded bytes and {@code maxPixels} pixels, or a URI with one
 * of {@code uriSchemes}.
 */
public record ImageLimits(long maxBytes, long maxPixels, Set<String> uriSchemes) {
    /** 16 MiB, 40 megapixels, file/http/https/s3 URIs. */
    public static final ImageLimits DEFAULTS = new ImageLimits(16L * 1024 * 1024, 40_000_000L,
            Set.of("file", "http", "https", "s3"));

    public ImageLimits {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        uriSchemes = Set.copyOf(uriSchemes);
    }
}
