package ai.seamstream.torch.affinity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.model.AffinityManifest;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.onnx.OnnxAffinityModel;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxSession;
import ai.seamstream.core.refine.MaskRefiner;
import ai.seamstream.core.refine.RandomWalk;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.tensor.ClassMaps;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import ai.seamstream.torch.export.AffinityOnnxExporter;
import ai.seamstream.torch.export.OnnxExporter;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.ParamStore;
import ai.seamstream.torch.net.SeamNetwork;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported AffinityNet on ONNX Runtime against the DJL forward it came from: a small network whose BatchNorm
 * statistics are moved off their initial values and whose heads are trained for a few steps; raw graph outputs at
 * several sizes (odd ones and a batch of two), the padded features the walk uses, the walk's masks, and the manifest
 * checks on load.
 */
class AffinityOnnxParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CLASSES = List.of("background", "a", "b", "c", "d", "e", "f", "g", "h");

    @TempDir
    static Path dir;
    static NDManager manager;
    static AffinityCheckpoint.Loaded loaded;
    static OnnxAffinityModel model;
    static NetConfig netConfig;

    @BeforeAll
    static void trainAndExport() throws Exception {
        netConfig = new NetConfig(BackboneConfig.small(0.0625, 1), CLASSES.size(), NetConfig.Method.SEAM,
                NetConfig.BatchNormMode.FROZEN, true, 4096);
        manager = NDManager.newBaseManager();
        try (var net = new AffinityNetwork(new SeamNetwork(netConfig, manager, 3), AffinityNetwork.Heads.scaled(netConfig.backbone()), 4)) {
            moveBatchNorm(net.params(), new SplittableRandom(9));
            var cfg = new AffinityTraining.Config(12, 4, 64, 0.05, 10, 5e-4, 0.9, 0.3, 0.1, 4, 24, 5, 3, 12);
            AffinityTraining.train(net, AffinityTrainingTest.examples(8), cfg, p -> { });
            var source = new CheckpointManifest(CheckpointManifest.FORMAT, "seam-test", CLASSES, CheckpointManifest.NetworkSpec.of(netConfig),
                    null, null, null, Map.of(), null, null, null, null, null, null);
            AffinityCheckpoint.save(dir.resolve("aff"), net, new AffinityCheckpoint.Manifest(AffinityCheckpoint.FORMAT, source,
                    net.heads(), 5, Map.of(), "now", null));
        }
        loaded = AffinityCheckpoint.load(dir.resolve("aff"), manager);
        AffinityOnnxExporter.export(loaded, dir.resolve("onnx"), OnnxExporter.DEFAULT_OPSET);
        model = OnnxAffinityModel.load(dir.resolve("onnx"), OnnxSession.Settings.cpu(1));
    }

    /** Running statistics and affine parameters away from 0/1, so a wrong BatchNorm in the graph shows. */
    private static void moveBatchNorm(ParamStore p, SplittableRandom rnd) {
        for (ParamStore.Param q : p.all()) {
            String n = q.name();
            boolean mean = n.endsWith("running_mean") || n.endsWith(".bias") && n.contains("bn");
            boolean scale = n.endsWith("running_var") || n.endsWith(".weight") && n.contains("bn");
            if (!mean && !scale) {
                continue;
            }
            float[] v = new float[Math.toIntExact(q.shape().size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (mean ? rnd.nextDouble(-0.3, 0.3) : rnd.nextDouble(0.5, 1.5));
            }
            p.assign(n, q.shape(), v);
        }
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
        if (loaded != null) {
            loaded.close();
        }
        if (manager != null) {
            manager.close();
        }
    }

    private static float[] random(int n, long seed) {
        var rnd = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** max |a − b| / max |a|. */
    private static double relativeDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        assertTrue(max > 0, "features are all zero");
        return diff / max;
    }

    @Test
    void rawGraphMatchesDjlAtSeveralSizesAndBatches() throws Exception {
        int[][] shapes = {{1, 64, 64}, {1, 37, 53}, {2, 48, 40}, {1, 97, 131}};
        for (int[] s : shapes) {
            float[] x = random(s[0] * 3 * s[1] * s[2], s[1] * 1000L + s[2]);
            long[] shape = {s[0], 3, s[1], s[2]};
            float[] djl;
            long[] djlShape;
            try (NDManager m = manager.newSubManager()) {
                NDArray f = loaded.network().features(m.create(x, new Shape(shape)), false);
                djl = f.toFloatArray();
                djlShape = f.getShape().getShape();
            }
            var out = model.session().run(AffinityManifest.INPUT, x, shape, Set.of(AffinityManifest.OUTPUT)).get(AffinityManifest.OUTPUT);
            assertArrayEquals(djlShape, out.shape(), "shape at " + s[1] + "x" + s[2]);
            assertArrayEquals(new long[] {s[0], model.manifest().featureChannels(), (s[1] + 7) / 8, (s[2] + 7) / 8}, out.shape());
            double rel = relativeDiff(djl, out.data());
            System.out.println("affinity parity " + s[0] + "x" + s[1] + "x" + s[2] + ": " + rel);
            assertTrue(rel <= 1e-4, "relative difference " + rel + " at " + s[0] + "x" + s[1] + "x" + s[2]);
        }
    }

    private static RgbImage image(int w, int h, long seed) {
        var rnd = new SplittableRandom(seed);
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean blob = (x - w / 3) * (x - w / 3) + (y - h / 2) * (y - h / 2) < (h * h) / 12;
                img.set(x, y, 0, blob ? 200 + rnd.nextInt(40) : rnd.nextInt(60));
                img.set(x, y, 1, blob ? 40 : 100 + rnd.nextInt(50));
                img.set(x, y, 2, (x * 255) / w);
            }
        }
        return img;
    }

    @Test
    void paddedFeaturesMatchDjlOnAnOddImage() throws Exception {
        for (int[] wh : new int[][] {{131, 97}, {64, 48}}) {
            RgbImage img = image(wh[0], wh[1], 7);
            var djl = AffinityTraining.features(loaded.network(), img);
            var ort = model.features(img);
            assertEquals(djl.channels(), ort.channels());
            assertEquals(djl.height(), ort.height());
            assertEquals(djl.width(), ort.width());
            assertEquals((wh[1] + 7) / 8, ort.height());
            double rel = relativeDiff(djl.data(), ort.data());
            System.out.println("affinity parity padded " + wh[0] + "x" + wh[1] + ": " + rel);
            assertTrue(rel <= 1e-4, "relative difference " + rel + " at " + wh[0] + "x" + wh[1]);
        }
    }

    @Test
    void theWalkGivesTheSameMaskFromEitherEngine() throws Exception {
        var sample = new SyntheticGenerator(SyntheticConfig.defaults().withSize(160, 120).withSeed(11)).sample(0);
        RgbImage img = sample.image();
        boolean[] tags = sample.labels();
        int c = tags.length;
        // normalised maps: a soft version of the true mask, so the walk has something to spread
        int plane = img.width() * img.height();
        float[] n = new float[c * plane];
        for (int p = 0; p < plane; p++) {
            int label = sample.mask().labels()[p] & 0xFF;
            if (label > 0 && label != 255) {
                n[(label - 1) * plane + p] = 0.7f;
            }
        }
        var normalized = new ClassMaps(c, img.height(), img.width(), n);
        // 2 steps instead of 64: the briefly trained network's affinities diffuse the small objects away in more,
        // and an all-background mask would make the comparison trivial
        var cfg = new RandomWalk.Config(5, 8, 1, 6, 8, false);
        LabelMask fromDjl = RandomWalk.walk(normalized, tags, AffinityTraining.features(loaded.network(), img).data(),
                model.manifest().featureChannels(), cfg);
        LabelMask fromOrt = RandomWalk.walk(normalized, tags, model.features(img).data(), model.manifest().featureChannels(), cfg);
        assertArrayEquals(fromDjl.labels(), fromOrt.labels());
        assertTrue(foreground(fromOrt) > 0, "the walk's mask should hold foreground");
        ClassMaps scoresDjl = RandomWalk.walkScores(normalized, tags, AffinityTraining.features(loaded.network(), img).data(),
                model.manifest().featureChannels(), cfg);
        ClassMaps scoresOrt = RandomWalk.walkScores(normalized, tags, model.features(img).data(), model.manifest().featureChannels(), cfg);
        double rel = relativeDiff(scoresDjl.data(), scoresOrt.data());
        assertTrue(rel <= 1e-4, "walked scores differ by " + rel);
        // the same through the refiner with each engine as the feature source, walk then CRF
        var o = MaskRefiner.Options.reference(MaskRefiner.Mode.RW_CRF).withWalk(cfg);
        try (var djlSource = DjlAffinityFeatures.load(dir.resolve("aff"))) {
            LabelMask a = MaskRefiner.refineWith(img, normalized, tags, djlSource, o);
            LabelMask b = MaskRefiner.refineWith(img, normalized, tags, model, o);
            assertArrayEquals(a.labels(), b.labels());
        }
    }

    private static int foreground(LabelMask m) {
        int fg = 0;
        for (byte v : m.labels()) {
            fg += v != 0 ? 1 : 0;
        }
        return fg;
    }

    @Test
    void manifestRecordsTheContract() throws Exception {
        var m = OnnxAffinityModel.readManifest(dir.resolve("onnx"));
        assertEquals(AffinityManifest.FORMAT, m.format());
        assertEquals(8, m.featureStride());
        assertEquals(loaded.network().heads().f9(), m.featureChannels());
        assertEquals(5, m.radius());
        assertEquals(8, m.contract().padMultiple());
        assertEquals(List.of(0.485, 0.456, 0.406), m.contract().mean());
        assertEquals(List.of(0.229, 0.224, 0.225), m.contract().std());
        assertEquals(CLASSES, m.classes());
        assertEquals(OnnxExporter.DEFAULT_OPSET, m.opset());
        assertEquals(ai.seamstream.core.model.ModelFiles.sha256(dir.resolve("onnx").resolve(m.onnxFile())), m.onnxSha256());
        assertEquals("seam-test", m.provenance().checkpointId());
        assertEquals(loaded.manifest().weightsSha256(), m.provenance().weightsSha256());
        assertEquals(List.of("batch", "3", "height", "width"), m.inputs().get(0).shape());
    }

    private static Path copy(String name) throws IOException {
        Path to = dir.resolve(name);
        Files.createDirectories(to);
        try (var files = Files.list(dir.resolve("onnx"))) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return to;
    }

    private static void edit(Path d, Consumer<ObjectNode> e) throws IOException {
        ObjectNode o = (ObjectNode) JSON.readTree(d.resolve(AffinityManifest.FILE).toFile());
        e.accept(o);
        JSON.writeValue(d.resolve(AffinityManifest.FILE).toFile(), o);
    }

    private static String refused(Path d) {
        return assertThrows(IOException.class, () -> OnnxAffinityModel.load(d, OnnxSession.Settings.cpu(1)).close()).getMessage();
    }

    @Test
    void corruptTruncatedAndMismatchedFilesAreRefusedWithTheirFault() throws Exception {
        Path flipped = copy("flipped");
        byte[] b = Files.readAllBytes(flipped.resolve(AffinityManifest.ONNX_FILE));
        b[b.length / 2] ^= 1;
        Files.write(flipped.resolve(AffinityManifest.ONNX_FILE), b);
        String e = refused(flipped);
        assertTrue(e.contains("SHA-256") && e.contains("corrupt, truncated or replaced") && e.contains(AffinityManifest.ONNX_FILE), e);

        Path truncated = copy("truncated");
        Files.write(truncated.resolve(AffinityManifest.ONNX_FILE), java.util.Arrays.copyOf(b, b.length / 3));
        e = refused(truncated);
        assertTrue(e.contains("SHA-256") && e.contains(b.length / 3 + " bytes"), e);

        Path garbage = copy("garbage");
        byte[] junk = "not an onnx model".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(garbage.resolve(AffinityManifest.ONNX_FILE), junk);
        edit(garbage, o -> o.put("onnxSha256", ai.seamstream.core.model.ModelFiles.sha256(junk)));
        e = refused(garbage);
        assertTrue(e.contains("ONNX Runtime cannot load"), e);

        Path channels = copy("channels");
        edit(channels, o -> o.put("featureChannels", 7));
        e = refused(channels);
        assertTrue(e.contains("featureChannels 7") || e.contains("shape"), e);

        Path outputName = copy("output-name");
        edit(outputName, o -> ((ObjectNode) o.withArray("outputs").get(0)).put("name", "feats"));
        e = refused(outputName);
        assertTrue(e.contains("exactly one output 'features'"), e);

        Path rank = copy("rank");
        edit(rank, o -> ((com.fasterxml.jackson.databind.node.ArrayNode) o.withArray("inputs").get(0).get("shape")).remove(3));
        e = refused(rank);
        assertTrue(e.contains("rank 4 in the graph, 3 in the manifest"), e);

        Path inputName = copy("input-name");
        edit(inputName, o -> ((ObjectNode) o.withArray("inputs").get(0)).put("name", "pixels"));
        e = refused(inputName);
        assertTrue(e.contains("manifest input is 'pixels'") && e.contains("feeds '" + AffinityManifest.INPUT + "'"), e);

        Path missing = copy("missing");
        Files.delete(missing.resolve(AffinityManifest.ONNX_FILE));
        e = refused(missing);
        assertTrue(e.contains("is missing"), e);

        Path format = copy("format");
        edit(format, o -> o.put("format", ModelManifest.FORMAT));
        e = refused(format);
        assertTrue(e.contains("SEAM model, not an affinity network"), e);
        assertTrue(refused(dir.resolve("nothing")).contains("not an affinity model directory"));
    }

    @Test
    void aSeamModelShipsItsAffinityNetworkAndLoadingChecksIt() throws Exception {
        Path seam = dir.resolve("seam-model");
        var contract = new ModelManifest.InputContract(List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225), List.of(1.0),
                true, 0.26, 0.5);
        try (NDManager m = NDManager.newBaseManager(); var net = new SeamNetwork(netConfig, m, 5)) {
            OnnxExporter.export(net, "seam-test", CLASSES, contract, new ModelManifest.Provenance(null, null, null, null, "test"),
                    seam, OnnxExporter.DEFAULT_OPSET);
        }
        ModelManifest before = OnnxModel.readManifest(seam);
        assertEquals(null, before.affinity());
        assertThrows(IOException.class, () -> OnnxAffinityModel.loadShipped(seam, before, OnnxSession.Settings.cpu(1)));
        ModelManifest after = AffinityOnnxExporter.attach(loaded, seam, OnnxExporter.DEFAULT_OPSET);
        assertEquals(after, OnnxModel.readManifest(seam));
        assertEquals(AffinityOnnxExporter.SUBFOLDER, after.affinity().directory());
        assertEquals(before.onnxSha256(), after.onnxSha256());
        try (var shipped = OnnxAffinityModel.loadShipped(seam, after, OnnxSession.Settings.cpu(1));
             var seamModel = OnnxModel.load(seam, OnnxSession.Settings.cpu(1))) {
            assertNotNull(seamModel);
            RgbImage img = image(40, 24, 3);
            assertArrayEquals(model.features(img).data(), shipped.features(img).data());
        }
        // a manifest naming another hash than the shipped file's
        var wrong = after.withAffinity(new ModelManifest.AffinityRef("affinity", "0".repeat(64)));
        String e = assertThrows(IOException.class, () -> OnnxAffinityModel.loadShipped(seam, wrong, OnnxSession.Settings.cpu(1)))
                .getMessage();
        assertTrue(e.contains("differs from the one model seam-test records"), e);
        var escape = after.withAffinity(new ModelManifest.AffinityRef("../x", after.affinity().onnxSha256()));
        Files.write(dir.resolve("escape.json"), JSON.writeValueAsBytes(escape));
        Path escDir = dir.resolve("esc");
        Files.createDirectories(escDir);
        Files.copy(dir.resolve("escape.json"), escDir.resolve(ModelManifest.FILE));
        e = assertThrows(IOException.class, () -> OnnxModel.readManifest(escDir)).getMessage();
        assertTrue(e.contains("affinity.directory must be one folder name"), e);
        // classes that differ
        var otherClasses = new ModelManifest(after.format(), after.id(), List.of("background", "x"), after.method(), after.onnxFile(),
                after.onnxSha256(), after.opset(), after.inputs(), after.outputs(), after.contract(), after.provenance(), after.affinity());
        e = assertThrows(IOException.class, () -> OnnxAffinityModel.loadShipped(seam, otherClasses, OnnxSession.Settings.cpu(1)))
                .getMessage();
        assertTrue(e.contains("classes"), e);
    }

    @Test
    void otherOpsetsExportToo() throws Exception {
        for (int opset : new int[] {13, 21}) {
            Path d = dir.resolve("opset-" + opset);
            AffinityOnnxExporter.export(loaded, d, opset);
            try (var m = OnnxAffinityModel.load(d, OnnxSession.Settings.cpu(1))) {
                RgbImage img = image(24, 16, 1);
                double rel = relativeDiff(model.features(img).data(), m.features(img).data());
                assertTrue(rel <= 1e-6, "opset " + opset + ": " + rel);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> AffinityOnnxExporter.toOnnx(loaded.network(), 12, "x"));
    }
}
