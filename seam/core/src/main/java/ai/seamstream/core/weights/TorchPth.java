package ai.seamstream.core.weights;

import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.TensorFormatException;
import ai.seamstream.core.weights.Pickle.Global;
import ai.seamstream.core.weights.Pickle.TensorRef;
import ai.seamstream.core.weights.Pickle.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch state dicts written by {@code torch.save}, in both of its serialisations, without PyTorch and
 * without executing anything (see {@link Pickle}).
 *
 * <ul>
 *   <li>Legacy (PyTorch before 1.6, and later with {@code _use_new_zipfile_serialization=False}): five pickles in a
 *       row (magic number, protocol 1001, system info, the object with persistent ids
 *       {@code ('storage', type, key, location, numel, view)}, the list of storage keys) followed, key by key, by
 *       each storage as a 64-bit element count and its raw little-endian bytes.</li>
 *   <li>Zip (the default since 1.6): {@code PREFIX/data.pkl} holds the object with persistent ids
 *       {@code ('storage', type, key, location, numel)}; storage {@code key} is the stored entry
 *       {@code PREFIX/data/key}.</li>
 * </ul>
 * The object must be a state dict: a dict of tensors (or a dict whose {@code state_dict} or {@code model} entry is
 * one). Tensors may be any strided view of their storage; every offset is checked against the storage, and all
 * tensors together may claim no more values than the file has bytes, so a hostile file cannot make the reader
 * allocate more than its own size (times four for the float32 copies).
 */
public final class TorchPth {
    /** The first pickle of a legacy file. */
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final long LEGACY_PROTOCOL = 1001;
    /** {@code data.pkl} of a state dict is kilobytes; larger ones are refused before being read. */
    static final long MAX_PICKLE_BYTES = 256L << 20;

    private TorchPth() {
    }

    /** Where a storage's bytes are. */
    @FunctionalInterface
    private interface RangeReader {
        /** Fills {@code dst} from byte {@code offset} of the storage. */
        void read(long offset, ByteBuffer dst) throws IOException;
    }

    /** A storage named by a persistent id; {@code reader} is set once its data is located. */
    private static final class Storage {
        final String key;
        final DType dtype;
        long numel;
        RangeReader reader;

        Storage(String key, DType dtype, long numel) {
            this.key = key;
            this.dtype = dtype;
            this.numel = numel;
        }
    }

    /** A legacy storage view: {@code size} elements of {@code root} from {@code offset}. */
    private record View(Storage root, long offset, long size) {
    }

