package ai.seamstream.core.weights;

import ai.seamstream.core.tensor.TensorFormatException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader for exactly the subset that PyTorch state dicts use, which never calls or imports anything.
 *
 * <p>It knows the opcodes of protocols 2 to 4 that build plain data (ints, floats, strings, lists, tuples, dicts,
 * the memo, persistent ids) and a fixed list of globals: {@code collections.OrderedDict}, the tensor rebuild
 * functions of {@code torch._utils} and the {@code torch.*Storage} type names. A global outside that list, or a
 * REDUCE/BUILD of anything but those rebuilds, ends the read with an error that names it; nothing in the file is
 * ever executed, imported or looked up by name. Every length is checked against the bytes left before allocating.
 */
final class Pickle {
    /** A Python tuple. */
    record Tuple(List<Object> items) {
        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }
    }

    /** A global from the allowed list, by module and name. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /**
     * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view of a storage.
     *
     * @param storage what the persistent-id resolver returned for the storage
     */
    record TensorRef(Object storage, long offset, long[] size, long[] stride) {
    }

    /** Turns a persistent id (a tuple naming a storage) into the object that stands for it. */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object pid) throws IOException;
    }

    /** Storage classes a persistent id may name, by class name. */
    static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", DType.FLOAT32), Map.entry("DoubleStorage", DType.FLOAT64),
            Map.entry("HalfStorage", DType.FLOAT16), Map.entry("BFloat16Storage", DType.BFLOAT16),
            Map.entry("LongStorage", DType.INT64), Map.entry("IntStorage", DType.INT32),
            Map.entry("ShortStorage", DType.INT16), Map.entry("CharStorage", DType.INT8),
            Map.entry("ByteStorage", DType.UINT8), Map.entry("BoolStorage", DType.BOOL));

    private static final Set<String> REBUILDS = Set.of("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter",
            "_rebuild_parameter_with_state");

    /** Nested containers deeper than this are refused (state dicts nest two or three levels). */
    static final int MAX_DEPTH_OF_MARKS = 1000;

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final ByteSource in;
    private final PersistentLoader persistent;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Pickle(ByteSource in, PersistentLoader persistent) {
        this.in = in;
        this.persistent = persistent;
    }

    /**
     * Reads one pickle (up to and including its STOP opcode) and returns its object; the source is left just after
     * STOP. Dicts come back as {@link LinkedHashMap}, lists as {@link ArrayList}, tuples as {@link Tuple}, ints as
     * {@link Long} or {@link BigInteger}, None as {@code null}.
     *
     * @param persistent resolves persistent ids; {@code null} if the pickle must have none
     * @throws TensorFormatException naming the offending opcode or global and its byte position
     */
    static Object load(ByteSource in, PersistentLoader persistent) throws IOException {
        return new Pickle(in, persistent).run();
    }

    private Object run() throws IOException {
        while (true) {
            long at = in.position();
            int op = in.u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = in.u8();
                    if (proto < 2 || proto > 5) {
                        throw error(at, "pickle protocol " + proto + " is not one PyTorch writes (2 to 5)");
                    }
                }
                case 0x95 -> in.i64(); // FRAME: a length hint, the data follows inline
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw error(at, "pickle ends with " + stack.size() + " objects on its stack");
                    }
                    return stack.get(0);
                }
                case '(' -> {
                    if (marks.size() >= MAX_DEPTH_OF_MARKS) {
                        throw error(at, "containers nested more than " + MAX_DEPTH_OF_MARKS + " deep");
                    }
                    marks.add(stack.size());
                    stack.add(MARK);
                }
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.i32());
                case 'K' -> push((long) in.u8());
                case 'M' -> push((long) in.u16());
                case 0x8a -> push(longN(in.u8(), at)); // LONG1
                case 0x8b -> { // LONG4
                    long n = in.u32();
                    if (n > 64) {
                        throw error(at, "a " + n + "-byte integer; state dicts hold none longer than 8 bytes");
                    }
                    push(longN((int) n, at));
                }
                case 'G' -> push(in.f64BigEndian()); // BINFLOAT
                case 'X' -> push(utf8(in.bytes(in.u32(), "a string"), at)); // BINUNICODE
                case 0x8c -> push(utf8(in.bytes(in.u8(), "a string"), at)); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(in.bytes(in.i64(), "a string"), at)); // BINUNICODE8
                case 'T' -> push(latin1(in.bytes(in.u32(), "a string"))); // BINSTRING (Python 2 str)
                case 'U' -> push(latin1(in.bytes(in.u8(), "a string"))); // SHORT_BINSTRING
                case 'B' -> push(in.bytes(in.u32(), "bytes")); // BINBYTES
                case 'C' -> push(in.bytes(in.u8(), "bytes")); // SHORT_BINBYTES
                case ']' -> push(new ArrayList<>());
                case '}' -> push(new LinkedHashMap<>());
                case ')' -> push(new Tuple(List.of()));
                case 'l' -> push(new ArrayList<>(popMark(at))); // LIST
                case 'd' -> push(dictOf(popMark(at), at)); // DICT
                case 't' -> push(new Tuple(popMark(at))); // TUPLE
                case 0x85 -> push(new Tuple(popN(1, at)));
                case 0x86 -> push(new Tuple(popN(2, at)));
                case 0x87 -> push(new Tuple(popN(3, at)));
                case 'a' -> { // APPEND
                    Object v = pop(at);
                    list(peek(at), at).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark(at);
                    list(peek(at), at).addAll(items);
                }
                case 's' -> { // SETITEM
                    Object v = pop(at);
                    Object k = pop(at);
                    dict(peek(at), at).put(key(k, at), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> kv = popMark(at);
                    dict(peek(at), at).putAll(dictOf(kv, at));
                }
                case 'q' -> memo.put((long) in.u8(), peek(at)); // BINPUT
                case 'r' -> memo.put(in.u32(), peek(at)); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek(at)); // MEMOIZE
                case 'h' -> push(memoGet(in.u8(), at)); // BINGET
                case 'j' -> push(memoGet(in.u32(), at)); // LONG_BINGET
                case '0' -> pop(at); // POP
                case '1' -> popMark(at); // POP_MARK
                case '2' -> push(peek(at)); // DUP
                case 'c' -> push(global(line(at), line(at), at)); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(at);
                    Object module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error(at, "STACK_GLOBAL of non-strings");
                    }
                    push(global(m, n, at));
                }
                case 'Q' -> { // BINPERSID
                    Object pid = pop(at);
                    if (persistent == null) {
                        throw error(at, "a persistent id where none may be");
                    }
                    push(persistent.load(pid));
                }
                case 'R' -> { // REDUCE
                    Object args = pop(at);
                    Object callable = pop(at);
                    push(reduce(callable, args, at));
                }
                case 'b' -> { // BUILD
                    Object state = pop(at);
                    Object target = peek(at);
                    // OrderedDict state dicts carry their _metadata (module versions) as instance state: not weights.
                    if (!(target instanceof Map) || !(state instanceof Map || state == null)) {
                        throw error(at, "BUILD of " + describe(target) + "; a state dict builds only its OrderedDict");
                    }
                }
                default -> throw error(at, String.format("opcode 0x%02x%s is outside the subset state dicts use",
                        op, op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""));
            }
        }
    }

    private Object reduce(Object callable, Object args, long at) throws IOException {
        if (!(callable instanceof Global g) || !(args instanceof Tuple t)) {
            throw error(at, "REDUCE of " + describe(callable) + "; a state dict only calls OrderedDict and tensor rebuilds");
        }
        if (g.module().equals("collections") && g.name().equals("OrderedDict")) {
            if (t.size() == 0) {
                return new LinkedHashMap<>();
            }
            if (t.size() == 1 && t.get(0) instanceof List<?> pairs) {
                var m = new LinkedHashMap<Object, Object>();
                for (Object p : pairs) {
                    if (!(p instanceof Tuple kv) || kv.size() != 2) {
                        throw error(at, "OrderedDict built from something other than (key, value) pairs");
                    }
                    m.put(key(kv.get(0), at), kv.get(1));
                }
                return m;
            }
            throw error(at, "OrderedDict with arguments " + describe(args));
        }
        if (g.module().equals("torch._utils") && REBUILDS.contains(g.name())) {
            if (g.name().startsWith("_rebuild_parameter")) {
                if (t.size() < 1 || !(t.get(0) instanceof TensorRef ref)) {
                    throw error(at, g + " of something that is not a tensor");
                }
                return ref;
            }
            if (t.size() < 4) {
                throw error(at, g + " with " + t.size() + " arguments, expected at least 4");
            }
            long offset = asLong(t.get(1), "storage offset", at);
            long[] size = longs(t.get(2), "size", at);
            long[] stride = longs(t.get(3), "stride", at);
            if (size.length != stride.length) {
                throw error(at, "tensor with size " + Arrays.toString(size) + " but stride " + Arrays.toString(stride));
            }
            return new TensorRef(t.get(0), offset, size, stride);
        }
        throw error(at, "REDUCE of " + g + ", which a state dict never calls");
    }

    private Global global(String module, String name, long at) throws TensorFormatException {
        boolean ok = (module.equals("collections") && name.equals("OrderedDict"))
                || (module.equals("torch._utils") && REBUILDS.contains(name))
                || (module.equals("torch") && STORAGE_TYPES.containsKey(name));
        if (!ok) {
            throw error(at, "refers to " + module + "." + name + ", which a PyTorch state dict never does; refusing"
                    + " (only tensors, OrderedDicts and plain values are read, nothing is executed)");
        }
        return new Global(module, name);
    }

    private String line(long at) throws IOException {
        var sb = new StringBuilder();
        while (true) {
            int c = in.u8();
            if (c == '\n') {
                return sb.toString();
            }
            if (sb.length() > 256) {
                throw error(at, "a global name longer than 256 characters");
            }
            sb.append((char) c);
        }
    }

    private Object longN(int n, long at) throws IOException {
        byte[] le = in.bytes(n, "an integer");
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be); // two's complement, as pickle stores it
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private Object memoGet(long index, long at) throws TensorFormatException {
        if (!memo.containsKey(index)) {
            throw error(at, "memo entry " + index + " is read before it is written");
        }
        return memo.get(index);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop(long at) throws TensorFormatException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw error(at, "stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(long at) throws TensorFormatException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw error(at, "stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n, long at) throws TensorFormatException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop(at);
        }
        return Arrays.asList(items);
    }

    private List<Object> popMark(long at) throws TensorFormatException {
        if (marks.isEmpty()) {
            throw error(at, "no MARK to pop to");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> view = stack.subList(m + 1, stack.size());
        List<Object> items = new ArrayList<>(view);
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private LinkedHashMap<Object, Object> dictOf(List<Object> kv, long at) throws TensorFormatException {
        if (kv.size() % 2 != 0) {
            throw error(at, "a dict with an odd number of keys and values");
        }
        var m = new LinkedHashMap<Object, Object>();
        for (int i = 0; i < kv.size(); i += 2) {
            m.put(key(kv.get(i), at), kv.get(i + 1));
        }
        return m;
    }

    private Object key(Object k, long at) throws TensorFormatException {
        if (k instanceof String || k instanceof Long || k instanceof Boolean || k == null || k instanceof Double) {
            return k;
        }
        throw error(at, "a dict key of type " + describe(k));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, long at) throws TensorFormatException {
        if (o instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw error(at, "APPEND to " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, long at) throws TensorFormatException {
        if (o instanceof LinkedHashMap<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw error(at, "SETITEM on " + describe(o));
    }

    private long asLong(Object o, String what, long at) throws TensorFormatException {
        if (o instanceof Long l) {
            return l;
        }
        throw error(at, "tensor " + what + " is " + describe(o) + ", not an integer");
    }

    private long[] longs(Object o, String what, long at) throws TensorFormatException {
        if (!(o instanceof Tuple t)) {
            throw error(at, "tensor " + what + " is " + describe(o) + ", not a tuple");
        }
        if (t.size() > 32) {
            throw error(at, "tensor " + what + " has " + t.size() + " dimensions");
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(t.get(i), what, at);
            if (out[i] < 0) {
                throw error(at, "tensor " + what + " " + t.items() + " has a negative entry");
            }
        }
        return out;
    }

    private String utf8(byte[] b, long at) throws TensorFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw error(at, "a string that is not UTF-8");
        }
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global g) {
            return g.toString();
        }
        return o.getClass().getSimpleName();
    }

    private TensorFormatException error(long at, String message) {
        return new TensorFormatException(in.what() + ": pickle at byte " + at + ": " + message);
    }
}
