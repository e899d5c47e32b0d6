package ai.seamstream.torch.pretrained;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes large weight files in each format without holding them in memory: every value is a pure function of
 * (seed, tensor, index), so a file of the full ResNet-38 streams out in pieces and a test can recompute what any
 * tensor must hold. The layouts follow the formats' definitions (MXNet ndarray.cc, torch/serialization.py,
 * safetensors), independently of the readers.
 */
public final class WeightFileWriters {
    /** One tensor to write: its name in the file, shape, and element type ("float32" or "int64"). */
    public record Spec(String name, long[] shape, boolean int64) {
        long count() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private WeightFileWriters() {
    }

    /**
     * The value of element {@code i} of the tensor named {@code name}: a hash mapped to [-0.1, 0.1), or to
     * [0.5, 1.5) for a BatchNorm variance (so that a network loaded with them computes finite values).
     */
    public static float value(long seed, String name, long i) {
        long z = seed * 0x9E3779B97F4A7C15L + name.hashCode() * 0xBF58476D1CE4E5B9L + i * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        float u = ((z >>> 40) / (float) (1 << 24)) * 2f - 1f;
        return name.endsWith("_var") ? 1f + 0.5f * u : 0.1f * u;
    }

    /** Little-endian bytes of one tensor, generated in pieces. */
    interface Sink {
        void write(byte[] b, int off, int len) throws IOException;
    }

    static void data(long seed, Spec s, Sink sink) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        long n = s.count();
        for (long i = 0; i < n; i++) {
            if (b.remaining() < 8) {
                sink.write(b.array(), 0, b.position());
                b.clear();
            }
            if (s.int64()) {
                b.putLong(i + 1);
            } else {
                b.putFloat(value(seed, s.name(), i));
            }
        }
        sink.write(b.array(), 0, b.position());
    }

