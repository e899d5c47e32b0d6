package ai.seamstream.ingest.topology;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.imageio.ImageIO;

/** Small encoded images made on the fly, and an independent SHA-256. */
public final class TestImages {
    private TestImages() {
    }

    /** A w×h image in the given format ("png" or "jpg") whose pixels depend on {@code seed}. */
    public static byte[] encoded(int w, int h, int seed, String format) {
        var img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 7 + seed * 31) & 255) << 16 | ((y * 5 + seed) & 255) << 8 | (seed * 13 & 255));
            }
        }
        var out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalArgumentException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A w×h PNG of one colour: many pixels in few bytes. */
    public static byte[] flatPng(int w, int h) {
        var img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] png(int w, int h, int seed) {
        return encoded(w, h, seed, "png");
    }

    public static String sha256Hex(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
