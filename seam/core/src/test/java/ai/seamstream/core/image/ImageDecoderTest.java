package ai.seamstream.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- building encoded images in the test

    private static byte[] write(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no " + format + " writer for image type " + image.getType());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] pngChunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        b.put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** An 8-bit RGB PNG assembled chunk by chunk, so that its header can say anything. */
    private static byte[] handMadePng(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2);
        out.writeBytes(pngChunk("IHDR", ihdr.array()));
        // Real (black) scanlines for small sizes; huge headers get an empty IDAT, never read past the size checks.
        long rawSize = (long) height * (1 + 3L * width);
        byte[] raw = new byte[rawSize <= 1 << 20 ? (int) rawSize : 0];
        Deflater deflater = new Deflater();
        deflater.setInput(raw);
        deflater.finish();
        byte[] z = new byte[raw.length + 64];
        int n = deflater.deflate(z);
        out.writeBytes(pngChunk("IDAT", Arrays.copyOf(z, n)));
        out.writeBytes(pngChunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** Offset of the first JPEG marker {@code FF m} after SOI. */
    private static int markerOffset(byte[] jpeg, int marker) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == marker) {
                return i;
            }
        }
        throw new IllegalStateException("no marker " + Integer.toHexString(marker));
    }

    private static RgbImage smooth(int w, int h) {
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.set(x, y, 0, 40 + 4 * x);
                img.set(x, y, 1, 200 - 3 * y);
                img.set(x, y, 2, 100 + x + y);
            }
        }
        return img;
    }

    private static ImageDecodeException failure(byte[] data, String source) {
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(data, source));
        assertTrue(e.getMessage().startsWith(source + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertEquals(source, e.source());
        assertEquals(source + ": " + e.reason(), e.getMessage());
        return e;
    }

    // ---------------------------------------------------------------- pixel conversion

    @Test
    void rgbPngIsExact() throws Exception {
        RgbImage img = GoldenFiles.pattern(23, 17);
        RgbImage back = ImageDecoder.decode(ImageEncoder.png(img), "pattern.png");
        assertEquals(23, back.width());
        assertEquals(17, back.height());
        assertArrayEquals(img.rgb(), back.rgb());
    }

    @Test
    void greyPngIsReplicatedWithoutGammaConversion() throws Exception {
        BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 256; i++) {
            grey.getRaster().setSample(i % 16, i / 16, 0, i);
        }
        RgbImage img = ImageDecoder.decode(write(grey, "png"), "grey.png");
        for (int i = 0; i < 256; i++) {
            for (int c = 0; c < 3; c++) {
                // AWT's getRGB would lift 128 to ~186 (linear grey -> sRGB); PIL keeps the stored value.
                assertEquals(i, img.get(i % 16, i / 16, c), "level " + i);
            }
        }
    }

    @Test
    void sixteenBitSamplesKeepTheirHighByte() throws Exception {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setSample(0, 0, 0, 0x12FF);
        grey.getRaster().setSample(1, 0, 0, 0xFF00);
        RgbImage g = ImageDecoder.decode(write(grey, "png"), "grey16.png");
        assertArrayEquals(new byte[] {0x12, 0x12, 0x12, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, g.rgb());

        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(1, 1);
        raster.setPixel(0, 0, new int[] {0xABCD, 0x0180, 0xFFFF});
        RgbImage rgb = ImageDecoder.decode(write(new BufferedImage(cm, raster, false, null), "png"), "rgb16.png");
        assertArrayEquals(new byte[] {(byte) 0xAB, 0x01, (byte) 0xFF}, rgb.rgb());
    }

    @Test
    void alphaIsDroppedNotComposited() throws Exception {
        BufferedImage rgba = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR);
        rgba.getRaster().setPixel(0, 0, new int[] {10, 20, 30, 0}); // fully transparent, colour kept
        rgba.getRaster().setPixel(1, 0, new int[] {200, 100, 50, 128});
        RgbImage img = ImageDecoder.decode(write(rgba, "png"), "rgba.png");
        assertArrayEquals(new byte[] {10, 20, 30, (byte) 200, 100, 50}, img.rgb());
    }

    @Test
    void palettesAreLookedUpAndTheirTransparencyDropped() throws Exception {
        byte[] r = {0, (byte) 255, 10, 7};
        byte[] g = {0, 0, (byte) 200, 7};
        byte[] b = {0, 0, 30, 7};
        byte[] a = {(byte) 255, (byte) 255, 0, (byte) 255};
        IndexColorModel icm = new IndexColorModel(2, 4, r, g, b, a);
        BufferedImage pal = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_BINARY, icm);
        for (int x = 0; x < 4; x++) {
            pal.getRaster().setSample(x, 0, 0, x);
        }
        RgbImage img = ImageDecoder.decode(write(pal, "png"), "palette.png");
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 255, 0, 0, 10, (byte) 200, 30, 7, 7, 7}, img.rgb());
    }

    @Test
    void jpegColourAndGreyAreClose() throws Exception {
        RgbImage img = smooth(32, 24);
        RgbImage back = ImageDecoder.decode(ImageEncoder.jpeg(img, 0.95f), "smooth.jpg");
        int worst = 0;
        for (int i = 0; i < img.rgb().length; i++) {
            worst = Math.max(worst, Math.abs((img.rgb()[i] & 0xFF) - (back.rgb()[i] & 0xFF)));
        }
        assertTrue(worst <= 8, "JPEG error " + worst);

        BufferedImage grey = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                grey.getRaster().setSample(x, y, 0, 60 + 8 * x);
            }
        }
        RgbImage g = ImageDecoder.decode(write(grey, "jpeg"), "grey.jpg");
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                assertEquals(g.get(x, y, 0), g.get(x, y, 1));
                assertEquals(g.get(x, y, 0), g.get(x, y, 2));
                assertTrue(Math.abs(g.get(x, y, 0) - (60 + 8 * x)) <= 6, "grey JPEG at " + x + "," + y);
            }
        }
    }

    @Test
    void jpegsWrittenByPilDecodeAsPilDecodesThem() throws Exception {
        // 4:2:0 RGB (PIL's default subsampling): javax.imageio's libjpeg and PIL's libjpeg-turbo agree here.
        assertArrayEquals(GoldenFiles.bytes("decode_rgb_q90.rgb"),
                ImageDecoder.decode(GoldenFiles.bytes("decode_rgb_q90.jpg"), "rgb_q90.jpg").rgb());
        // Adobe CMYK (stored inverted): the same samples, converted with PIL's cmyk2rgb.
        assertArrayEquals(GoldenFiles.bytes("decode_cmyk_q95.rgb"),
                ImageDecoder.decode(GoldenFiles.bytes("decode_cmyk_q95.jpg"), "cmyk_q95.jpg").rgb());
    }

    // ---------------------------------------------------------------- failures

    @Test
    void emptyInput() {
        assertEquals("empty input", failure(new byte[0], "a.png").reason());
        assertEquals("empty input", failure(null, "b.png").reason());
    }

    @Test
    void notAnImage() {
        ImageDecodeException e = failure("hello, not an image".getBytes(StandardCharsets.US_ASCII), "notes.txt");
        assertEquals("not a JPEG or PNG image (starts with 68 65 6C 6C)", e.reason());
        assertTrue(failure("GIF89a\u0001\u0000\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1), "x.gif").reason()
                .startsWith("not a JPEG or PNG image"));
    }

    @Test
    void truncatedPng() {
        byte[] png = ImageEncoder.png(GoldenFiles.pattern(23, 17));
        for (int cut : new int[] {png.length - 1, png.length - 12, png.length / 2, 40, 20, 12, 5}) {
            ImageDecodeException e = failure(Arrays.copyOf(png, cut), "cut" + cut + ".png");
            assertTrue(e.reason().startsWith("truncated data"), cut + ": " + e.getMessage());
        }
    }

    @Test
    void truncatedJpeg() {
        byte[] jpeg = ImageEncoder.jpeg(GoldenFiles.pattern(23, 17), 0.9f);
        int sos = markerOffset(jpeg, 0xDA);
        int sof = markerOffset(jpeg, 0xC0);
        for (int cut : new int[] {jpeg.length - 2, jpeg.length - 1, (sos + jpeg.length) / 2, sos + 4, sos, sof + 4,
                sof, 20, 2}) {
            ImageDecodeException e = failure(Arrays.copyOf(jpeg, cut), "cut" + cut + ".jpg");
            assertTrue(e.reason().startsWith("truncated data"), cut + ": " + e.getMessage());
        }
    }

    @Test
    void corruptButCompletePng() {
        byte[] png = ImageEncoder.png(GoldenFiles.pattern(23, 17));
        // Overwrite the zlib stream of the first IDAT (it starts 8 bytes after the chunk's length field).
        int idat = 8 + 25; // signature + IHDR chunk
        for (int i = idat + 8; i < idat + 20; i++) {
            png[i] = (byte) 0xFF;
        }
        ImageDecodeException e = failure(png, "corrupt.png");
        assertTrue(e.reason().startsWith("corrupt PNG data"), e.getMessage());
    }

    @Test
    void zeroSizeImages() {
        assertEquals("zero-size image (0x5)", failure(handMadePng(0, 5), "w0.png").reason());
        assertEquals("zero-size image (4x0)", failure(handMadePng(4, 0), "h0.png").reason());
        byte[] jpeg = ImageEncoder.jpeg(GoldenFiles.pattern(7, 5), 0.9f);
        int sof = markerOffset(jpeg, 0xC0);
        jpeg[sof + 5] = 0; // SOF: FF C0, length (2), precision (1), height (2), width (2)
        jpeg[sof + 6] = 0;
        assertEquals("zero-size image (7x0)", failure(jpeg, "h0.jpg").reason());
    }

    @Test
    void handMadePngIsValid() throws Exception {
        // The hand-made PNG decodes when its size is sane, so the zero-size failures above are about the size.
        RgbImage img = ImageDecoder.decode(handMadePng(4, 3), "ok.png");
        assertEquals(4, img.width());
        assertEquals(3, img.height());
    }

    @Test
    void pixelLimit() throws Exception {
        byte[] png = ImageEncoder.png(RgbImage.blank(20, 20));
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImageDecoder.decode(png, "big.png", 399));
        assertEquals("big.png: image is 20x20 = 400 pixels, over the limit of 399", e.getMessage());
        assertEquals(20, ImageDecoder.decode(png, "big.png", 400).width());
        assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(png, "big.png", 0));
        assertEquals(64_000_000L, ImageDecoder.DEFAULT_MAX_PIXELS);
        // A header claiming 100000x100000 is refused by the default limit before any pixel is allocated.
        ImageDecodeException huge = failure(handMadePng(100_000, 100_000), "huge.png");
        assertTrue(huge.reason().startsWith("image is 100000x100000"), huge.getMessage());
        ImageDecodeException array = assertThrows(ImageDecodeException.class,
                () -> ImageDecoder.decode(handMadePng(50_000, 50_000), "array.png", Long.MAX_VALUE));
        assertEquals("image is 50000x50000, too large for one RGB byte array", array.reason());
    }

    // ---------------------------------------------------------------- probe and files

    @Test
    void probeReadsOnlyTheHeader() throws Exception {
        byte[] png = ImageEncoder.png(GoldenFiles.pattern(23, 17));
        assertEquals(new ImageDecoder.Dimensions(23, 17, ImageFormat.PNG), ImageDecoder.probe(png, "p.png"));
        // The header is intact even when the pixel data is cut off.
        assertEquals(new ImageDecoder.Dimensions(23, 17, ImageFormat.PNG),
                ImageDecoder.probe(Arrays.copyOf(png, 40), "p.png"));

        byte[] jpeg = ImageEncoder.jpeg(GoldenFiles.pattern(9, 31), 0.8f);
        int sos = markerOffset(jpeg, 0xDA);
        ImageDecoder.Dimensions d = ImageDecoder.probe(Arrays.copyOf(jpeg, sos), "j.jpg");
        assertEquals(new ImageDecoder.Dimensions(9, 31, ImageFormat.JPEG), d);
        assertEquals(279, d.pixels());

        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImageDecoder.probe(new byte[] {1, 2, 3}, "junk"));
        assertEquals("junk: not a JPEG or PNG image (starts with 01 02 03)", e.getMessage());
        assertEquals(new ImageDecoder.Dimensions(23, 17, ImageFormat.PNG), ImageDecoder.probe(png));
        ImageDecodeException unnamed = assertThrows(ImageDecodeException.class,
                () -> ImageDecoder.probe(new byte[0]));
        assertEquals("<bytes>: empty input", unnamed.getMessage());
    }

    @Test
    void probeSkipsSegmentsAndFillBytesBeforeTheFrameHeader() throws Exception {
        byte[] jpeg = ImageEncoder.jpeg(GoldenFiles.pattern(11, 6), 0.8f);
        // After SOI: an APP1 segment of 6 payload bytes, a comment, and fill bytes before the next marker.
        byte[] extra = {(byte) 0xFF, (byte) 0xE1, 0, 8, 'E', 'x', 'i', 'f', 0, 0,
            (byte) 0xFF, (byte) 0xFE, 0, 4, 'h', 'i', (byte) 0xFF, (byte) 0xFF};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(extra);
        out.write(jpeg, 2, jpeg.length - 2);
        byte[] patched = out.toByteArray();
        assertEquals(new ImageDecoder.Dimensions(11, 6, ImageFormat.JPEG), ImageDecoder.probe(patched, "exif.jpg"));
        assertEquals(11, ImageDecoder.decode(patched, "exif.jpg").width());
    }

    @Test
    void filesAreReadAndMissingFilesAreIoErrors() throws Exception {
        Path file = tmp.resolve("img.png");
        RgbImage img = GoldenFiles.pattern(8, 5);
        Files.write(file, ImageEncoder.png(img));
        assertArrayEquals(img.rgb(), ImageDecoder.read(file).rgb());
        assertEquals(new ImageDecoder.Dimensions(8, 5, ImageFormat.PNG), ImageDecoder.probe(file));
        ImageDecodeException limit = assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(file, 39));
        assertEquals(file.toString(), limit.source());

        Path missing = tmp.resolve("missing.jpg");
        assertThrows(NoSuchFileException.class, () -> ImageDecoder.read(missing));
        assertThrows(NoSuchFileException.class, () -> ImageDecoder.probe(missing));

        Path empty = tmp.resolve("empty.jpg");
        Files.write(empty, new byte[0]);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(empty));
        assertEquals(empty + ": empty input", e.getMessage());
        ImageDecodeException p = assertThrows(ImageDecodeException.class, () -> ImageDecoder.probe(empty));
        assertEquals(empty + ": empty input", p.getMessage());
    }
}
