package ai.seamstream.torch.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.weights.DType;
import ai.seamstream.core.weights.WeightFile;
import ai.seamstream.core.weights.WeightFormat;
import ai.seamstream.torch.pretrained.NameMapping.Scheme;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The renaming rules, against names worked out by hand from the reference's convert_mxnet_to_torch. */
class NameMappingTest {

    @Test
    void mxnetNamesFollowTheReferenceConversion() {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("conv1a_weight", "conv1a.weight"),
                Map.entry("res2a_branch1_weight", "b2.conv_branch1.weight"),
                Map.entry("res2a_branch2a_weight", "b2.conv_branch2a.weight"),
                Map.entry("res2b1_branch2b1_weight", "b2_1.conv_branch2b1.weight"),
                Map.entry("res4b5_branch2a_weight", "b4_5.conv_branch2a.weight"),
                Map.entry("bn4b5_branch2b1_gamma", "b4_5.bn_branch2b1.weight"),
                Map.entry("bn5b2_branch2a_beta", "b5_2.bn_branch2a.bias"),
                Map.entry("bn6a_branch2b2_moving_mean", "b6.bn_branch2b2.running_mean"),
                Map.entry("bn7a_branch2a_moving_var", "b7.bn_branch2a.running_var"),
                Map.entry("res7a_branch2b2_weight", "b7.conv_branch2b2.weight"),
                Map.entry("bn7_gamma", "bn7.weight"),
                Map.entry("bn7_moving_var", "bn7.running_var"));
        cases.forEach((mx, ours) -> assertEquals(ours, NameMapping.fromMxnet(mx), mx));
        // No such layers: a BN parameter on a conv name and the reverse, or an unknown suffix.
        assertNull(NameMapping.fromMxnet("res2a_branch2a_gamma"));
        assertNull(NameMapping.fromMxnet("bn2a_branch2a_weight"));
        assertNull(NameMapping.fromMxnet("bn7_weight"));
        assertNull(NameMapping.fromMxnet("fc8_weight"));
    }

    @Test
    void aWholeFileIsRecognisedAndRenamed() {
        var mx = file("arg:conv1a_weight", "aux:bn7_moving_mean", "arg:linear1000_weight", "arg:linear1000_bias", "arg:stray_x");
        var m = NameMapping.map(mx);
        assertEquals(Scheme.MXNET_IMAGENET, m.scheme());
        assertEquals(List.of("conv1a.weight", "bn7.running_mean"), m.tensors().stream().map(NamedTensor::name).toList());
        assertEquals(List.of("arg:linear1000_weight", "arg:linear1000_bias"), m.dropped());
        assertEquals(List.of("arg:stray_x"), m.unmapped());
        assertEquals("aux:bn7_moving_mean", m.sources().get("bn7.running_mean"));

        var dp = NameMapping.map(file("module.conv1a.weight", "module.b2.bn_branch2a.num_batches_tracked", "module.fc8.weight"));
        assertEquals(Scheme.STATE_DICT, dp.scheme());
        assertEquals(List.of("conv1a.weight", "fc8.weight"), dp.tensors().stream().map(NamedTensor::name).toList());
        assertEquals(List.of("module.b2.bn_branch2a.num_batches_tracked"), dp.dropped());
        // A prefix on only some keys is not DataParallel's: names stay as they are (and will be reported unexpected).
        var mixed = NameMapping.map(file("module.conv1a.weight", "fc8.weight"));
        assertEquals(List.of("module.conv1a.weight", "fc8.weight"), mixed.tensors().stream().map(NamedTensor::name).toList());
    }

    private static WeightFile file(String... names) {
        var tensors = java.util.Arrays.stream(names).map(n -> new NamedTensor(n, new long[] {1}, new float[] {1})).toList();
        var dtypes = new java.util.HashMap<String, DType>();
        for (String n : names) {
            dtypes.put(n, DType.FLOAT32);
        }
        return new WeightFile(WeightFormat.SAFETENSORS, tensors, dtypes);
    }
}
