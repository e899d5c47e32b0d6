package ai.seamstream.torch.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.model.ModelFiles;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxSession;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model directory that does not match its manifest is refused with a message naming the file and the fault. */
class OnnxModelLoadingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CLASSES = List.of("background", "cat", "dog", "bird");

    @TempDir
    static Path root;
    static Path seam;
    static Path cam;

    @BeforeAll
    static void export() throws Exception {
        seam = root.resolve("seam");
        cam = root.resolve("cam");
        var contract = new ModelManifest.InputContract(List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225),
                List.of(1.0), true, 0.26, 0.5);
        try (NDManager m = NDManager.newBaseManager()) {
            for (var method : NetConfig.Method.values()) {
                var cfg = new NetConfig(BackboneConfig.small(0.0625, 1), CLASSES.size(), method, NetConfig.BatchNormMode.FROZEN, false, 4096);
                try (SeamNetwork net = new SeamNetwork(cfg, m, 1)) {
                    OnnxExporter.export(net, method.name().toLowerCase(), CLASSES, contract,
                            new ModelManifest.Provenance(null, null, null, null, "test"),
                            method == NetConfig.Method.SEAM ? seam : cam, OnnxExporter.DEFAULT_OPSET);
                }
            }
        }
    }

    private static Path copy(Path from, String name) throws IOException {
        Path to = root.resolve(name);
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private static void editManifest(Path dir, Consumer<ObjectNode> edit) throws IOException {
        Path file = dir.resolve(ModelManifest.FILE);
        ObjectNode o = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(o);
        JSON.writeValue(file.toFile(), o);
    }

    private static String refused(Path dir) {
        var e = assertThrows(IOException.class, () -> OnnxModel.load(dir, OnnxSession.Settings.cpu(1)).close());
        System.out.println("refused: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void bothExportsLoad() throws Exception {
        try (OnnxModel s = OnnxModel.load(seam, OnnxSession.Settings.cpu(1));
             OnnxModel c = OnnxModel.load(cam, OnnxSession.Settings.cpu(1))) {
            assertTrue(s.manifest().hasRevisedCam());
            assertEquals(false, c.manifest().hasRevisedCam());
            assertEquals(Arrays.asList("cam_rv", "cam", "scores"), s.session().outputs().keySet().stream().toList());
        }
    }

    @Test
    void askingForCudaOnTheCpuBuildRunsOnCpu() throws Exception {
        // the default build carries the CPU ONNX Runtime, which has no CUDA provider: the model still loads, on CPU
        try (OnnxModel s = OnnxModel.load(seam, OnnxSession.Settings.preferCuda(1))) {
            assertEquals("CPU", s.session().provider());
        }
    }

    @Test
    void aFlippedByteIsCaughtByTheHash() throws Exception {
        Path d = copy(seam, "flipped");
        byte[] b = Files.readAllBytes(d.resolve("model.onnx"));
        b[b.length / 2] ^= 0x10;
        Files.write(d.resolve("model.onnx"), b);
        String msg = refused(d);
        assertTrue(msg.contains("model.onnx") && msg.contains("SHA-256") && msg.contains("corrupt"), msg);
    }

    @Test
    void aTruncatedFileIsCaughtByTheHash() throws Exception {
        Path d = copy(seam, "truncated");
        byte[] b = Files.readAllBytes(d.resolve("model.onnx"));
        Files.write(d.resolve("model.onnx"), Arrays.copyOf(b, b.length / 3));
        String msg = refused(d);
        assertTrue(msg.contains("SHA-256") && msg.contains(b.length / 3 + " bytes"), msg);
    }

    @Test
    void aFileOnnxRuntimeCannotParseIsRefusedEvenWithAMatchingHash() throws Exception {
        Path d = copy(seam, "garbage");
        byte[] b = Files.readAllBytes(d.resolve("model.onnx"));
        byte[] cut = Arrays.copyOf(b, b.length / 3);
        Files.write(d.resolve("model.onnx"), cut);
        editManifest(d, o -> o.put("onnxSha256", ModelFiles.sha256(cut)));
        String msg = refused(d);
        assertTrue(msg.contains("ONNX Runtime cannot load the model"), msg);
    }

    @Test
    void classesThatDoNotMatchTheGraphAreRefused() throws Exception {
        Path d = copy(seam, "classes");
        editManifest(d, o -> ((ArrayNode) o.get("classes")).remove(3));
        String msg = refused(d);
        assertTrue(msg.contains("4 classes") && msg.contains("manifest lists 3"), msg);
    }

    @Test
    void aGraphWithoutTheManifestsOutputsIsRefused() throws Exception {
        // a CAM graph under a SEAM manifest: the hash matches (it is updated), the outputs do not
        Path d = copy(seam, "swapped");
        Files.copy(cam.resolve("model.onnx"), d.resolve("model.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        editManifest(d, o -> {
            try {
                o.put("onnxSha256", ModelFiles.sha256(d.resolve("model.onnx")));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String msg = refused(d);
        assertTrue(msg.contains("no output 'cam_rv'"), msg);
    }

    @Test
    void inputNameAndShapeMismatchesAreRefused() throws Exception {
        Path named = copy(seam, "input-name");
        editManifest(named, o -> ((ObjectNode) o.get("inputs").get(0)).put("name", "pixels"));
        assertTrue(refused(named).contains("manifest input is 'pixels'"));
        Path shaped = copy(seam, "input-shape");
        editManifest(shaped, o -> {
            ArrayNode shape = (ArrayNode) o.get("inputs").get(0).get("shape");
            shape.set(2, JSON.getNodeFactory().textNode("224"));
        });
        String msg = refused(shaped);
        assertTrue(msg.contains("input 'image' has shape") && msg.contains("224"), msg);
    }

    @Test
    void manifestProblemsAreNamed() throws Exception {
        assertTrue(refused(root.resolve("nowhere")).contains("not a model directory"));
        Path fmt = copy(seam, "format");
        editManifest(fmt, o -> o.put("format", "something-else/9"));
        assertTrue(refused(fmt).contains("format 'something-else/9'"));
        Path escape = copy(seam, "escape");
        editManifest(escape, o -> o.put("onnxFile", "../seam/model.onnx"));
        assertTrue(refused(escape).contains("inside the model directory"));
        Path missing = copy(seam, "missing");
        Files.delete(missing.resolve("model.onnx"));
        assertTrue(refused(missing).contains("model.onnx is missing"));
        Path broken = copy(seam, "broken-json");
        Files.writeString(broken.resolve(ModelManifest.FILE), "{ not json");
        assertTrue(refused(broken).contains("unreadable manifest"));
        Path lacking = copy(seam, "lacking");
        editManifest(lacking, o -> o.remove("onnxSha256"));
        assertTrue(refused(lacking).contains("lacks onnxSha256"));
    }

    @Test
    void unsupportedOpsetsAreRefusedAtExport() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); SeamNetwork net = new SeamNetwork(new NetConfig(BackboneConfig.small(0.0625, 1),
                4, NetConfig.Method.CAM, NetConfig.BatchNormMode.FROZEN, false, 4096), m, 1)) {
            var e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.toOnnx(net, 12, "x"));
            assertTrue(e.getMessage().contains("13..21"), e.getMessage());
        }
    }
}
