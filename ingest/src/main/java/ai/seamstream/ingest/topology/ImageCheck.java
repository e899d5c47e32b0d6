package ai.seamstream.ingest.topology;

import ai.seamstream.core.image.ImageDecodeException;
import ai.seamstream.core.image.ImageDecoder;
import ai.seamstream.core.image.ImageFormat;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.ingest.topology.Rejection.Code;
import ai.seamstream.schemas.v1.Image;
import com.google.protobuf.ByteString;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Validates images, from HTTP or from the images topic, and completes their metadata (id, SHA-256, size, pixels,
 * content type): the same rules on both paths, so a record that HTTP would refuse also goes to the dead letters.
 */
public final class ImageCheck {
    /** Image ids: 1..128 characters of letters, digits, '.', '_', '-' (safe in URLs and file names). */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final ImageLimits limits;

    public ImageCheck(ImageLimits limits) {
        this.limits = limits;
    }

    /** The result of a check: the completed image, or why it was refused. */
    public record Result(Image image, Rejection rejection) {
        public boolean ok() {
            return rejection == null;
        }
    }

    /** Lower-case hex SHA-256 of the bytes: the image id of an image sent without one. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Checks an image and fills in what can be derived: {@code image_id} (the SHA-256 when empty), {@code sha256},
     * {@code size_bytes}, {@code width}, {@code height} and {@code content_type} for inline bytes.
     *
     * @param key the record key it arrived with, or null on the HTTP path; when given, it must equal the image id
     */
    public Result check(Image in, String key) {
        Image.Builder b = in.toBuilder();
        switch (in.getContentCase()) {
            case DATA -> {
                Rejection r = checkBytes(in.getData(), b);
                if (r != null) {
                    return new Result(null, r);
                }
            }
            case URI -> {
                Rejection r = checkUri(in.getUri());
                if (r != null) {
                    return new Result(null, r);
                }
            }
            default -> {
                return new Result(null, new Rejection(Code.EMPTY, "the image has neither data nor a URI"));
            }
        }
        if (b.getImageId().isEmpty()) {
            if (b.getSha256().isEmpty()) {
                return new Result(null, new Rejection(Code.BAD_ID, "a URI image needs an image id"));
            }
            b.setImageId(b.getSha256());
        }
        if (!ID.matcher(b.getImageId()).matches()) {
            return new Result(null, new Rejection(Code.BAD_ID, "image id '" + abbreviate(b.getImageId())
                    + "' is not 1..128 characters of letters, digits, '.', '_' or '-'"));
        }
        if (key != null && !key.equals(b.getImageId())) {
            return new Result(null, new Rejection(Code.KEY_MISMATCH, "record key '" + abbreviate(key)
                    + "' is not the image id '" + b.getImageId() + "' (records are keyed by image id)"));
        }
        return new Result(b.build(), null);
    }

    private Rejection checkBytes(ByteString data, Image.Builder b) {
        if (data.isEmpty()) {
            return new Rejection(Code.EMPTY, "the image is empty (0 bytes)");
        }
        if (data.size() > limits.maxBytes()) {
            return new Rejection(Code.TOO_LARGE, "the image is " + data.size() + " bytes, over the limit of "
                    + limits.maxBytes());
        }
        byte[] bytes = data.toByteArray();
        ImageDecoder.Dimensions dims;
        try {
            dims = ImageDecoder.probe(bytes, "image");
        } catch (ImageDecodeException e) {
            return new Rejection(e.reason().startsWith("truncated") ? Code.TRUNCATED : Code.NOT_AN_IMAGE,
                    "not a readable PNG or JPEG image: " + e.reason());
        }
        if (dims.pixels() > limits.maxPixels()) {
            return new Rejection(Code.TOO_MANY_PIXELS, "the image is " + dims.width() + "x" + dims.height() + " = "
                    + dims.pixels() + " pixels, over the limit of " + limits.maxPixels());
        }
        RgbImage decoded;
        try {
            // decoding in full catches truncated and corrupt pixel data that the header alone does not show
            decoded = ImageDecoder.decode(bytes, "image", limits.maxPixels());
        } catch (ImageDecodeException e) {
            return new Rejection(e.reason().startsWith("truncated") ? Code.TRUNCATED : Code.NOT_AN_IMAGE,
                    "the image cannot be decoded: " + e.reason());
        }
        String sha = sha256(bytes);
        if (!b.getSha256().isEmpty() && !b.getSha256().equalsIgnoreCase(sha)) {
            return new Rejection(Code.BAD_ID, "the given sha256 " + abbreviate(b.getSha256())
                    + " is not the SHA-256 of the bytes (" + sha + ")");
        }
        b.setSha256(sha).setSizeBytes(bytes.length).setWidth(decoded.width()).setHeight(decoded.height())
                .setContentType(dims.format() == ImageFormat.PNG ? "image/png" : "image/jpeg");
        return null;
    }

    private Rejection checkUri(String uri) {
        try {
            URI u = new URI(uri);
            if (u.getScheme() == null || !limits.uriSchemes().contains(u.getScheme().toLowerCase(Locale.ROOT))) {
                return new Rejection(Code.BAD_URI, "URI '" + abbreviate(uri) + "' has no allowed scheme; allowed: "
                        + String.join(", ", limits.uriSchemes().stream().sorted().toList()));
            }
            return null;
        } catch (URISyntaxException e) {
            return new Rejection(Code.BAD_URI, "not a URI: " + e.getMessage());
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
