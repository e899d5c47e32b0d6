package ai.seamstream.core.mask;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A deliberately naive PNG writer and reader for tests, written from the PNG specification independently of the
 * JDK's ImageIO, so the codecs are checked against a second implementation rather than against themselves.
 */
final class RawPng {
    private RawPng() {
    }

    /** Builds a non-interlaced PNG from unfiltered rows of packed samples; {@code plte} may be null. */
    static byte[] build(int width, int height, int bitDepth, int colorType, byte[][] rows, byte[] plte) {
        try {
            var out = new ByteArrayOutputStream();
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
            var ihdr = new ByteArrayOutputStream();
            var d = new DataOutputStream(ihdr);
            d.writeInt(width);
            d.writeInt(height);
            d.writeByte(bitDepth);
            d.writeByte(colorType);
            d.writeByte(0);
            d.writeByte(0);
            d.writeByte(0);
            chunk(out, "IHDR", ihdr.toByteArray());
            if (plte != null) {
                chunk(out, "PLTE", plte);
            }
            var raw = new ByteArrayOutputStream();
            for (byte[] row : rows) {
                raw.write(0); // filter type None
                raw.write(row);
            }
            var deflater = new Deflater();
            deflater.setInput(raw.toByteArray());
            deflater.finish();
            var z = new ByteArrayOutputStream();
            var buf = new byte[4096];
            while (!deflater.finished()) {
                z.write(buf, 0, deflater.deflate(buf));
            }
            chunk(out, "IDAT", z.toByteArray());
            chunk(out, "IEND", new byte[0]);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The chunks of a PNG by type (the last one of each type; IDATs concatenated). */
    static Map<String, byte[]> chunks(byte[] png) {
        var map = new LinkedHashMap<String, byte[]>();
        var idat = new ByteArrayOutputStream();
        int pos = 8;
        while (pos < png.length) {
            int len = readInt(png, pos);
            String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
            var data = new byte[len];
            System.arraycopy(png, pos + 8, data, 0, len);
            if (type.equals("IDAT")) {
                idat.writeBytes(data);
            } else {
                map.put(type, data);
            }
            pos += 12 + len;
        }
        map.put("IDAT", idat.toByteArray());
        return map;
    }

    /** The 8-bit single-channel samples of a non-interlaced PNG, unfiltered by the five PNG filter types. */
    static int[] samples8(byte[] png) {
        Map<String, byte[]> c = chunks(png);
        byte[] ihdr = c.get("IHDR");
        int w = readInt(ihdr, 0);
        int h = readInt(ihdr, 4);
        if (ihdr[8] != 8 || ihdr[12] != 0) {
            throw new IllegalArgumentException("test reader handles 8-bit non-interlaced only");
        }
        var inflater = new Inflater();
        inflater.setInput(c.get("IDAT"));
        var raw = new byte[h * (w + 1)];
        try {
            int n = 0;
            while (n < raw.length && !inflater.finished()) {
                n += inflater.inflate(raw, n, raw.length - n);
            }
        } catch (DataFormatException e) {
            throw new IllegalStateException(e);
        }
        var out = new int[w * h];
        var prev = new int[w];
        var cur = new int[w];
        for (int y = 0; y < h; y++) {
            int filter = raw[y * (w + 1)];
            for (int x = 0; x < w; x++) {
                int v = raw[y * (w + 1) + 1 + x] & 0xFF;
                int a = x > 0 ? cur[x - 1] : 0;
                int b = prev[x];
                int cc = x > 0 ? prev[x - 1] : 0;
                int p = switch (filter) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    case 4 -> paeth(a, b, cc);
                    default -> throw new IllegalArgumentException("filter " + filter);
                };
                cur[x] = (v + p) & 0xFF;
                out[y * w + x] = cur[x];
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return out;
    }

    static int readInt(byte[] b, int pos) {
        return (b[pos] & 0xFF) << 24 | (b[pos + 1] & 0xFF) << 16 | (b[pos + 2] & 0xFF) << 8 | (b[pos + 3] & 0xFF);
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        var d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        d.write(t);
        d.write(data);
        var crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
