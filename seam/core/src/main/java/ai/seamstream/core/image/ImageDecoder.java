package ai.seamstream.core.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG and PNG bytes into {@link RgbImage}s with javax.imageio, refusing empty, unknown, truncated,
 * zero-size and oversized inputs with an {@link ImageDecodeException}.
 *
 * <p>Conversion to 8-bit RGB follows PIL's {@code Image.open(f).convert("RGB")}, which the reference pipeline uses:
 * samples are taken as stored, with no colour management (ICC profiles and PNG gamma are ignored, as PIL ignores
 * them); grey is replicated to three channels; palettes are looked up; an alpha channel or palette transparency is
 * dropped (not composited); 16-bit samples keep their high byte (PIL's {@code RGB;16B} unpacking). Sub-8-bit grey is
 * scaled to 0..255; CMYK JPEGs (Adobe's inverted ones included) are converted with PIL's {@code cmyk2rgb},
 * {@code r = (255−k) − c·(255−k)/255}. Baseline JPEGs written by PIL (4:2:0 RGB, Adobe CMYK) decode to PIL's exact
 * pixels; other encoders' files may differ by a level where javax.imageio's libjpeg and PIL's libjpeg-turbo
 * upsample or transform differently. Corrupt-data warnings other than truncation are tolerated, as PIL tolerates
 * them.
 */
public final class ImageDecoder {
    /** The default pixel limit (width × height) of {@link #decode(byte[], String)}: 64 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 64_000_000L;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private ImageDecoder() {
    }

    /** An image's size and format as read from its header alone. */
    public record Dimensions(int width, int height, ImageFormat format) {
        /** The pixel count, {@code width·height}. */
        public long pixels() {
            return (long) width * height;
        }
    }

    /**
     * Decodes a JPEG or PNG image with the default pixel limit ({@value #DEFAULT_MAX_PIXELS}).
     *
     * @param sourceName label used in error messages (a file name, URI or record id)
     * @throws ImageDecodeException if the bytes are empty, not a JPEG/PNG, truncated, corrupt, zero-size or over the
     *                              limit
     */
    public static RgbImage decode(byte[] data, String sourceName) throws ImageDecodeException {
        return decode(data, sourceName, DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes a JPEG or PNG image, refusing images of more than {@code maxPixels} pixels before allocating them.
     *
     * @throws ImageDecodeException     if the bytes are empty, not a JPEG/PNG, truncated, corrupt, zero-size or over
     *                                  the limit
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public static RgbImage decode(byte[] data, String sourceName, long maxPixels) throws ImageDecodeException {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        String source = sourceName == null ? "<bytes>" : sourceName;
        Dimensions dims = probe(data, source);
        if (dims.pixels() > maxPixels) {
            throw new ImageDecodeException(source, "image is " + dims.width() + "x" + dims.height() + " = "
                    + dims.pixels() + " pixels, over the limit of " + maxPixels);
        }
        if (dims.pixels() > Integer.MAX_VALUE / 3) {
            throw new ImageDecodeException(source, "image is " + dims.width() + "x" + dims.height()
                    + ", too large for one RGB byte array");
        }
        if (dims.format() == ImageFormat.PNG) {
            requirePngComplete(data, source);
        }
        BufferedImage image = readWithImageIo(data, dims.format(), source);
        if (image.getWidth() != dims.width() || image.getHeight() != dims.height()) {
            throw new ImageDecodeException(source, "decoded " + image.getWidth() + "x" + image.getHeight()
                    + " pixels but the header says " + dims.width() + "x" + dims.height());
        }
        return toRgb(image);
    }

    /**
     * Reads and decodes an image file with the default pixel limit; the file's path is the error messages' source.
     *
     * @throws ImageDecodeException if the content cannot be decoded (see {@link #decode(byte[], String, long)})
     * @throws IOException          if the file cannot be read
     */
    public static RgbImage read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * Reads and decodes an image file, refusing images of more than {@code maxPixels} pixels.
     *
     * @throws ImageDecodeException if the content cannot be decoded (see {@link #decode(byte[], String, long)})
     * @throws IOException          if the file cannot be read
     */
    public static RgbImage read(Path file, long maxPixels) throws IOException {
        return decode(Files.readAllBytes(file), file.toString(), maxPixels);
    }

    /**
     * Reads width, height and format from the header of JPEG or PNG bytes, without decoding pixels; errors name the
     * source {@code <bytes>}.
     *
     * @throws ImageDecodeException if the bytes are empty, not a JPEG/PNG, end inside the header or give a zero size
     */
    public static Dimensions probe(byte[] data) throws ImageDecodeException {
        return probe(data, null);
    }

    /**
     * Reads width, height and format from the header of JPEG or PNG bytes, without decoding pixels.
     *
     * @throws ImageDecodeException if the bytes are empty, not a JPEG/PNG, end inside the header or give a zero size
     */
    public static Dimensions probe(byte[] data, String sourceName) throws ImageDecodeException {
        String source = sourceName == null ? "<bytes>" : sourceName;
        if (data == null || data.length == 0) {
            throw new ImageDecodeException(source, "empty input");
        }
        try {
            return probe(new ByteArrayInputStream(data), source);
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException e) {
            // A ByteArrayInputStream fails only by ending, which the parser reports itself.
            throw new ImageDecodeException(source, "unreadable header: " + e.getMessage(), e);
        }
    }

    /**
     * Reads width, height and format from an image file's header, reading only as far as the header goes.
     *
     * @throws ImageDecodeException if the file is empty, not a JPEG/PNG, ends inside the header or gives a zero size
     * @throws IOException          if the file cannot be read
     */
    public static Dimensions probe(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return probe(in, file.toString());
        }
    }

    private static Dimensions probe(InputStream raw, String source) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] magic = in.readNBytes(8);
        if (magic.length == 0) {
            throw new ImageDecodeException(source, "empty input");
        }
        if (magic.length < PNG_SIGNATURE.length && (startsWith(PNG_SIGNATURE, magic)
                || (magic.length < 3 && startsWith(new byte[] {(byte) 0xFF, (byte) 0xD8}, magic)))) {
            throw new ImageDecodeException(source, "truncated data: " + magic.length + " bytes, ended inside the "
                    + (magic[0] == PNG_SIGNATURE[0] ? "PNG" : "JPEG") + " signature");
        }
        Dimensions dims;
        if (startsWith(magic, PNG_SIGNATURE)) {
            dims = pngHeader(in, source);
        } else if (magic.length >= 3 && (magic[0] & 0xFF) == 0xFF && (magic[1] & 0xFF) == 0xD8
                && (magic[2] & 0xFF) == 0xFF) {
            dims = jpegHeader(in, magic, source);
        } else {
            throw new ImageDecodeException(source, "not a JPEG or PNG image (starts with " + hex(magic) + ")");
        }
        if (dims.width() == 0 || dims.height() == 0) {
            throw new ImageDecodeException(source, "zero-size image (" + dims.width() + "x" + dims.height() + ")");
        }
        return dims;
    }

    /** IHDR must be the first chunk: length 13, then width and height as unsigned big-endian 32-bit numbers. */
    private static Dimensions pngHeader(DataInputStream in, String source) throws IOException {
        try {
            int length = in.readInt();
            byte[] type = in.readNBytes(4);
            if (type.length < 4) {
                throw new EOFException();
            }
            if (length != 13 || !"IHDR".equals(new String(type, StandardCharsets.ISO_8859_1))) {
                throw new ImageDecodeException(source, "corrupt PNG: the first chunk is not a 13-byte IHDR");
            }
            long width = in.readInt() & 0xFFFFFFFFL;
            long height = in.readInt() & 0xFFFFFFFFL;
            if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
                throw new ImageDecodeException(source, "corrupt PNG: size " + width + "x" + height
                        + " exceeds the format's limit of 2^31-1");
            }
            return new Dimensions((int) width, (int) height, ImageFormat.PNG);
        } catch (EOFException e) {
            throw new ImageDecodeException(source, "truncated data: ended inside the PNG header", e);
        }
    }

    /**
     * Walks JPEG marker segments from SOI to the first SOFn frame header, whose height and width it returns.
     *
     * @param magic the first bytes, already read (SOI and the start of the next marker)
     */
    private static Dimensions jpegHeader(DataInputStream rest, byte[] magic, String source) throws IOException {
        DataInputStream in = new DataInputStream(new SequenceInputStream(
                new ByteArrayInputStream(magic, 2, magic.length - 2), rest));
        try {
            while (true) {
                int b = in.readUnsignedByte();
                if (b != 0xFF) {
                    throw new ImageDecodeException(source, String.format(Locale.ROOT,
                            "corrupt JPEG: expected a marker, found byte 0x%02X", b));
                }
                int marker = in.readUnsignedByte();
                while (marker == 0xFF) {
                    marker = in.readUnsignedByte(); // fill bytes before a marker
                }
                if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                    continue; // TEM and RSTn stand alone, without a length
                }
                if (marker == 0xD8 || marker == 0xD9 || marker == 0xDA) {
                    throw new ImageDecodeException(source, String.format(Locale.ROOT,
                            "corrupt JPEG: marker 0x%02X before any frame header", marker));
                }
                int length = in.readUnsignedShort();
                if (length < 2) {
                    throw new ImageDecodeException(source, "corrupt JPEG: segment length " + length);
                }
                boolean frameHeader = marker >= 0xC0 && marker <= 0xCF
                        && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
                if (frameHeader) {
                    in.readUnsignedByte(); // sample precision
                    int height = in.readUnsignedShort();
                    int width = in.readUnsignedShort();
                    return new Dimensions(width, height, ImageFormat.JPEG);
                }
                in.skipNBytes(length - 2);
            }
        } catch (EOFException e) {
            throw new ImageDecodeException(source, "truncated data: ended before the JPEG frame header", e);
        }
    }

    /**
     * Fails unless the PNG's chunks run intact up to IEND: javax.imageio decodes a PNG cut after its image data
     * without complaint.
     */
    private static void requirePngComplete(byte[] data, String source) throws ImageDecodeException {
        int pos = PNG_SIGNATURE.length;
        while (true) {
            if (data.length - pos < 12) {
                throw new ImageDecodeException(source, "truncated data: PNG ends without an IEND chunk");
            }
            long length = ((data[pos] & 0xFFL) << 24) | ((data[pos + 1] & 0xFF) << 16)
                    | ((data[pos + 2] & 0xFF) << 8) | (data[pos + 3] & 0xFF);
            String type = new String(data, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (length > data.length - pos - 12L) {
                throw new ImageDecodeException(source, "truncated data: PNG chunk " + type + " at byte " + pos
                        + " needs " + length + " bytes, " + (data.length - pos - 12L) + " remain");
            }
            if ("IEND".equals(type)) {
                return;
            }
            pos += 12 + (int) length;
        }
    }

    private static BufferedImage readWithImageIo(byte[] data, ImageFormat format, String source)
            throws ImageDecodeException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
        if (!readers.hasNext()) {
            throw new IllegalStateException("javax.imageio has no " + format + " reader on this JVM");
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
        try (MemoryCacheImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            BufferedImage image = reader.read(0);
            for (String warning : warnings) {
                String w = warning.toLowerCase(Locale.ROOT);
                // libjpeg fills a cut-off scan with grey and only warns; PIL raises "image file is truncated".
                if (w.contains("truncated") || w.contains("premature end")) {
                    throw new ImageDecodeException(source, "truncated data: " + warning);
                }
            }
            return image;
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // javax.imageio reports corrupt input with IIOException but also with unchecked exceptions
            // (IllegalArgumentException, ArrayIndexOutOfBoundsException, ...): all mean the bytes are bad.
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e.getCause() != null && e.getCause().getMessage() != null) {
                detail += " (" + e.getCause().getMessage() + ")";
            }
            String prefix = warnings.stream().anyMatch(w -> w.toLowerCase(Locale.ROOT).contains("truncated"))
                    ? "truncated data: " : "corrupt " + format + " data: ";
            throw new ImageDecodeException(source, prefix + oneLine(detail), e);
        } finally {
            reader.dispose();
        }
    }

    /** Converts to interleaved 8-bit RGB from the stored samples, without colour management (see class comment). */
    static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[3 * w * h];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int[] row = new int[w];
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int o = 3 * (y * w + x);
                    rgb[o] = (byte) icm.getRed(row[x]);
                    rgb[o + 1] = (byte) icm.getGreen(row[x]);
                    rgb[o + 2] = (byte) icm.getBlue(row[x]);
                }
            }
        } else if (cm instanceof ComponentColorModel && isGreyOrRgb(cm)) {
            int colours = cm.getNumColorComponents();
            for (int c = 0; c < 3; c++) {
                int band = colours == 1 ? 0 : c;
                int bits = cm.getComponentSize(band);
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, band, row);
                    for (int x = 0; x < w; x++) {
                        rgb[3 * (y * w + x) + c] = (byte) to8Bit(row[x], bits);
                    }
                }
            }
        } else if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_CMYK
                && cm.getNumColorComponents() == 4) {
            int[] px = new int[raster.getNumBands()];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    raster.getPixel(x, y, px);
                    int nk = 255 - px[3];
                    int o = 3 * (y * w + x);
                    for (int c = 0; c < 3; c++) {
                        rgb[o + c] = (byte) Math.max(0, nk - mulDiv255(px[c], nk));
                    }
                }
            }
        } else {
            // Packed or unusual colour models (not produced by the JPEG/PNG readers): let AWT convert to sRGB.
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = image.getRGB(x, y);
                    int o = 3 * (y * w + x);
                    rgb[o] = (byte) (argb >> 16);
                    rgb[o + 1] = (byte) (argb >> 8);
                    rgb[o + 2] = (byte) argb;
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** PIL's {@code MULDIV255}: a·b/255 rounded, in integers. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static boolean isGreyOrRgb(ColorModel cm) {
        int type = cm.getColorSpace().getType();
        return (type == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1)
                || (type == ColorSpace.TYPE_RGB && cm.getNumColorComponents() == 3);
    }

    private static int to8Bit(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        int max = (1 << bits) - 1;
        return (sample * 255 + max / 2) / max;
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 4); i++) {
            sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02X", bytes[i] & 0xFF));
        }
        return sb.toString();
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }
}
