package ai.seamstream.core.weights;

import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.TensorFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads MXNet's NDArray list files ({@code mx.nd.save}, the {@code .params} of a checkpoint): a 64-bit list magic
 * {@code 0x112} and a reserved word, the arrays, then their names. Each array is written in one of the forms MXNet
 * has used: version 2 and 3 ({@code 0xF993FAC9}, {@code 0xF993FACA}: storage type, 64-bit dimensions), version 1
 * ({@code 0xF993FAC8}: 64-bit dimensions) or the original form whose first word is the dimension count followed by
 * 32-bit dimensions; then the context (device type and id), the element type and the raw little-endian data.
 *
 * <p>Only dense arrays of float32, float64 or float16 are weights; sparse arrays and other element types are
 * refused with the array's name. Names keep MXNet's {@code arg:}/{@code aux:} prefixes.
 */
public final class MxnetParams {
    /** {@code kMXAPINDArrayListMagic}. */
    public static final long LIST_MAGIC = 0x112;
    static final int V1_MAGIC = 0xF993FAC8;
    static final int V2_MAGIC = 0xF993FAC9;
    static final int V3_MAGIC = 0xF993FACA;
    /** MXNet's own limit on dimensions. */
    static final int MAX_DIMS = 32;

    private MxnetParams() {
    }

