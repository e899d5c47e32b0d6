package ai.seamstream.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelManifestTest {
    @TempDir
    Path dir;

    static ModelManifest sample(boolean seam) {
        var outputs = seam
                ? List.of(new ModelManifest.TensorSpec("cam_rv", "float32", List.of("batch", "3", "height", "width")),
                        new ModelManifest.TensorSpec("cam", "float32", List.of("batch", "3", "cam_height", "cam_width")),
                        new ModelManifest.TensorSpec("scores", "float32", List.of("batch", "3")))
                : List.of(new ModelManifest.TensorSpec("cam", "float32", List.of("batch", "3", "cam_height", "cam_width")),
                        new ModelManifest.TensorSpec("scores", "float32", List.of("batch", "3")));
        return new ModelManifest(ModelManifest.FORMAT, "m1", List.of("background", "cat", "dog"), seam ? "SEAM" : "CAM",
                "model.onnx", "ab", 17, List.of(new ModelManifest.TensorSpec("image", "float32", List.of("batch", "3", "height", "width"))),
                outputs, new ModelManifest.InputContract(List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225),
                        List.of(0.5, 1.0), true, 0.26, 0.5),
                new ModelManifest.Provenance("ck", "cd", null, "2026-01-01T00:00:00Z", "dev"));
    }

    @Test
    void roundTripsThroughJsonAndIgnoresUnknownFields() throws Exception {
        var json = new ObjectMapper();
        ModelManifest m = sample(true);
        String text = json.writeValueAsString(m);
        assertEquals(m, json.readValue(text, ModelManifest.class));
        String extended = text.replaceFirst("\\{", "{\"futureField\":42,");
        assertEquals(m, json.readValue(extended, ModelManifest.class));
    }

    @Test
    void knowsWhetherTheGraphCarriesTheRevisedCam() {
        assertTrue(sample(true).hasRevisedCam());
        assertFalse(sample(false).hasRevisedCam());
        assertNull(sample(false).output("cam_rv"));
        assertEquals(List.of("batch", "3"), sample(false).output("scores").shape());
    }

    @Test
    void sha256MatchesTheKnownDigestOfAbc() throws Exception {
        // FIPS 180-2 test vector
        String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assertEquals(abc, ModelFiles.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
        Path f = dir.resolve("abc");
        Files.writeString(f, "abc", StandardCharsets.US_ASCII);
        assertEquals(abc, ModelFiles.sha256(f));
    }
}
