package ai.seamstream.torch.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.weights.WeightFile;
import ai.seamstream.core.weights.WeightFormat;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.ParamStore;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.pretrained.WeightFileWriters.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full-size files: the whole reference ResNet-38 SEAM network (about 105 M values, 420 MB as float32) written in
 * each format by streaming writers, imported, and every tensor checked to have landed: the count, each shape, and
 * every value against the generator (summarised as a checksum). Each format uses its own seed, so a value left over
 * from the previous import cannot pass. The files live in a temporary folder and are deleted after use.
 */
class FullSizeImportTest {
    @TempDir
    static Path tmp;
    static NDManager manager;
    static SeamNetwork net;

    @BeforeAll
    static void network() {
        manager = NDManager.newBaseManager();
        net = new SeamNetwork(NetConfig.reference(ClassVocabulary.VOC2012), manager, 3);
    }

    @AfterAll
    static void close() {
        net.close();
        manager.close();
    }

    /** Every network tensor under its reference name. */
    static List<Spec> referenceSpecs(String prefix, boolean counters) {
        var out = new ArrayList<Spec>();
        for (ParamStore.Param p : net.params().all()) {
            out.add(new Spec(prefix + p.name(), p.shape().getShape(), false));
            if (counters && p.name().endsWith(".running_var")) { // BatchNorm's counter, as PyTorch >= 0.4.1 saves it
                out.add(new Spec(prefix + p.name().replace(".running_var", ".num_batches_tracked"), new long[0], true));
            }
        }
        return out;
    }

    @Test
    void safetensors() throws Exception {
        var specs = referenceSpecs("", false);
        Path f = tmp.resolve("full.safetensors");
        WeightFileWriters.safetensors(f, specs, 11);
        checkLanded(f, 11, specs, name -> name, net.params().all().size());
    }

    @Test
    void legacyPth() throws Exception {
        var specs = referenceSpecs("", true);
        Path f = tmp.resolve("full_legacy.pth");
        WeightFileWriters.legacyPth(f, specs, 12);
        checkLanded(f, 12, specs, name -> name, net.params().all().size());
    }

    @Test
    void zipPth() throws Exception {
        var specs = referenceSpecs("module.", true);
        Path f = tmp.resolve("full_zip.pth");
        WeightFileWriters.zipPth(f, specs, 13);
        checkLanded(f, 13, specs, name -> "module." + name, net.params().all().size());
    }

    @Test
    void mxnetImageNetParams() throws Exception {
        var specs = new ArrayList<Spec>();
        var mxName = new HashMap<String, String>();
        for (ParamStore.Param p : net.params().all()) {
            if (!PretrainedImport.isHead(p.name())) {
                String n = WeightFileWriters.mxnetName(p.name());
                mxName.put(p.name(), n);
                specs.add(new Spec(n, p.shape().getShape(), false));
            }
        }
        specs.add(new Spec("arg:linear1000_weight", new long[] {1000, 4096}, false));
        specs.add(new Spec("arg:linear1000_bias", new long[] {1000}, false));
        Path f = tmp.resolve("ilsvrc-full.params");
        WeightFileWriters.mxnet(f, specs, 14);
        var report = checkLanded(f, 14, specs, mxName::get, net.params().all().size() - 4);
        assertEquals(List.of("fc8.weight", "f8_3.weight", "f8_4.weight", "f9.weight"), report.kept());
        assertEquals(2, report.dropped().size());
    }

    /**
     * Imports strictly and compares every loaded tensor with the generator; {@code fileName} maps a network name to
     * the name it had in the file.
     */
    private static PretrainedImport.Report checkLanded(Path f, long seed, List<Spec> specs,
                                                       java.util.function.Function<String, String> fileName,
                                                       int expectedLoaded) throws Exception {
        WeightFile wf = WeightFormat.read(f, null);
        assertEquals(specs.size(), wf.tensors().size(), "tensors read");
        var report = PretrainedImport.load(net.params(), wf, true);
        wf = null; // the float copies may go before the comparison
        Files.delete(f);
        assertEquals(expectedLoaded, report.loaded(), "tensors loaded");
        Map<String, Spec> byName = new HashMap<>();
        specs.forEach(s -> byName.put(s.name(), s));
        double expectedSum = 0;
        double actualSum = 0;
        long values = 0;
        for (ParamStore.Param p : net.params().all()) {
            String source = fileName.apply(p.name());
            Spec s = source == null ? null : byName.get(source);
            if (s == null) {
                continue; // a head the ImageNet file does not have
            }
            assertArrayEquals(s.shape(), p.shape().getShape(), p.name());
            float[] got = p.array().toFloatArray();
            for (int i = 0; i < got.length; i++) {
                float want = WeightFileWriters.value(seed, source, i);
                double w = (i % 7 + 1);
                expectedSum += want * w;
                actualSum += got[i] * w;
                if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got[i])) {
                    assertEquals(want, got[i], p.name() + "[" + i + "] from " + f.getFileName());
                }
            }
            values += got.length;
        }
        assertEquals(expectedSum, actualSum, 0.0, "checksum");
        assertTrue(values > (expectedLoaded == net.params().all().size() ? 105_000_000L : 104_000_000L),
                "values loaded: " + values);
        return report;
    }
}
