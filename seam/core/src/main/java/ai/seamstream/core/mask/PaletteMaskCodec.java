package ai.seamstream.core.mask;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads and writes {@link LabelMask}s as PNG files whose pixel values are class indices, the format of VOC's
 * {@code SegmentationClass} folder.
 *
 * <p>Written files are 8-bit palette PNGs coloured with {@link VocPalette}, so they look like VOC masks in any
 * viewer. Reading takes the raster's index values and ignores the palette entirely, so masks coloured with any
 * palette decode to the same classes; 8-bit greyscale PNGs (as in the augmented {@code SegmentationClassAug}) are
 * read the same way, a grey value being the index.
 */
public final class PaletteMaskCodec {
    private PaletteMaskCodec() {
    }

    /** Encodes a mask as an 8-bit palette PNG with the VOC colour map; every index 0..255 survives a round trip. */
    public static byte[] encode(LabelMask mask) {
        Objects.requireNonNull(mask, "mask");
        var image = new BufferedImage(mask.width(), mask.height(), BufferedImage.TYPE_BYTE_INDEXED,
                VocPalette.colorModel());
        image.getRaster().setDataElements(0, 0, mask.width(), mask.height(), mask.labels());
        return PngHeader.write(image);
    }

    /** Writes {@link #encode(LabelMask)}'s bytes to a file, replacing it if it exists. */
    public static void write(LabelMask mask, Path file) throws IOException {
        Files.write(file, encode(mask));
    }

    /**
     * Decodes a palette PNG (bit depth 1, 2, 4 or 8; the raster indices are the classes) or an 8-bit greyscale PNG
     * (the grey values are the classes).
     *
     * @param sourceName names the bytes in error messages, usually the file path
     * @throws MaskFormatException "sourceName: reason" if the bytes are empty, not a PNG, truncated, corrupt, or a
     *     PNG of another kind (RGB, with alpha, 16-bit, greyscale below 8 bits)
     */
    public static LabelMask decode(byte[] png, String sourceName) throws MaskFormatException {
        PngHeader header = PngHeader.parse(png, sourceName);
        // Palettes below 8 bits are accepted because PIL writes small palettes that way; low-bit greyscale is
        // not, since such values are scaled intensities rather than indices in most tools.
        boolean palette = header.colorType() == PngHeader.PALETTE;
        boolean grey8 = header.colorType() == PngHeader.GREYSCALE && header.bitDepth() == 8;
        if (!palette && !grey8) {
            throw new MaskFormatException(sourceName, "a mask must be a palette or 8-bit greyscale PNG, this is "
                    + header.describe());
        }
        int[] samples = PngHeader.samples(png, header, sourceName);
        var labels = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            labels[i] = (byte) samples[i];
        }
        return new LabelMask(header.width(), header.height(), labels);
    }

    /**
     * Reads a mask file as {@link #decode(byte[], String)} does, naming the file in errors.
     *
     * @throws MaskFormatException if the file is not a mask PNG
     * @throws IOException if the file cannot be read
     */
    public static LabelMask read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }
}