    public static void safetensors(Path file, List<Spec> specs, long seed) throws IOException {
        var header = new StringBuilder("{");
        long offset = 0;
        for (Spec s : specs) {
            long bytes = s.count() * 4;
            header.append(header.length() > 1 ? "," : "").append('"').append(s.name()).append("\":{\"dtype\":\"F32\",\"shape\":")
                    .append(java.util.Arrays.toString(s.shape()).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        byte[] h = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(le64(h.length));
            out.write(h);
            for (Spec s : specs) {
                data(seed, s, out::write);
            }
        }
    }

    public static void mxnet(Path file, List<Spec> specs, long seed) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(le64(0x112));
            out.write(le64(0));
            out.write(le64(specs.size()));
            for (Spec s : specs) {
                // V2 array: magic, dense storage, int32 ndim, int64 dims, context cpu(0), float32.
                ByteBuffer h = ByteBuffer.allocate(12 + 8 * s.shape().length + 12).order(ByteOrder.LITTLE_ENDIAN);
                h.putInt(0xF993FAC9).putInt(0).putInt(s.shape().length);
                for (long d : s.shape()) {
                    h.putLong(d);
                }
                h.putInt(1).putInt(0).putInt(0);
                out.write(h.array());
                data(seed, s, out::write);
            }
            out.write(le64(specs.size()));
            for (Spec s : specs) {
                byte[] n = s.name().getBytes(StandardCharsets.UTF_8);
                out.write(le64(n.length));
                out.write(n);
            }
        }
    }

    /** torch.save(state_dict, _use_new_zipfile_serialization=False): five pickles, then the storages. */
    public static void legacyPth(Path file, List<Spec> specs, long seed) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            var p = new Pickler();
            p.proto().op(0x8a).raw(10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).stop();
            p.proto().integer(1001).stop();
            p.proto().op('}').mark().str("protocol_version").integer(1001).str("little_endian").op(0x88).str("type_sizes")
                    .op('}').mark().str("short").integer(2).str("int").integer(4).str("long").integer(4).op('u').op('u').stop();
            stateDictPickle(p, specs, true);
            p.proto().op(']').mark();
            for (int i = 0; i < specs.size(); i++) {
                p.str(Integer.toString(i));
            }
            p.op('e').stop();
            out.write(p.bytes());
            for (Spec s : specs) {
                out.write(le64(s.count()));
                data(seed, s, out::write);
            }
        }
    }

    /** torch.save(state_dict) since 1.6: a zip of stored entries archive/data.pkl, archive/data/N, archive/version. */
    public static void zipPth(Path file, List<Spec> specs, long seed) throws IOException {
        try (var zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20))) {
            var p = new Pickler();
            stateDictPickle(p, specs, false);
            stored(zip, "archive/data.pkl", p.bytes());
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < specs.size(); i++) {
                Spec s = specs.get(i);
                var crc = new CRC32();
                data(seed, s, crc::update); // a stored entry's CRC must be known before its data
                var e = new ZipEntry("archive/data/" + i);
                e.setMethod(ZipEntry.STORED);
                e.setSize(s.count() * (s.int64() ? 8 : 4));
                e.setCrc(crc.getValue());
                zip.putNextEntry(e);
                data(seed, s, zip::write);
                zip.closeEntry();
            }
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        var crc = new CRC32();
        crc.update(data);
        var e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** OrderedDict(name → _rebuild_tensor_v2(storage i, 0, shape, contiguous stride, False, OrderedDict())). */
    private static void stateDictPickle(Pickler p, List<Spec> specs, boolean legacy) {
        p.proto().global("collections", "OrderedDict").op(')').op('R').mark();
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            p.str(s.name()).global("torch._utils", "_rebuild_tensor_v2").mark();
            p.mark().str("storage").global("torch", s.int64() ? "LongStorage" : "FloatStorage").str(Integer.toString(i))
                    .str("cuda:0").integer(s.count());
            if (legacy) {
                p.op('N');
            }
            p.op('t').op('Q').integer(0).mark();
            for (long d : s.shape()) {
                p.integer(d);
            }
            p.op('t').mark();
            long stride = 1;
            long[] strides = new long[s.shape().length];
            for (int d = strides.length - 1; d >= 0; d--) {
                strides[d] = stride;
                stride *= s.shape()[d];
            }
            for (long st : strides) {
                p.integer(st);
            }
            p.op('t').op(0x89).global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
        }
        p.op('u').stop();
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** Protocol-2 opcodes, as Python's pickler writes them. */
    private static final class Pickler {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickler proto() {
            return op(0x80).raw(2);
        }

        Pickler op(int c) {
            out.write(c);
            return this;
        }

        Pickler raw(int... b) {
            for (int x : b) {
                out.write(x);
            }
            return this;
        }

        Pickler mark() {
            return op('(');
        }

        Pickler stop() {
            return op('.');
        }

        Pickler global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickler str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        Pickler integer(long v) {
            if (v >= 0 && v < 256) {
                return op('K').raw((int) v);
            }
            if (v >= 0 && v < 65536) {
                return op('M').raw((int) (v & 0xFF), (int) (v >>> 8));
            }
            op('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** The ImageNet ResNet-38's MXNet name of a backbone tensor (the inverse of the reference's conversion). */
    public static String mxnetName(String name) {
        Map<String, String> bn = Map.of("weight", "gamma", "bias", "beta", "running_mean", "moving_mean",
                "running_var", "moving_var");
        String[] parts = name.split("\\.");
        if (name.equals("conv1a.weight")) {
            return "arg:conv1a_weight";
        }
        String kind = parts[parts.length - 1].startsWith("running") ? "aux:" : "arg:";
        if (parts[0].equals("bn7")) {
            return kind + "bn7_" + bn.get(parts[1]);
        }
        String stage = parts[0].substring(1, 2);
        String unit = parts[0].contains("_") ? "b" + parts[0].substring(3) : "a";
        String[] layer = parts[1].split("_", 2);
        if (layer[0].equals("conv")) {
            return "arg:res" + stage + unit + "_" + layer[1] + "_weight";
        }
        return kind + "bn" + stage + unit + "_" + layer[1] + "_" + bn.get(parts[2]);
    }
}
