package ai.seamstream.core.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.tensor.TensorFormatException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * torch.save files assembled by hand from the format (the files PyTorch itself writes are tested in seam/torch):
 * views and strides, and the ways a damaged or hostile file must fail.
 */
class TorchPthTest {
    @TempDir
    Path dir;

    static final float[] STORAGE = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

    /** The main pickle: {"w": 2x3 view from element 1 with strides (1, 2) (a transpose), "b": contiguous 4 from 8}. */
    static byte[] statePickle(boolean legacy) {
        var p = new PickleBytes().proto().global("collections", "OrderedDict").op(')').op('R').mark();
        Runnable pid = () -> {
            p.mark().str("storage").global("torch", "FloatStorage").str("k0").str("cuda:0").integer(12);
            if (legacy) {
                p.op('N');
            }
            p.op('t');
        };
        p.str("w").tensor(pid, 1, new long[] {2, 3}, new long[] {1, 2});
        p.str("b").tensor(pid, 8, new long[] {4}, new long[] {1});
        return p.op('u').stop().bytes();
    }

    static byte[] legacy(byte[] main) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(new PickleBytes().proto().op(0x8a).raw(10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19)
                .stop().bytes());
        out.writeBytes(new PickleBytes().proto().integer(1001).stop().bytes());
        var info = new PickleBytes().proto().op('}').mark().str("protocol_version").integer(1001).str("little_endian")
                .op(0x88).op('u').stop();
        out.writeBytes(info.bytes());
        out.writeBytes(main);
        out.writeBytes(new PickleBytes().proto().op(']').mark().str("k0").op('e').stop().bytes());
        out.writeBytes(le64(STORAGE.length));
        out.writeBytes(floats(STORAGE));
        return out.toByteArray();
    }

    static byte[] zip(byte[] main, int method) throws Exception {
        var bytes = new ByteArrayOutputStream();
        try (var z = new ZipOutputStream(bytes)) {
            put(z, "archive/data.pkl", main, ZipEntry.STORED);
            put(z, "archive/data/k0", floats(STORAGE), method);
            put(z, "archive/version", "3\n".getBytes(), ZipEntry.STORED);
        }
        return bytes.toByteArray();
    }

    static void put(ZipOutputStream z, String name, byte[] data, int method) throws Exception {
        var e = new ZipEntry(name);
        e.setMethod(method);
        if (method == ZipEntry.STORED) {
            var crc = new CRC32();
            crc.update(data);
            e.setSize(data.length);
            e.setCrc(crc.getValue());
        }
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    Path write(String name, byte[] b) throws Exception {
        Path f = dir.resolve(name);
        try (OutputStream o = Files.newOutputStream(f)) {
            o.write(b);
        }
        return f;
    }

    @Test
    void bothSerialisationsReadStridedViewsOfASharedStorage() throws Exception {
        for (Path f : new Path[] {write("l.pth", legacy(statePickle(true))), write("z.pth", zip(statePickle(false), ZipEntry.STORED))}) {
            assertEquals(WeightFormat.PTH, WeightFormat.detect(f));
            WeightFile wf = WeightFormat.read(f, null);
            var w = wf.byName().get("w");
            assertArrayEquals(new long[] {2, 3}, w.shape());
            // element (i, j) = storage[1 + i + 2j]
            assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6}, w.data(), f.toString());
            assertArrayEquals(new float[] {8, 9, 10, 11}, wf.byName().get("b").data());
        }
    }

    @Test
    void everyTruncationOfEitherSerialisationFailsWithAMessage() throws Exception {
        byte[] l = legacy(statePickle(true));
        for (int cut = 0; cut < l.length; cut++) {
            Path f = write("cut.pth", Arrays.copyOf(l, cut));
            var e = assertThrows(java.io.IOException.class, () -> TorchPth.read(f), "legacy cut at " + cut);
            assertTrue(e instanceof TensorFormatException, e.toString());
        }
        byte[] z = zip(statePickle(false), ZipEntry.STORED);
        for (int cut = 0; cut < z.length; cut += 7) {
            Path f = write("cutz.pth", Arrays.copyOf(z, cut));
            assertThrows(TensorFormatException.class, () -> TorchPth.read(f), "zip cut at " + cut);
        }
    }

    @Test
    void wrongMagicIsRefused() throws Exception {
        byte[] l = legacy(statePickle(true));
        l[5] ^= 0x01; // inside the magic number
        var e = assertThrows(TensorFormatException.class, () -> TorchPth.read(write("m.pth", l)));
        assertTrue(e.getMessage().contains("no torch.save magic number"), e.getMessage());
        var e2 = assertThrows(TensorFormatException.class, () -> TorchPth.read(write("t.pth", "hello world".getBytes())));
        assertTrue(e2.getMessage().contains("not a PyTorch file"), e2.getMessage());
        var e3 = assertThrows(TensorFormatException.class, () -> WeightFormat.detect(write("t.bin", "hello world".getBytes())));
        assertTrue(e3.getMessage().contains("first bytes 68 65 6c"), e3.getMessage());
    }

    @Test
    void hostilePicklesInsideEitherContainerAreRefused() throws Exception {
        byte[] evil = new PickleBytes().proto().global("os", "system").str("rm -rf /").op(0x85).op('R').stop().bytes();
        for (Path f : new Path[] {write("el.pth", legacy(evil)), write("ez.pth", zip(evil, ZipEntry.STORED))}) {
            var e = assertThrows(TensorFormatException.class, () -> TorchPth.read(f));
            assertTrue(e.getMessage().contains("os.system"), e.getMessage());
        }
        // A reduce of something else: subprocess.Popen.
        byte[] popen = new PickleBytes().proto().global("subprocess", "Popen").ints().op('R').stop().bytes();
        assertTrue(assertThrows(TensorFormatException.class, () -> TorchPth.read(write("p.pth", legacy(popen))))
                .getMessage().contains("subprocess.Popen"));
    }

    @Test
    void tensorsReachingBeyondTheirStorageAreRefused() throws Exception {
        var p = new PickleBytes().proto().op('}').mark().str("w");
        Runnable pid = () -> p.mark().str("storage").global("torch", "FloatStorage").str("k0").str("cpu").integer(12).op('N').op('t');
        p.tensor(pid, 10, new long[] {3}, new long[] {1}).op('u').stop();
        var e = assertThrows(TensorFormatException.class, () -> TorchPth.read(write("o.pth", legacy(p.bytes()))));
        assertTrue(e.getMessage().contains("reaches element 12 of a storage of 12"), e.getMessage());
        // A broadcast view claiming 2^40 values from 12: refused before allocating.
        var q = new PickleBytes().proto().op('}').mark().str("w");
        Runnable pid2 = () -> q.mark().str("storage").global("torch", "FloatStorage").str("k0").str("cpu").integer(12).op('N').op('t');
        q.tensor(pid2, 0, new long[] {1L << 20, 1L << 20}, new long[] {0, 0}).op('u').stop();
        var e2 = assertThrows(TensorFormatException.class, () -> TorchPth.read(write("h.pth", legacy(q.bytes()))));
        assertTrue(e2.getMessage().contains("claims 1099511627776 values from a storage of 12"), e2.getMessage());
    }

    @Test
    void notAStateDictAndCompressedStoragesAreExplained() throws Exception {
        byte[] list = new PickleBytes().proto().op(']').stop().bytes();
        assertTrue(assertThrows(TensorFormatException.class, () -> TorchPth.read(write("l.pth", zip(list, ZipEntry.STORED))))
                .getMessage().contains("not a state dict"));
        byte[] notTensor = new PickleBytes().proto().op('}').str("epoch").integer(3).op('s').stop().bytes();
        assertTrue(assertThrows(TensorFormatException.class, () -> TorchPth.read(write("n.pth", zip(notTensor, ZipEntry.STORED))))
                .getMessage().contains("entries [epoch] are not tensors"));
        var e = assertThrows(TensorFormatException.class,
                () -> TorchPth.read(write("c.pth", zip(statePickle(false), ZipEntry.DEFLATED))));
        assertTrue(e.getMessage().contains("is compressed"), e.getMessage());
    }
}