    /**
     * Reads every array and its name.
     *
     * @throws TensorFormatException naming the file and what is wrong: magic, truncation, a sparse array, a dtype
     */
    public static WeightFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteSource in = ByteSource.of(file.toString(), ch, 0, Files.size(file));
            if (in.remaining() < 16) {
                throw new TensorFormatException(file + ": not an MXNet .params file (" + in.remaining() + " bytes)");
            }
            long magic = in.i64();
            if (magic != LIST_MAGIC) {
                throw new TensorFormatException(String.format("%s: not an MXNet .params file (magic 0x%x, expected 0x112)",
                        file, magic));
            }
            in.i64(); // reserved
            long count = in.i64();
            // The smallest array (legacy, zero dimensions) takes 4 bytes: a count beyond that cannot be real.
            if (count < 0 || count > in.remaining() / 4) {
                throw new TensorFormatException(file + ": claims " + count + " arrays in " + in.remaining() + " bytes");
            }
            var arrays = new ArrayList<Array>();
            for (long i = 0; i < count; i++) {
                arrays.add(readArray(in, ch, i));
            }
            long names = in.i64();
            if (names != count && names != 0) {
                throw new TensorFormatException(file + ": " + count + " arrays but " + names + " names");
            }
            if (names == 0 && count > 0) {
                throw new TensorFormatException(file + ": the arrays have no names (an unnamed NDArray list holds no weights by name)");
            }
            var tensors = new ArrayList<NamedTensor>();
            var dtypes = new LinkedHashMap<String, DType>();
            for (int i = 0; i < count; i++) {
                long len = in.i64();
                String name = new String(in.bytes(len, "array name " + i), StandardCharsets.UTF_8);
                if (name.isEmpty()) {
                    throw new TensorFormatException(file + ": array " + i + " has an empty name");
                }
                if (dtypes.containsKey(name)) {
                    throw new TensorFormatException(file + ": name '" + name + "' appears twice");
                }
                Array a = arrays.get(i);
                if (a.dtype == null) {
                    throw new TensorFormatException(file + ": array '" + name + "' has element type " + a.typeFlag
                            + " (" + typeName(a.typeFlag) + "); only float32, float64 and float16 weights are read");
                }
                tensors.add(new NamedTensor(name, a.shape, a.read(ch, file)));
                dtypes.put(name, a.dtype);
            }
            if (in.remaining() != 0) {
                throw new TensorFormatException(file + ": " + in.remaining() + " bytes after the last name");
            }
            return new WeightFile(WeightFormat.PARAMS, tensors, dtypes);
        }
    }

    /** One array's header and where its data lies; data is read only after all names check out. */
    private record Array(long[] shape, int typeFlag, DType dtype, long dataOffset, long count) {
        float[] read(FileChannel ch, Path file) throws IOException {
            float[] out = new float[(int) count];
            if (count == 0) {
                return out;
            }
            long bytes = count * dtype.bytes();
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(bytes, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
            long pos = dataOffset;
            int i = 0;
            while (i < out.length) {
                b.clear();
                b.limit((int) Math.min(b.capacity(), (out.length - i) * (long) dtype.bytes()));
                while (b.hasRemaining()) {
                    if (ch.read(b, pos + b.position()) < 0) {
                        throw new TensorFormatException(file + ": unexpected end of file at byte " + (pos + b.position()));
                    }
                }
                pos += b.position();
                b.flip();
                while (b.remaining() >= dtype.bytes()) {
                    out[i++] = dtype.read(b);
                }
            }
            return out;
        }
    }

    private static Array readArray(ByteSource in, FileChannel ch, long index) throws IOException {
        String where = "array " + index;
        int magic = in.i32();
        long[] shape;
        if (magic == V2_MAGIC || magic == V3_MAGIC) {
            int stype = in.i32();
            if (stype != 0) {
                throw new TensorFormatException(in.what() + ": " + where + " is sparse (storage type " + stype
                        + "); weights are dense arrays");
            }
            shape = shape64(in, where, magic == V3_MAGIC);
        } else if (magic == V1_MAGIC) {
            shape = shape64(in, where, false);
        } else {
            // The original form: the word just read is the dimension count, 32-bit dimensions follow.
            long ndim = magic & 0xFFFFFFFFL;
            if (ndim > MAX_DIMS) {
                throw new TensorFormatException(String.format("%s: %s starts with 0x%08x, neither an NDArray magic nor a"
                        + " dimension count (corrupt file)", in.what(), where, magic));
            }
            shape = new long[(int) ndim];
            for (int d = 0; d < ndim; d++) {
                shape[d] = in.u32();
            }
            if (ndim == 0) {
                shape = null; // zero dimensions meant "no array" before NumPy semantics
            }
        }
        if (shape == null) {
            return new Array(new long[] {0}, 0, DType.FLOAT32, in.position(), 0); // an empty ("none") array
        }
        in.i32(); // device type: where the array lived, irrelevant once saved
        in.i32(); // device id
        int typeFlag = in.i32();
        DType dtype = switch (typeFlag) {
            case 0 -> DType.FLOAT32;
            case 1 -> DType.FLOAT64;
            case 2 -> DType.FLOAT16;
            default -> null;
        };
        int width = switch (typeFlag) {
            case 0, 4 -> 4;
            case 1, 6 -> 8;
            case 2 -> 2;
            case 3, 5, 7 -> 1;
            default -> throw new TensorFormatException(in.what() + ": " + where + " has unknown element type " + typeFlag);
        };
        long count = 1;
        long bytes;
        try {
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            bytes = Math.multiplyExact(count, (long) width);
        } catch (ArithmeticException e) {
            throw new TensorFormatException(in.what() + ": " + where + " has an impossible shape "
                    + java.util.Arrays.toString(shape));
        }
        in.require(bytes, where + "'s data of shape " + java.util.Arrays.toString(shape));
        if (count > Integer.MAX_VALUE - 8) {
            throw new TensorFormatException(in.what() + ": " + where + " has " + count + " values, more than one array holds");
        }
        long offset = in.position();
        in.skip(bytes, where + "'s data");
        return new Array(shape, typeFlag, dtype, offset, count);
    }

    /** A shape as {@code TShape::Load} writes it: a 32-bit dimension count, then 64-bit dimensions; null for none. */
    private static long[] shape64(ByteSource in, String where, boolean numpySemantics) throws IOException {
        int ndim = in.i32();
        if (ndim == -1 && numpySemantics) {
            return null; // unknown shape: an empty array
        }
        if (ndim < 0 || ndim > MAX_DIMS) {
            throw new TensorFormatException(in.what() + ": " + where + " has " + ndim + " dimensions");
        }
        long[] shape = new long[ndim];
        for (int d = 0; d < ndim; d++) {
            shape[d] = in.i64();
            if (shape[d] < 0) {
                throw new TensorFormatException(in.what() + ": " + where + " has a negative dimension " + shape[d]);
            }
        }
        return ndim == 0 && !numpySemantics ? null : shape;
    }

    private static String typeName(int flag) {
        return switch (flag) {
            case 3 -> "uint8";
            case 4 -> "int32";
            case 5 -> "int8";
            case 6 -> "int64";
            case 7 -> "bool";
            default -> "unknown";
        };
    }
}