    /**
     * Reads the state dict of a {@code .pth} file of either serialisation.
     *
     * @throws TensorFormatException naming the file and the problem (not PyTorch, truncated, not a state dict, a
     *                               pickle that does more than build tensors)
     */
    public static WeightFile read(Path file) throws IOException {
        long size = Files.size(file);
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) < 4) {
                throw new TensorFormatException(file + ": not a PyTorch file (" + size + " bytes)");
            }
        }
        if (head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return readZip(file, size);
        }
        if ((head[0] & 0xFF) == 0x80) {
            return readLegacy(file, size);
        }
        throw new TensorFormatException(String.format("%s: not a PyTorch file (starts with %02x %02x %02x %02x; a .pth is"
                + " a zip archive or a pickle)", file, head[0], head[1], head[2], head[3]));
    }

    // -------------------------------------------------------------------------------------------------------------
    // Legacy

    private static WeightFile readLegacy(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteSource in = ByteSource.of(file.toString(), ch, 0, size);
            Object magic = Pickle.load(in, null);
            if (!(magic instanceof BigInteger b && b.equals(LEGACY_MAGIC))) {
                throw new TensorFormatException(file + ": a pickle, but not a PyTorch file (no torch.save magic number)");
            }
            Object protocol = Pickle.load(in, null);
            if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol)) {
                throw new TensorFormatException(file + ": torch.save protocol " + protocol + ", expected " + LEGACY_PROTOCOL);
            }
            if (Pickle.load(in, null) instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
                throw new TensorFormatException(file + ": written on a big-endian machine; only little-endian files are read");
            }
            var storages = new LinkedHashMap<String, Storage>();
            Object root = Pickle.load(in, pid -> legacyStorage(file, pid, storages));
            Object keys = Pickle.load(in, null);
            if (!(keys instanceof List<?> keyList)) {
                throw new TensorFormatException(file + ": the storage key list is " + Pickle.describe(keys));
            }
            for (Object k : keyList) {
                Storage s = k instanceof String ks ? storages.get(ks) : null;
                if (s == null) {
                    throw new TensorFormatException(file + ": storage key " + k + " is not used by any tensor");
                }
                long numel = in.i64();
                if (numel < 0 || numel > in.remaining() / s.dtype.bytes()) {
                    throw new TensorFormatException(file + ": storage " + k + " claims " + numel + " elements at byte "
                            + in.position() + ", only " + in.remaining() + " bytes are left (truncated file?)");
                }
                long start = in.position();
                s.numel = numel;
                s.reader = (offset, dst) -> {
                    long pos = start + offset;
                    while (dst.hasRemaining()) {
                        if (ch.read(dst, pos + dst.position()) < 0) {
                            throw new TensorFormatException(file + ": unexpected end of file");
                        }
                    }
                };
                in.skip(numel * s.dtype.bytes(), "storage " + k);
            }
            return stateDict(file, root, size);
        }
    }

    private static Object legacyStorage(Path file, Object pid, Map<String, Storage> storages) throws IOException {
        if (!(pid instanceof Tuple t) || t.size() != 6 || !"storage".equals(t.get(0))) {
            throw new TensorFormatException(file + ": persistent id " + Pickle.describe(pid) + " is not a legacy storage"
                    + " reference ('storage', type, key, location, size, view)");
        }
        Storage s = storage(file, t, storages);
        if (t.get(5) == null) {
            return s;
        }
        if (t.get(5) instanceof Tuple v && v.size() == 3 && v.get(1) instanceof Long off && v.get(2) instanceof Long n
                && off >= 0 && n >= 0) {
            return new View(s, off, n);
        }
        throw new TensorFormatException(file + ": storage " + s.key + " has a malformed view " + Pickle.describe(t.get(5)));
    }

    private static Storage storage(Path file, Tuple t, Map<String, Storage> storages) throws IOException {
        if (!(t.get(1) instanceof Global g) || !(t.get(2) instanceof String key) || !(t.get(4) instanceof Long numel)
                || numel < 0) {
            throw new TensorFormatException(file + ": malformed storage reference " + t.items());
        }
        DType dtype = Pickle.STORAGE_TYPES.get(g.name());
        if (dtype == null) {
            throw new TensorFormatException(file + ": storage " + key + " has unknown type " + g);
        }
        Storage s = storages.computeIfAbsent(key, k -> new Storage(k, dtype, numel));
        if (s.dtype != dtype) {
            throw new TensorFormatException(file + ": storage " + key + " appears as " + s.dtype + " and " + dtype);
        }
        return s;
    }

    // -------------------------------------------------------------------------------------------------------------
    // Zip

    private static WeightFile readZip(Path file, long size) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new TensorFormatException(file + ": a damaged zip archive (" + e.getMessage() + "; truncated file?)");
        }
        try (zip) {
            String prefix = null;
            for (var it = zip.entries(); it.hasMoreElements(); ) {
                String name = it.nextElement().getName();
                int slash = name.indexOf('/');
                if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                    if (prefix != null) {
                        throw new TensorFormatException(file + ": holds more than one data.pkl");
                    }
                    prefix = name.substring(0, slash + 1);
                }
            }
            if (prefix == null) {
                throw new TensorFormatException(file + ": a zip archive without data.pkl, so not a torch.save file");
            }
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null) {
                String bo = new String(readEntry(zip, order, file, 16), StandardCharsets.US_ASCII).strip();
                if (!bo.equals("little")) {
                    throw new TensorFormatException(file + ": byte order '" + bo + "'; only little-endian files are read");
                }
            }
            byte[] pkl = readEntry(zip, zip.getEntry(prefix + "data.pkl"), file, MAX_PICKLE_BYTES);
            var storages = new LinkedHashMap<String, Storage>();
            String dataPrefix = prefix + "data/";
            Object root = Pickle.load(ByteSource.of(file + "!" + prefix + "data.pkl", pkl), pid -> {
                if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
                    throw new TensorFormatException(file + ": persistent id " + Pickle.describe(pid)
                            + " is not a storage reference ('storage', type, key, location, numel)");
                }
                Storage s = storage(file, t, storages);
                if (s.reader == null) {
                    ZipEntry e = zip.getEntry(dataPrefix + s.key);
                    if (e == null) {
                        throw new TensorFormatException(file + ": storage " + s.key + " has no entry " + dataPrefix + s.key);
                    }
                    if (e.getMethod() != ZipEntry.STORED) {
                        throw new TensorFormatException(file + ": entry " + e.getName() + " is compressed; torch.save stores"
                                + " storages uncompressed (was the archive re-zipped? load and save it with PyTorch again)");
                    }
                    if (e.getSize() < 0 || e.getSize() > size || s.numel > e.getSize() / s.dtype.bytes()) {
                        throw new TensorFormatException(file + ": storage " + s.key + " claims " + s.numel + " elements, its"
                                + " entry has " + e.getSize() + " bytes");
                    }
                    s.reader = (offset, dst) -> {
                        try (InputStream in = zip.getInputStream(e)) {
                            in.skipNBytes(offset);
                            int n = in.readNBytes(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                            if (n < dst.remaining()) {
                                throw new TensorFormatException(file + ": entry " + e.getName() + " ends early");
                            }
                            dst.position(dst.limit());
                        }
                    };
                }
                return s;
            });
            return stateDict(file, root, size);
        }
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry e, Path file, long max) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            if (b.length > max) {
                throw new TensorFormatException(file + ": entry " + e.getName() + " is larger than " + max + " bytes");
            }
            return b;
        } catch (ZipException ze) {
            throw new TensorFormatException(file + ": entry " + e.getName() + " is damaged (" + ze.getMessage() + ")");
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // State dict

    private static WeightFile stateDict(Path file, Object root, long fileBytes) throws IOException {
        Map<?, ?> dict = asStateDict(file, root);
        var tensors = new ArrayList<NamedTensor>();
        var dtypes = new LinkedHashMap<String, DType>();
        long budget = fileBytes;
        for (var e : dict.entrySet()) {
            String name = (String) e.getKey();
            TensorRef ref = (TensorRef) e.getValue();
            NamedTensor t = materialise(file, name, ref);
            budget -= t.size();
            if (budget < 0) {
                throw new TensorFormatException(file + ": its tensors claim more values than the file has bytes");
            }
            tensors.add(t);
            dtypes.put(name, storageOf(ref).root.dtype);
        }
        return new WeightFile(WeightFormat.PTH, tensors, dtypes);
    }

    private static Map<?, ?> asStateDict(Path file, Object root) throws TensorFormatException {
        if (!(root instanceof Map<?, ?> m)) {
            throw new TensorFormatException(file + ": holds a " + Pickle.describe(root) + ", not a state dict");
        }
        var notTensors = new ArrayList<String>();
        for (var e : m.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new TensorFormatException(file + ": a state dict key is " + Pickle.describe(e.getKey()));
            }
            if (!(e.getValue() instanceof TensorRef)) {
                notTensors.add((String) e.getKey());
            }
        }
        if (notTensors.isEmpty()) {
            return m;
        }
        for (String wrapper : List.of("state_dict", "model")) {
            if (m.get(wrapper) instanceof Map<?, ?> inner) {
                return asStateDict(file, inner);
            }
        }
        throw new TensorFormatException(file + ": not a state dict: entries " + notTensors + " are not tensors");
    }

    private record Located(Storage root, long offset) {
    }

    private static Located storageOf(TensorRef ref) {
        if (ref.storage() instanceof View v) {
            return new Located(v.root(), v.offset());
        }
        return new Located((Storage) ref.storage(), 0);
    }

    private static NamedTensor materialise(Path file, String name, TensorRef ref) throws IOException {
        String where = file + ": tensor '" + name + "'";
        if (!(ref.storage() instanceof Storage || ref.storage() instanceof View)) {
            throw new TensorFormatException(where + " is built on " + Pickle.describe(ref.storage()) + ", not a storage");
        }
        Located loc = storageOf(ref);
        Storage s = loc.root;
        if (s.reader == null) {
            throw new TensorFormatException(where + ": storage " + s.key + " has no data in the file");
        }
        long available = s.numel - loc.offset;
        if (ref.storage() instanceof View v) {
            available = Math.min(available, v.size());
        }
        long count = 1;
        long last = ref.offset();
        for (int d = 0; d < ref.size().length; d++) {
            try {
                count = Math.multiplyExact(count, ref.size()[d]);
                if (ref.size()[d] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(ref.size()[d] - 1, ref.stride()[d]));
                }
            } catch (ArithmeticException e) {
                throw new TensorFormatException(where + " has an overflowing size " + Arrays.toString(ref.size()));
            }
        }
        if (count > available) {
            throw new TensorFormatException(where + " claims " + count + " values from a storage of " + available);
        }
        long span = count == 0 ? 0 : last - ref.offset() + 1;
        if (span > Integer.MAX_VALUE - 8) {
            throw new TensorFormatException(where + " spans " + span + " values, more than one Java array holds");
        }
        float[] out = new float[(int) count];
        if (count == 0) {
            return new NamedTensor(name, ref.size(), out);
        }
        if (ref.offset() < 0 || last >= available) {
            throw new TensorFormatException(where + " reaches element " + last + " of a storage of " + available
                    + " (offset " + ref.offset() + ", size " + Arrays.toString(ref.size()) + ", stride "
                    + Arrays.toString(ref.stride()) + ")");
        }
        long first = loc.offset + ref.offset();
        boolean contiguous = span == count && isRowMajor(ref.size(), ref.stride());
        float[] range = contiguous ? out : new float[(int) span];
        readRange(s, first, range);
        if (!contiguous) {
            gather(range, ref.size(), ref.stride(), out);
        }
        return new NamedTensor(name, ref.size(), out);
    }

    private static boolean isRowMajor(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    /** Reads {@code dst.length} elements from element {@code first} of the storage, in 1 MB pieces. */
    private static void readRange(Storage s, long first, float[] dst) throws IOException {
        int w = s.dtype.bytes();
        int perChunk = (1 << 20) / w;
        ByteBuffer b = ByteBuffer.allocate(perChunk * w).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < dst.length; ) {
            int n = Math.min(perChunk, dst.length - i);
            b.clear().limit(n * w);
            s.reader.read((first + i) * w, b);
            b.flip();
            for (int k = 0; k < n; k++) {
                dst[i + k] = s.dtype.read(b);
            }
            i += n;
        }
    }

    private static void gather(float[] range, long[] size, long[] stride, float[] out) {
        int dims = size.length;
        long[] idx = new long[dims];
        for (int i = 0; i < out.length; i++) {
            long off = 0;
            for (int d = 0; d < dims; d++) {
                off += idx[d] * stride[d];
            }
            out[i] = range[(int) off];
            for (int d = dims - 1; d >= 0; d--) {
                if (++idx[d] < size[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }
}
