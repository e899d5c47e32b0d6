package ai.seamstream.core.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.tensor.TensorFormatException;
import ai.seamstream.core.weights.Pickle.TensorRef;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The restricted unpickler: the state-dict subset reads, everything else is refused with a message. */
class PickleTest {

    static Object load(byte[] b) throws Exception {
        return Pickle.load(ByteSource.of("test.pkl", b), pid -> "storage:" + ((Pickle.Tuple) pid).get(2));
    }

    static TensorFormatException refused(byte[] b) {
        return assertThrows(TensorFormatException.class, () -> load(b));
    }

    @Test
    void readsAnOrderedDictOfTensorsWithMetadataAndMemo() throws Exception {
        var p = new PickleBytes().proto().global("collections", "OrderedDict").op('q').raw(0).op(')').op('R');
        p.mark().str("conv1a.weight");
        p.tensor(() -> p.mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(216).op('t'),
                0, new long[] {8, 3, 3, 3}, new long[] {27, 9, 3, 1});
        p.op('u');
        // _metadata as instance state (BUILD), as torch.save writes an nn.Module's state dict.
        p.op('}').mark().str("_metadata").op('h').raw(0).op(')').op('R').op('u').op('b');
        Object o = load(p.stop().bytes());
        Map<?, ?> m = assertInstanceOf(Map.class, o);
        TensorRef t = assertInstanceOf(TensorRef.class, m.get("conv1a.weight"));
        assertEquals("storage:0", t.storage());
        assertEquals(List.of(8L, 3L, 3L, 3L), java.util.Arrays.stream(t.size()).boxed().toList());
        assertEquals(27L, t.stride()[0]);
    }

    @Test
    void readsPlainValues() throws Exception {
        var p = new PickleBytes().proto().op(']').mark().integer(-5).integer(70000).integer(1L << 40).op('N').op(0x88)
                .op('G').raw(0x3f, 0xf8, 0, 0, 0, 0, 0, 0).op(0x8c).raw(2, 'h', 'i').op('e');
        List<?> l = assertInstanceOf(List.class, load(p.stop().bytes()));
        assertEquals(-5L, l.get(0));
        assertEquals(70000L, l.get(1));
        assertEquals(1L << 40, l.get(2));
        assertNull(l.get(3));
        assertEquals(Boolean.TRUE, l.get(4));
        assertEquals(1.5, l.get(5));
        assertEquals("hi", l.get(6));
        // torch.save's magic number: a 10-byte LONG1.
        byte[] magic = new PickleBytes().proto().op(0x8a).raw(10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19)
                .stop().bytes();
        assertEquals(new BigInteger("1950a86a20f9469cfc6c", 16), load(magic));
    }

    @Test
    void refusesGlobalsOutsideTheStateDictSubset() {
        byte[] system = new PickleBytes().proto().global("os", "system").str("echo pwned").op(0x85).op('R').stop().bytes();
        var e = refused(system);
        assertTrue(e.getMessage().contains("os.system") && e.getMessage().contains("refusing"), e.getMessage());
        assertTrue(e.getMessage().startsWith("test.pkl: pickle at byte 2"), e.getMessage());
        // The same through STACK_GLOBAL (protocol 4).
        byte[] stacked = new PickleBytes().op(0x80).raw(4).str("builtins").str("eval").op(0x93).stop().bytes();
        assertTrue(refused(stacked).getMessage().contains("builtins.eval"));
        // A name that looks like torch but is not a rebuild function.
        assertTrue(refused(new PickleBytes().proto().global("torch", "load").stop().bytes()).getMessage().contains("torch.load"));
    }

    @Test
    void refusesReduceOfAnythingButTheRebuilds() {
        // An allowed name used as a callable it is not: a storage type.
        byte[] storageCall = new PickleBytes().proto().global("torch", "FloatStorage").ints(3).op('R').stop().bytes();
        assertTrue(refused(storageCall).getMessage().contains("REDUCE of torch.FloatStorage"));
        // REDUCE of a plain value (a string on the stack as the callable).
        byte[] strCall = new PickleBytes().proto().str("os.system").ints().op('R').stop().bytes();
        assertTrue(refused(strCall).getMessage().contains("REDUCE of String"));
        // BUILD of something other than an OrderedDict.
        byte[] build = new PickleBytes().proto().op(']').op('}').op('b').stop().bytes();
        assertTrue(refused(build).getMessage().contains("BUILD of ArrayList"));
    }

    @Test
    void refusesOpcodesOutsideTheSubset() {
        // INST and OBJ instantiate classes; NEWOBJ too; EXT1 looks up the extension registry.
        for (int op : new int[] {'i', 'o', 0x81, 0x82, 'I', 'S', 'P'}) {
            byte[] b = new PickleBytes().proto().op(op).stop().bytes();
            var e = refused(b);
            assertTrue(e.getMessage().contains("outside the subset"), e.getMessage());
        }
        assertTrue(refused(new PickleBytes().op(0x80).raw(6).stop().bytes()).getMessage().contains("protocol 6"));
    }

    @Test
    void hostileLengthsAndTruncationFailWithoutAllocating() {
        // A 4 GB string length in a 10-byte pickle: refused before any allocation.
        byte[] huge = new PickleBytes().proto().op('X').raw(0xf0, 0xff, 0xff, 0xff).raw('a').stop().bytes();
        var e = refused(huge);
        assertTrue(e.getMessage().contains("4294967280 bytes") && e.getMessage().contains("truncated"), e.getMessage());
        byte[] huge8 = new PickleBytes().proto().op(0x8d).raw(0, 0, 0, 0, 0, 0, 0, 0x7f).stop().bytes();
        assertTrue(refused(huge8).getMessage().contains("truncated"));
        // No STOP.
        byte[] noStop = new PickleBytes().proto().op(']').bytes();
        assertTrue(refused(noStop).getMessage().contains("truncated"));
        // Memo read before write, stack underflow, odd SETITEMS.
        assertTrue(refused(new PickleBytes().proto().op('h').raw(3).stop().bytes()).getMessage().contains("memo entry 3"));
        assertTrue(refused(new PickleBytes().proto().op('a').stop().bytes()).getMessage().contains("underflow"));
        assertTrue(refused(new PickleBytes().proto().op('}').mark().str("k").op('u').stop().bytes()).getMessage()
                .contains("odd number"));
    }

    @Test
    void persistentIdsNeedAResolver() {
        byte[] b = new PickleBytes().proto().str("x").op('Q').stop().bytes();
        assertThrows(TensorFormatException.class, () -> Pickle.load(ByteSource.of("t", b), null));
    }
}
