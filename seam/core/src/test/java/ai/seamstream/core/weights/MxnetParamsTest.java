package ai.seamstream.core.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.tensor.TensorFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MXNet NDArray lists written byte by byte from MXNet's format (ndarray.cc Save/Load, LegacyLoad). */
class MxnetParamsTest {
    @TempDir
    Path dir;

    /** Little-endian byte writer. */
    static final class Le {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Le i32(long v) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            return this;
        }

        Le i64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        Le f32(float... v) {
            for (float x : v) {
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(x).array());
            }
            return this;
        }

        Le name(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Three arrays, one in each form MXNet has written: V2, V1 and the original (32-bit dims). */
    static byte[] threeForms() {
        Le b = new Le().i64(0x112).i64(0).i64(3);
        b.i32(0xF993FAC9).i32(0).i32(2).i64(2).i64(3).i32(1).i32(0).i32(0).f32(1, 2, 3, 4, 5, 6); // V2, dense, float32
        b.i32(0xF993FAC8).i32(1).i64(2).i32(2).i32(1).i32(0); // V1 on gpu(1), float32
        b.f32(-1, 0.5f);
        b.i32(1).i32(4).i32(1).i32(0).i32(1); // original form: ndim 1, dim 4, cpu, float64
        for (double d : new double[] {0.25, -8, 1e-3, 7}) {
            b.out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(d).array());
        }
        return b.i64(3).name("arg:res2a_branch2a_weight").name("aux:bn7_moving_mean").name("arg:bn7_gamma").bytes();
    }

    Path write(byte[] bytes) throws Exception {
        Path f = dir.resolve("w.params");
        Files.write(f, bytes);
        return f;
    }

    @Test
    void readsTheV2V1AndOriginalArrayForms() throws Exception {
        WeightFile wf = MxnetParams.read(write(threeForms()));
        assertEquals(3, wf.tensors().size());
        var a = wf.tensors().get(0);
        assertEquals("arg:res2a_branch2a_weight", a.name());
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.data());
        assertArrayEquals(new float[] {-1, 0.5f}, wf.tensors().get(1).data());
        assertArrayEquals(new float[] {0.25f, -8, 1e-3f, 7}, wf.tensors().get(2).data());
        assertEquals(DType.FLOAT64, wf.dtypes().get("arg:bn7_gamma"));
        assertEquals(WeightFormat.PARAMS, WeightFormat.detect(write(threeForms())));
    }

    @Test
    void wrongMagicAndEveryTruncationFailWithAMessage() throws Exception {
        byte[] good = threeForms();
        byte[] bad = good.clone();
        bad[0] = 0x13;
        var e = assertThrows(TensorFormatException.class, () -> MxnetParams.read(write(bad)));
        assertTrue(e.getMessage().contains("magic 0x113"), e.getMessage());
        for (int cut = 0; cut < good.length; cut++) {
            Path f = write(Arrays.copyOf(good, cut));
            assertThrows(TensorFormatException.class, () -> MxnetParams.read(f), "cut at " + cut);
        }
    }

    @Test
    void hostileCountsAndSizesAreRefusedBeforeAllocating() throws Exception {
        // 2^40 arrays claimed in a 40-byte file.
        var e = assertThrows(TensorFormatException.class,
                () -> MxnetParams.read(write(new Le().i64(0x112).i64(0).i64(1L << 40).i64(0).i64(0).bytes())));
        assertTrue(e.getMessage().contains("claims 1099511627776 arrays"), e.getMessage());
        // One array of 2^20 x 2^20 floats (4 TB) in a tiny file; one whose byte count overflows 64 bits.
        byte[] big = new Le().i64(0x112).i64(0).i64(1).i32(0xF993FAC9).i32(0).i32(2).i64(1L << 20).i64(1L << 20)
                .i32(1).i32(0).i32(0).bytes();
        var e2 = assertThrows(TensorFormatException.class, () -> MxnetParams.read(write(big)));
        assertTrue(e2.getMessage().contains("truncated"), e2.getMessage());
        byte[] overflow = new Le().i64(0x112).i64(0).i64(1).i32(0xF993FAC9).i32(0).i32(2).i64(1L << 31).i64(1L << 31)
                .i32(1).i32(0).i32(0).bytes();
        var e3 = assertThrows(TensorFormatException.class, () -> MxnetParams.read(write(overflow)));
        assertTrue(e3.getMessage().contains("impossible shape"), e3.getMessage());
        // A first word that is neither a magic nor a small dimension count.
        byte[] garbage = new Le().i64(0x112).i64(0).i64(1).i32(0x12345678).bytes();
        assertTrue(assertThrows(TensorFormatException.class, () -> MxnetParams.read(write(garbage))).getMessage()
                .contains("neither an NDArray magic"));
    }

    @Test
    void refusesSparseArraysAndIntegerWeightsByName() throws Exception {
        byte[] sparse = new Le().i64(0x112).i64(0).i64(1).i32(0xF993FAC9).i32(1).bytes();
        assertTrue(assertThrows(TensorFormatException.class, () -> MxnetParams.read(write(sparse))).getMessage()
                .contains("sparse"));
        byte[] ints = new Le().i64(0x112).i64(0).i64(1).i32(0xF993FAC9).i32(0).i32(1).i64(2).i32(1).i32(0).i32(4)
                .i32(7).i32(8).i64(1).name("arg:counts").bytes();
        var e = assertThrows(TensorFormatException.class, () -> MxnetParams.read(write(ints)));
        assertTrue(e.getMessage().contains("'arg:counts'") && e.getMessage().contains("int32"), e.getMessage());
    }
}
