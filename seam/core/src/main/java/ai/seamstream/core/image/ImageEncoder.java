package ai.seamstream.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Encodes {@link RgbImage}s as 8-bit RGB PNG (lossless) or baseline JPEG with javax.imageio. */
public final class ImageEncoder {
    private ImageEncoder() {
    }

    /** The image as PNG bytes (8-bit RGB, lossless: {@link ImageDecoder} gives back the same pixels). */
    public static byte[] png(RgbImage img) {
        return encode(img, ImageFormat.PNG, Float.NaN);
    }

    /**
     * The image as JPEG bytes at the given quality (0 smallest … 1 best, javax.imageio's scale; 0.75 is its default).
     *
     * @throws IllegalArgumentException if quality is not within [0, 1]
     */
    public static byte[] jpeg(RgbImage img, float quality) {
        requireQuality(quality);
        return encode(img, ImageFormat.JPEG, quality);
    }

    /**
     * Writes the image as a PNG file, replacing an existing file.
     *
     * @throws IOException if the file cannot be written
     */
    public static void writePng(RgbImage img, Path file) throws IOException {
        Files.write(file, png(img));
    }

    /**
     * Writes the image as a JPEG file at the given quality (see {@link #jpeg}), replacing an existing file.
     *
     * @throws IOException              if the file cannot be written
     * @throws IllegalArgumentException if quality is not within [0, 1]
     */
    public static void writeJpeg(RgbImage img, Path file, float quality) throws IOException {
        Files.write(file, jpeg(img, quality));
    }

    private static void requireQuality(float quality) {
        if (!(quality >= 0f && quality <= 1f)) {
            throw new IllegalArgumentException("JPEG quality must be within [0, 1], got " + quality);
        }
    }

    private static byte[] encode(RgbImage img, ImageFormat format, float quality) {
        BufferedImage image = toBufferedImage(img);
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format.imageIoName());
        if (!writers.hasNext()) {
            throw new IllegalStateException("javax.imageio has no " + format + " writer on this JVM");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (!Float.isNaN(quality)) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            // Writing to memory cannot fail for I/O reasons; an exception here is an encoder fault.
            throw new UncheckedIOException("encoding a " + img.width() + "x" + img.height() + " image as " + format
                    + " failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** A TYPE_3BYTE_BGR copy, the layout both javax.imageio writers take without conversion. */
    private static BufferedImage toBufferedImage(RgbImage img) {
        BufferedImage image = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        byte[] rgb = img.rgb();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return image;
    }
}
