package ai.seamstream.torch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.seamstream.schemas.ClassVocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Channel scaling, presets and validation of the network configuration records. */
class BackboneConfigTest {

    @Test
    void fullIsTheReferenceResNet38() {
        assertEquals(new BackboneConfig(1.0, 3, 3, 6, 3), BackboneConfig.FULL);
        for (int c : new int[] {64, 128, 256, 512, 1024, 2048, 4096, 192}) {
            assertEquals(c, BackboneConfig.FULL.channels(c));
        }
    }

    @Test
    void scaledChannelsAreMultiplesOfEightWithAFloor() {
        BackboneConfig b = BackboneConfig.small(1.0 / 16, 1);
        assertEquals(8, b.channels(64));    // 4 rounds to 8 (round(0.5) = 1)
        assertEquals(8, b.channels(128));
        assertEquals(16, b.channels(256));
        assertEquals(64, b.channels(1024));
        assertEquals(256, b.channels(4096));
        assertEquals(16, BackboneConfig.small(0.25, 1).channels(64));
        assertEquals(8, BackboneConfig.small(0.01, 1).channels(64));
        assertEquals(48, BackboneConfig.small(0.25, 1).channels(192));
        // 0.3·1024 = 307.2 → round(38.4)·8 = 304
        assertEquals(304, BackboneConfig.small(0.3, 1).channels(1024));
        assertEquals(2, BackboneConfig.small(0.5, 2).units(5));
        assertEquals(6, BackboneConfig.FULL.units(4));
    }

    @Test
    void invalidConfigurationsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new BackboneConfig(0, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BackboneConfig(1.5, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BackboneConfig(Double.NaN, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BackboneConfig(1, 3, 0, 6, 3));
        assertThrows(IllegalArgumentException.class, () -> BackboneConfig.FULL.units(6));
        assertThrows(IllegalArgumentException.class, () -> BackboneConfig.FULL.channels(0));
    }

    @Test
    void netConfigTakesClassesFromTheVocabularyAndScalesHeads() {
        NetConfig ref = NetConfig.reference(ClassVocabulary.VOC2012);
        assertEquals(ClassVocabulary.VOC2012.size(), ref.classes());
        assertEquals(NetConfig.Method.SEAM, ref.method());
        assertEquals(NetConfig.BatchNormMode.FROZEN, ref.bnMode());
        assertEquals(true, ref.freezeEarly());
        assertEquals(64, ref.f83Channels());
        assertEquals(128, ref.f84Channels());
        assertEquals(195, ref.f9InputChannels());
        assertEquals(192, ref.f9Channels());

        NetConfig small = NetConfig.of(BackboneConfig.small(0.25, 1), ClassVocabulary.ofForeground(List.of("cat", "dog")),
                NetConfig.Method.CAM, NetConfig.BatchNormMode.TRAIN, false, 64);
        assertEquals(3, small.classes());
        assertEquals(16, small.f83Channels());
        assertEquals(32, small.f84Channels());
        assertEquals(3 + 16 + 32, small.f9InputChannels());
        assertEquals(48, small.f9Channels());
    }

    @Test
    void headWidthSizesThePcmHeadsApartFromTheBackbone() throws Exception {
        NetConfig scaled = new NetConfig(BackboneConfig.small(0.125, 1), 9, NetConfig.Method.SEAM,
                NetConfig.BatchNormMode.FROZEN, true, 4096);
        assertEquals(0.0, scaled.headWidth());
        assertEquals(8, scaled.f83Channels());
        assertEquals(16, scaled.f84Channels());
        assertEquals(24, scaled.f9Channels());
        NetConfig reference = scaled.withHeadWidth(1);
        assertEquals(64, reference.f83Channels());
        assertEquals(128, reference.f84Channels());
        assertEquals(195, reference.f9InputChannels());
        assertEquals(192, reference.f9Channels());
        assertEquals(96, scaled.withHeadWidth(0.5).f9Channels());
        assertThrows(IllegalArgumentException.class, () -> scaled.withHeadWidth(1.5));
        assertThrows(IllegalArgumentException.class, () -> scaled.withHeadWidth(-0.5));
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager(); var net = new SeamNetwork(reference, manager, 3)) {
            assertEquals(new ai.djl.ndarray.types.Shape(192, 195, 1, 1), net.params().get("f9.weight").getShape());
            assertEquals(new ai.djl.ndarray.types.Shape(64, 64, 1, 1), net.params().get("f8_3.weight").getShape());
        }
        // A manifest written before the setting existed has no headWidth: its heads follow the backbone, as they did.
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var spec = ai.seamstream.torch.checkpoint.CheckpointManifest.NetworkSpec.of(reference);
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.valueToTree(spec);
        assertEquals(1.0, tree.get("headWidth").asDouble());
        assertEquals(reference, json.treeToValue(tree, spec.getClass()).toConfig(9));
        tree.remove("headWidth");
        assertEquals(scaled, json.treeToValue(tree, spec.getClass()).toConfig(9));
    }

    @Test
    void netConfigValidates() {
        assertThrows(IllegalArgumentException.class, () -> new NetConfig(BackboneConfig.FULL, 1, NetConfig.Method.SEAM,
                NetConfig.BatchNormMode.FROZEN, true, 16));
        assertThrows(IllegalArgumentException.class, () -> new NetConfig(BackboneConfig.FULL, 21, NetConfig.Method.SEAM,
                NetConfig.BatchNormMode.FROZEN, true, 0));
        assertThrows(NullPointerException.class, () -> new NetConfig(null, 21, NetConfig.Method.SEAM,
                NetConfig.BatchNormMode.FROZEN, true, 16));
    }
}
