package ai.seamstream.core.mask;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The IHDR fields of a PNG whose chunk structure has been checked, and the PNG plumbing the mask codecs share.
 *
 * <p>The JDK reader does not check CRCs and may hand back a partly decoded image for a truncated file, so the
 * chunk walk here is what turns a damaged file into an error instead of a silently wrong mask.
 */
record PngHeader(int width, int height, int bitDepth, int colorType) {
    static final int GREYSCALE = 0;
    static final int TRUECOLOR = 2;
    static final int PALETTE = 3;
    static final int GREYSCALE_ALPHA = 4;
    static final int TRUECOLOR_ALPHA = 6;

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** Walks every chunk (lengths, CRCs, IHDR first, IEND present) and returns the header. */
    static PngHeader parse(byte[] png, String source) throws MaskFormatException {
        if (png == null || png.length == 0) {
            throw new MaskFormatException(source, "empty input, expected a PNG file");
        }
        if (png.length < SIGNATURE.length || !startsWithSignature(png)) {
            throw new MaskFormatException(source, "not a PNG file (bad signature)");
        }
        PngHeader header = null;
        int pos = SIGNATURE.length;
        var crc = new CRC32();
        while (true) {
            if (pos + 8 > png.length) {
                throw new MaskFormatException(source, "truncated PNG: file ends at byte " + png.length
                        + " before IEND");
            }
            long length = readInt(png, pos) & 0xFFFFFFFFL;
            String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (length > png.length - pos - 12L) {
                throw new MaskFormatException(source, "truncated PNG: chunk " + type + " at byte " + pos + " needs "
                        + length + " data bytes, file ends at byte " + png.length);
            }
            int dataStart = pos + 8;
            int dataEnd = dataStart + (int) length;
            crc.reset();
            crc.update(png, pos + 4, 4 + (int) length);
            if ((int) crc.getValue() != readInt(png, dataEnd)) {
                throw new MaskFormatException(source, "corrupt PNG: CRC mismatch in chunk " + type + " at byte " + pos);
            }
            if (header == null) {
                if (!type.equals("IHDR") || length != 13) {
                    throw new MaskFormatException(source, "corrupt PNG: first chunk is " + type + ", expected IHDR");
                }
                header = new PngHeader(readInt(png, dataStart), readInt(png, dataStart + 4),
                        png[dataStart + 8] & 0xFF, png[dataStart + 9] & 0xFF);
                if (header.width <= 0 || header.height <= 0) {
                    throw new MaskFormatException(source, "corrupt PNG: size " + Integer.toUnsignedString(header.width)
                            + "x" + Integer.toUnsignedString(header.height));
                }
                if ((long) header.width * header.height > Integer.MAX_VALUE - 8) {
                    throw new MaskFormatException(source, "PNG of " + header.width + "x" + header.height
                            + " has too many pixels for one array");
                }
            }
            pos = dataEnd + 4;
            if (type.equals("IEND")) {
                return header;
            }
        }
    }

    /** A short description such as "16-bit greyscale", for error messages. */
    String describe() {
        String kind = switch (colorType) {
            case GREYSCALE -> "greyscale";
            case TRUECOLOR -> "RGB";
            case PALETTE -> "palette";
            case GREYSCALE_ALPHA -> "greyscale+alpha";
            case TRUECOLOR_ALPHA -> "RGBA";
            default -> "colour type " + colorType;
        };
        return bitDepth + "-bit " + kind;
    }

    /** Decodes the checked PNG with the JDK reader and returns its raster's first band, row-major. */
    static int[] samples(byte[] png, PngHeader header, String source) throws MaskFormatException {
        ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
        try (var in = new MemoryCacheImageInputStream(new ByteArrayInputStream(png))) {
            reader.setInput(in, true, true);
            BufferedImage image = reader.read(0);
            if (image.getWidth() != header.width || image.getHeight() != header.height) {
                throw new MaskFormatException(source, "decoded size " + image.getWidth() + "x" + image.getHeight()
                        + " differs from the header's " + header.width + "x" + header.height);
            }
            return image.getRaster().getSamples(0, 0, header.width, header.height, 0, (int[]) null);
        } catch (MaskFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new MaskFormatException(source, "corrupt PNG image data (" + e.getMessage() + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /** Encodes an image with the JDK PNG writer, in memory. */
    static byte[] write(BufferedImage image) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("the JDK has no PNG writer for image type " + image.getType());
            }
        } catch (IOException e) {
            // Only a memory stream is involved, so this cannot come from the outside world.
            throw new IllegalStateException("writing a PNG to memory failed", e);
        }
        return bytes.toByteArray();
    }

    private static boolean startsWithSignature(byte[] png) {
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (png[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    private static int readInt(byte[] b, int pos) {
        return (b[pos] & 0xFF) << 24 | (b[pos + 1] & 0xFF) << 16 | (b[pos + 2] & 0xFF) << 8 | (b[pos + 3] & 0xFF);
    }
}
