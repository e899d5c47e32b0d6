package ai.seamstream.core.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightFormatTest {
    @TempDir
    Path dir;

    @Test
    void recognisesSafetensorsByContentNotName() throws Exception {
        Path f = dir.resolve("weights.pth"); // a misleading extension
        SafeTensors.write(f, List.of(new NamedTensor("fc8.weight", new long[] {2}, new float[] {1, -2})), Map.of());
        assertEquals(WeightFormat.SAFETENSORS, WeightFormat.detect(f));
        WeightFile wf = WeightFormat.read(f, null);
        assertArrayEquals(new float[] {1, -2}, wf.tensors().get(0).data());
        assertEquals(2, wf.valueCount());
    }

    @Test
    void parsesCommandLineWords() {
        assertNull(WeightFormat.parse("auto"));
        assertEquals(WeightFormat.PARAMS, WeightFormat.parse("params"));
        assertEquals("safetensors", WeightFormat.SAFETENSORS.word());
        assertThrows(IllegalArgumentException.class, () -> WeightFormat.parse("onnx"));
    }

    @Test
    void emptyAndMissingFilesAreNamed() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.bin"));
        assertThrows(ai.seamstream.core.tensor.TensorFormatException.class, () -> WeightFormat.read(empty, null));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> WeightFormat.read(dir.resolve("none"), null));
    }
}
