package ai.seamstream.torch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.model.ModelFiles;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticDatasetWriter;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code seam export} then {@code seam infer --engine onnx}: the same masks as {@code --engine djl}, and its user errors. */
class ExportInferCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path ckpt;
    static Path model;

    @BeforeAll
    static void trainAndExport() throws Exception {
        data = tmp.resolve("data");
        SyntheticDatasetWriter.write(SyntheticConfig.defaults().withCount(6).withSize(48, 56), data, "png", 0.0, false);
        ckpt = tmp.resolve("ckpt");
        var t = SeamCliTest.seam("train", "--data", data.toString(), "--out", ckpt.toString(), "--width", "0.0625",
                "--steps", "3", "--batch", "2", "--crop", "48", "--threads", "1");
        assertEquals(0, t.code(), t.err());
        model = tmp.resolve("model");
        var e = SeamCliTest.seam("export", "--checkpoint", ckpt.toString(), "--out", model.toString(), "--opset", "17");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("opset 17"), e.out());
    }

    @Test
    void onnxEngineWritesTheMasksTheDjlEngineWrites() throws Exception {
        ModelManifest m = new ObjectMapper().readValue(model.resolve(ModelManifest.FILE).toFile(), ModelManifest.class);
        assertEquals(ModelFiles.sha256(model.resolve("model.onnx")), m.onnxSha256());
        Path djl = tmp.resolve("djl");
        Path ort = tmp.resolve("ort");
        var a = SeamCliTest.seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", djl.toString(),
                "--threads", "1");
        assertEquals(0, a.code(), a.err());
        var b = SeamCliTest.seam("infer", "--engine", "onnx", "--model", model.toString(), "--images", data.toString(),
                "--out", ort.toString(), "--threads", "1", "--batch", "3");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("engine onnx"), b.out());
        List<Path> masks;
        try (Stream<Path> s = Files.list(djl.resolve("masks"))) {
            masks = s.sorted().toList();
        }
        assertTrue(masks.size() >= 4, "masks: " + masks);
        long same = 0;
        long total = 0;
        for (Path p : masks) {
            LabelMask x = PaletteMaskCodec.read(p);
            LabelMask y = PaletteMaskCodec.read(ort.resolve("masks").resolve(p.getFileName()));
            for (int i = 0; i < x.labels().length; i++) {
                same += x.labels()[i] == y.labels()[i] ? 1 : 0;
            }
            total += x.labels().length;
        }
        assertTrue(same >= 0.999 * total, same + " of " + total + " mask pixels agree");
        assertEquals(Files.readAllLines(djl.resolve("scores.jsonl")).size(), Files.readAllLines(ort.resolve("scores.jsonl")).size());
    }

    @Test
    void engineAndModelMistakesAreOneLineUserErrors() throws Exception {
        Path out = tmp.resolve("x").toAbsolutePath();
        SeamCliTest.seam("infer", "--engine", "onnx", "--checkpoint", ckpt.toString(), "--model", model.toString(),
                "--images", data.toString(), "--out", out.toString()).isUserError("--engine onnx", "not --checkpoint");
        SeamCliTest.seam("infer", "--engine", "onnx", "--model", ckpt.toString(), "--images", data.toString(),
                "--out", out.toString()).isUserError("not a model directory");
        SeamCliTest.seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", out.toString(),
                "--cuda").isUserError("--engine onnx");
        SeamCliTest.seam("infer", "--engine", "tensorflow", "--model", model.toString(), "--images", data.toString(),
                "--out", out.toString()).isUserError("engine");
        SeamCliTest.seam("export", "--checkpoint", tmp.resolve("nope").toString(), "--out", out.toString()).isUserError("nope");
        SeamCliTest.seam("export", "--checkpoint", ckpt.toString(), "--out", out.toString(), "--opset", "9").isUserError("opset");
        // a damaged model is refused before any mask is written
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(model.resolve(ModelManifest.FILE), broken.resolve(ModelManifest.FILE));
        byte[] b = Files.readAllBytes(model.resolve("model.onnx"));
        Files.write(broken.resolve("model.onnx"), java.util.Arrays.copyOf(b, b.length - 100));
        SeamCliTest.seam("infer", "--engine", "onnx", "--model", broken.toString(), "--images", data.toString(),
                "--out", out.toString()).isUserError("SHA-256", "truncated");
    }
}
