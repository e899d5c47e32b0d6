package ai.seamstream.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @Test
    void roundTripIsBitExactAndKeepsOrderAndMetadata(@TempDir Path dir) throws Exception {
        var a = new NamedTensor("b2.conv_branch2a.weight", new long[] {2, 1, 3, 3}, seq(18, 0.1f));
        var b = new NamedTensor("fc8.weight", new long[] {3, 2, 1, 1}, new float[] {Float.MIN_VALUE, -0f, 1e30f, Float.NaN, 7, -8});
        var scalar = new NamedTensor("step", new long[] {}, new float[] {42});
        Path f = dir.resolve("w.safetensors");
        SafeTensors.write(f, List.of(a, b, scalar), Map.of("format", "seamstream"));
        var back = SafeTensors.read(f);
        assertEquals(List.of("b2.conv_branch2a.weight", "fc8.weight", "step"), back.tensors().stream().map(NamedTensor::name).toList());
        assertEquals(a, back.tensors().get(0));
        for (int i = 0; i < 6; i++) {
            assertEquals(Float.floatToRawIntBits(b.data()[i]), Float.floatToRawIntBits(back.tensors().get(1).data()[i]));
        }
        assertArrayEquals(new long[] {}, back.tensors().get(2).shape());
        assertEquals("seamstream", back.metadata().get("format"));
        // Header length is 8-byte aligned, as the format recommends.
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
    }

    @Test
    void readsHalfPrecisionAndDoubles(@TempDir Path dir) throws Exception {
        // Hand-encoded: F16 1.0 = 0x3C00, -2.0 = 0xC000, 2^-24 (smallest subnormal) = 0x0001; BF16 1.5 = 0x3FC0; F64 0.25.
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[6,8]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}";
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001).putShort((short) 0x3FC0).putDouble(0.25);
        Path f = writeRaw(dir, header, data.array());
        var t = SafeTensors.read(f).byName();
        assertArrayEquals(new float[] {1f, -2f, 0x1p-24f}, t.get("h").data());
        assertArrayEquals(new float[] {1.5f}, t.get("b").data());
        assertArrayEquals(new float[] {0.25f}, t.get("d").data());
    }

    @Test
    void halfConversionCoversSpecialValues() {
        assertEquals(Float.POSITIVE_INFINITY, SafeTensors.halfToFloat((short) 0x7C00));
        assertTrue(Float.isNaN(SafeTensors.halfToFloat((short) 0x7E00)));
        assertEquals(65504f, SafeTensors.halfToFloat((short) 0x7BFF)); // largest finite half
        assertEquals(-0f, SafeTensors.halfToFloat((short) 0x8000));
    }

    @Test
    void truncatedFileIsRejectedWithItsName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("w.safetensors");
        SafeTensors.write(f, List.of(new NamedTensor("x", new long[] {4}, seq(4, 1f))), Map.of());
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 3));
        var e = assertThrows(TensorFormatException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("w.safetensors") && e.getMessage().contains("outside"), e.getMessage());
    }

    @Test
    void hostileHeadersAreRejected(@TempDir Path dir) throws Exception {
        // A header length far beyond the file: must not try to allocate it.
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).putLong(0);
        Path f1 = dir.resolve("huge.safetensors");
        Files.write(f1, huge.array());
        assertThrows(TensorFormatException.class, () -> SafeTensors.read(f1));
        // Not JSON.
        assertThrows(TensorFormatException.class, () -> SafeTensors.read(writeRaw(dir, "{not json", new byte[0])));
        // Unsupported dtype.
        assertThrows(TensorFormatException.class, () -> SafeTensors.read(writeRaw(dir,
                "{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8])));
        // Byte count disagrees with the shape.
        assertThrows(TensorFormatException.class, () -> SafeTensors.read(writeRaw(dir,
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8])));
        // Too short to hold a header length.
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2});
        assertThrows(TensorFormatException.class, () -> SafeTensors.read(tiny));
    }

    @Test
    void duplicateNamesAreRefusedOnWrite(@TempDir Path dir) {
        var t = new NamedTensor("x", new long[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("d.safetensors"), List.of(t, t), Map.of()));
    }

    private static Path writeRaw(Path dir, String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = Files.createTempFile(dir, "raw", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static float[] seq(int n, float step) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * step - 0.5f;
        }
        return v;
    }
}
