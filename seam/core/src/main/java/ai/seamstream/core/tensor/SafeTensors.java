package ai.seamstream.core.tensor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format (8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data), the weight format of Seamstream checkpoints.
 *
 * <p>Writing always uses F32; reading accepts F32, F64, F16 and BF16 and widens or narrows to float32. The reader
 * checks every offset against the file, so a truncated or hostile file fails with a message, never an out-of-bounds
 * read or an allocation the header merely claims.
 */
public final class SafeTensors {
    /** Headers larger than this are refused (real ones are kilobytes). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensors() {
    }

    /** The tensors of a file, in file order, and its free-form string metadata. */
    public record Contents(List<NamedTensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = List.copyOf(tensors);
            metadata = Map.copyOf(metadata);
        }

        /** Tensors by name, in file order. */
        public Map<String, NamedTensor> byName() {
            var m = new LinkedHashMap<String, NamedTensor>();
            tensors.forEach(t -> m.put(t.name(), t));
            return m;
        }
    }

    /**
     * Writes the tensors as F32, in the given order, with optional string metadata.
     *
     * @throws IllegalArgumentException if two tensors share a name
     */
    public static void write(Path file, List<NamedTensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (NamedTensor t : tensors) {
            if (header.has(t.name())) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' appears twice");
            }
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", "F32");
            var shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            var offs = e.putArray("data_offsets");
            offs.add(offset);
            offset += 4L * t.size();
            offs.add(offset);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the format recommends 8-byte alignment of the data section
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(ch, head);
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (NamedTensor t : tensors) {
                for (float v : t.data()) {
                    if (!buf.hasRemaining()) {
                        buf.flip();
                        writeFully(ch, buf);
                        buf.clear();
                    }
                    buf.putFloat(v);
                }
            }
            buf.flip();
            writeFully(ch, buf);
        }
        // Readers never see a half-written weights file.
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Reads every tensor of a file.
     *
     * @throws TensorFormatException naming the file if it is not valid safetensors
     */
    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (size < 8) {
                throw new TensorFormatException(file + ": not a safetensors file (" + size + " bytes, shorter than its header length)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 1 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new TensorFormatException(file + ": not a safetensors file (header length " + headerLen
                        + " does not fit a file of " + size + " bytes)");
            }
            ByteBuffer headBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headBuf, 8, file);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headBuf.array(), StandardCharsets.UTF_8).strip());
            } catch (JsonProcessingException e) {
                throw new TensorFormatException(file + ": safetensors header is not valid JSON: " + e.getOriginalMessage());
            }
            if (header == null || !header.isObject()) {
                throw new TensorFormatException(file + ": safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            var metadata = new LinkedHashMap<String, String>();
            var tensors = new ArrayList<NamedTensor>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                tensors.add(readTensor(ch, file, e.getKey(), e.getValue(), dataStart, dataLen));
            }
            return new Contents(tensors, metadata);
        }
    }

    private static NamedTensor readTensor(FileChannel ch, Path file, String name, JsonNode e, long dataStart, long dataLen)
            throws IOException {
        String where = file + ": tensor '" + name + "'";
        if (!e.isObject() || !e.path("dtype").isTextual() || !e.path("shape").isArray() || !e.path("data_offsets").isArray()
                || e.path("data_offsets").size() != 2) {
            throw new TensorFormatException(where + " needs dtype, shape and two data_offsets");
        }
        String dtype = e.get("dtype").asText();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F64" -> 8;
            case "F16", "BF16" -> 2;
            default -> throw new TensorFormatException(where + " has dtype " + dtype + "; weights must be F32, F64, F16 or BF16");
        };
        long[] shape = new long[e.get("shape").size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = e.get("shape").get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new TensorFormatException(where + " has an invalid dimension " + d);
            }
            shape[i] = d.asLong();
            count = Math.multiplyExact(count, shape[i]);
        }
        long begin = e.get("data_offsets").get(0).asLong(-1);
        long end = e.get("data_offsets").get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLen) {
            throw new TensorFormatException(where + " has data offsets [" + begin + ", " + end + ") outside the " + dataLen
                    + "-byte data section (truncated file?)");
        }
        if (end - begin != count * width) {
            throw new TensorFormatException(where + " has " + (end - begin) + " bytes for " + count + " values of " + dtype);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new TensorFormatException(where + " has " + count + " values, more than one Java array holds");
        }
        ByteBuffer raw = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, raw, dataStart + begin, file);
        raw.flip();
        float[] data = new float[(int) count];
        for (int i = 0; i < data.length; i++) {
            data[i] = switch (dtype) {
                case "F32" -> raw.getFloat();
                case "F64" -> (float) raw.getDouble();
                case "F16" -> halfToFloat(raw.getShort());
                default -> Float.intBitsToFloat((raw.getShort() & 0xFFFF) << 16); // BF16 is the top half of a float32
            };
        }
        return new NamedTensor(name, shape, data);
    }

    /** IEEE 754 binary16 to float32 (exact: every half value is a float). */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) { // infinity or NaN
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) { // zero or subnormal: mant · 2^-24
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position, Path file) throws IOException {
        long pos = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new TensorFormatException(file + ": unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }
}
