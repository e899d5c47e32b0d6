package ai.seamstream.core.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaletteMaskCodecTest {

    private static LabelMask allIndices() {
        // 16x16 holding each index 0..255 once, plus an odd width so row padding cannot hide bugs.
        var labels = new byte[17 * 16];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i * 7 % 256);
        }
        for (int i = 0; i < 256; i++) {
            labels[i] = (byte) i;
        }
        return new LabelMask(17, 16, labels);
    }

    @Test
    void roundTripKeepsAll256Indices() throws Exception {
        LabelMask mask = allIndices();
        LabelMask back = PaletteMaskCodec.decode(PaletteMaskCodec.encode(mask), "mem");
        assertEquals(17, back.width());
        assertEquals(16, back.height());
        assertArrayEquals(mask.labels(), back.labels());
    }

    @Test
    void fileStoresIndicesWithTheVocPalette() {
        LabelMask mask = allIndices();
        byte[] png = PaletteMaskCodec.encode(mask);
        var chunks = RawPng.chunks(png);
        byte[] ihdr = chunks.get("IHDR");
        assertEquals(8, ihdr[8], "bit depth");
        assertEquals(3, ihdr[9], "colour type palette");
        // The raster, read by an independent inflater/unfilter, holds the indices themselves.
        int[] samples = RawPng.samples8(png);
        for (int i = 0; i < samples.length; i++) {
            assertEquals(mask.labels()[i] & 0xFF, samples[i], "pixel " + i);
        }
        byte[] plte = chunks.get("PLTE");
        assertEquals(256 * 3, plte.length);
        int[][] expected = {{0, 0, 0, 0}, {1, 128, 0, 0}, {2, 0, 128, 0}, {15, 192, 128, 128}, {255, 224, 224, 192}};
        for (int[] e : expected) {
            int i = e[0];
            assertArrayEquals(new int[] {e[1], e[2], e[3]},
                    new int[] {plte[3 * i] & 0xFF, plte[3 * i + 1] & 0xFF, plte[3 * i + 2] & 0xFF}, "index " + i);
        }
    }

    @Test
    void readsIndicesWhateverThePalette() throws Exception {
        // A foreign 3-entry palette written by the independent writer: the colours must not matter.
        byte[] plte = {10, 20, 30, 10, 20, 30, (byte) 200, 0, 0};
        byte[][] rows = {{0, 1, 2}, {2, 1, 0}};
        LabelMask m = PaletteMaskCodec.decode(RawPng.build(3, 2, 8, 3, rows, plte), "foreign.png");
        assertArrayEquals(new byte[] {0, 1, 2, 2, 1, 0}, m.labels());
    }

    @Test
    void readsFourBitPalettes() throws Exception {
        // PIL writes palettes of at most 16 colours with 4 bits per pixel.
        var cm = new IndexColorModel(4, 16, new byte[16], new byte[16], new byte[16]);
        var image = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_BINARY, cm);
        var expected = new byte[15];
        for (int i = 0; i < 15; i++) {
            expected[i] = (byte) ((i * 5) % 16);
            image.getRaster().setSample(i % 5, i / 5, 0, expected[i]);
        }
        byte[] png = imageIoPng(image);
        assertEquals(4, RawPng.chunks(png).get("IHDR")[8]);
        assertArrayEquals(expected, PaletteMaskCodec.decode(png, "p4").labels());
    }

    @Test
    void acceptsEightBitGreyscaleAsIndices() throws Exception {
        byte[][] rows = {{0, 15, (byte) 255}, {20, 1, 0}};
        LabelMask m = PaletteMaskCodec.decode(RawPng.build(3, 2, 8, 0, rows, null), "aug.png");
        assertEquals(255, m.get(2, 0));
        assertEquals(20, m.get(0, 1));
        assertArrayEquals(new byte[] {0, 15, (byte) 255, 20, 1, 0}, m.labels());
    }

    @Test
    void rejectsRgbWithSourceAndKind() {
        var rgb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        var e = assertThrows(MaskFormatException.class, () -> PaletteMaskCodec.decode(imageIoPng(rgb), "a/b.png"));
        assertEquals("a/b.png: a mask must be a palette or 8-bit greyscale PNG, this is 8-bit RGB", e.getMessage());
    }

    @Test
    void rejectsSixteenBitGreyscaleAndAlpha() {
        var grey16 = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        var e = assertThrows(MaskFormatException.class, () -> PaletteMaskCodec.decode(imageIoPng(grey16), "g16"));
        assertTrue(e.getMessage().endsWith("16-bit greyscale"), e.getMessage());
        var argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        e = assertThrows(MaskFormatException.class, () -> PaletteMaskCodec.decode(imageIoPng(argb), "rgba"));
        assertTrue(e.getMessage().endsWith("8-bit RGBA"), e.getMessage());
        e = assertThrows(MaskFormatException.class,
                () -> PaletteMaskCodec.decode(RawPng.build(8, 1, 1, 0, new byte[][] {{0}}, null), "g1"));
        assertTrue(e.getMessage().endsWith("1-bit greyscale"), e.getMessage());
    }

    @Test
    void rejectsEveryTruncation() {
        byte[] png = PaletteMaskCodec.encode(allIndices());
        for (int cut = 0; cut < png.length; cut++) {
            byte[] part = Arrays.copyOf(png, cut);
            var e = assertThrows(MaskFormatException.class, () -> PaletteMaskCodec.decode(part, "cut"), "cut " + cut);
            assertTrue(e.getMessage().startsWith("cut: "), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line");
        }
    }

    @Test
    void rejectsCorruptedImageData() {
        byte[] png = PaletteMaskCodec.encode(allIndices());
        int idat = indexOf(png, "IDAT");
        png[idat + 10] ^= 0x5A;
        var e = assertThrows(MaskFormatException.class, () -> PaletteMaskCodec.decode(png, "flip"));
        assertTrue(e.getMessage().contains("CRC mismatch in chunk IDAT"), e.getMessage());
    }

    @Test
    void rejectsEmptyAndNonPng() throws Exception {
        var e = assertThrows(MaskFormatException.class, () -> PaletteMaskCodec.decode(new byte[0], "empty.png"));
        assertEquals("empty.png: empty input, expected a PNG file", e.getMessage());
        var jpeg = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "jpg", jpeg);
        e = assertThrows(MaskFormatException.class, () -> PaletteMaskCodec.decode(jpeg.toByteArray(), "x.jpg"));
        assertEquals("x.jpg: not a PNG file (bad signature)", e.getMessage());
    }

    @Test
    void fileRoundTripNamesTheFileInErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.png");
        LabelMask mask = allIndices();
        PaletteMaskCodec.write(mask, f);
        assertArrayEquals(mask.labels(), PaletteMaskCodec.read(f).labels());
        Files.write(f, new byte[] {1, 2, 3});
        var e = assertThrows(MaskFormatException.class, () -> PaletteMaskCodec.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
    }

    static byte[] imageIoPng(BufferedImage image) throws IOException {
        var out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, "png", out));
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, String s) {
        outer:
        for (int i = 0; i + s.length() <= b.length; i++) {
            for (int j = 0; j < s.length(); j++) {
                if (b[i + j] != s.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(s + " not found");
    }
}
