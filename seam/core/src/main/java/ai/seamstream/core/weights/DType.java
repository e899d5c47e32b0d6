package ai.seamstream.core.weights;

import java.nio.ByteBuffer;

/**
 * Element types that weight files store, with how each becomes a float32. Floating types are the weights; integer
 * types appear only as bookkeeping (PyTorch's BatchNorm {@code num_batches_tracked}), read so that the name mapping
 * can drop them by name instead of the reader failing on them.
 */
public enum DType {
    FLOAT32(4, true),
    FLOAT64(8, true),
    FLOAT16(2, true),
    BFLOAT16(2, true),
    INT64(8, false),
    INT32(4, false),
    INT16(2, false),
    INT8(1, false),
    UINT8(1, false),
    BOOL(1, false);

    private final int bytes;
    private final boolean floating;

    DType(int bytes, boolean floating) {
        this.bytes = bytes;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Whether the type holds real-valued weights (as opposed to counters or masks). */
    public boolean floating() {
        return floating;
    }

    /** Reads one element from a little-endian buffer as float32 (float64 and int64 round to nearest). */
    float read(ByteBuffer b) {
        return switch (this) {
            case FLOAT32 -> b.getFloat();
            case FLOAT64 -> (float) b.getDouble();
            case FLOAT16 -> halfToFloat(b.getShort());
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16); // the top half of a float32
            case INT64 -> (float) b.getLong();
            case INT32 -> (float) b.getInt();
            case INT16 -> b.getShort();
            case INT8 -> b.get();
            case UINT8, BOOL -> b.get() & 0xFF;
        };
    }

    /** IEEE 754 binary16 to float32 (exact: every half value is a float). */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
