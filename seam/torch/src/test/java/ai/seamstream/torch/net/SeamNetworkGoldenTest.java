package ai.seamstream.torch.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.SafeTensors;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.net.NetConfig.BatchNormMode;
import ai.seamstream.torch.net.NetConfig.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole inference forward (backbone, fc8, PCM input, PCM, up-sampling) against PyTorch: the golden file holds a
 * tiny network's random weights (BatchNorm statistics included), an input and the outputs of an independent
 * torch.nn.functional forward written from SEAM-METHOD §1 (see forward-golden/make_forward_golden.py).
 */
class SeamNetworkGoldenTest {
    @Test
    void forwardMatchesAnIndependentPyTorchForward() throws Exception {
        Path file = Path.of(getClass().getResource("/forward-golden/forward_golden.safetensors").toURI());
        Map<String, NamedTensor> golden = SafeTensors.read(file).byName();
        var weights = new ArrayList<NamedTensor>();
        for (NamedTensor t : golden.values()) {
            if (!List.of("input", "cam", "cam_rv", "cam_low").contains(t.name())) {
                weights.add(t);
            }
        }
        var config = NetConfig.of(BackboneConfig.small(1.0 / 64, 1), ClassVocabulary.ofForeground(List.of("a", "b", "c")),
                Method.SEAM, BatchNormMode.FROZEN, false, 4096);
        try (NDManager manager = NDManager.newBaseManager(); SeamNetwork net = new SeamNetwork(config, manager, 1)) {
            WeightsIo.load(net.params(), weights, true); // strict: the Python names and shapes are the Java ones
            GoldenCams.assertForwardMatches(golden, net, manager, scale -> 1e-4 * scale + 1e-6);
        }
    }
}
