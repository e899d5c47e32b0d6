package ai.seamstream.torch.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticDatasetWriter;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.SafeTensors;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.cli.SeamCliTest.Outcome;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.ParamStore;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.pretrained.PretrainedImport;
import ai.seamstream.torch.pretrained.WeightFileWriters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code seam import} and {@code seam train --init FILE} end to end, and their user errors. */
class ImportCliTest {
    @TempDir
    Path tmp;

    static Path fixture(String name) throws Exception {
        return Path.of(ImportCliTest.class.getResource("/import/" + name).toURI());
    }

    /** Import options for the fixtures' network (width 1/128, units 2,1,2,2, classes a, b, c). */
    static String[] importArgs(Path from, Path to, String... more) {
        return importArgsWithUnits(from, to, "2,1,2,2", more);
    }

    static String[] importArgsWithUnits(Path from, Path to, String units, String... more) {
        var a = new ArrayList<>(java.util.List.of("import", "--from", from.toString(), "--to", to.toString(), "--classes",
                "a,b,c", "--backbone", "small", "--width", "0.0078125", "--units", units));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    @Test
    void importedCheckpointsComputeThePyTorchCams() throws Exception {
        Map<String, NamedTensor> expected = SafeTensors.read(fixture("expected.safetensors")).byName();
        for (String file : new String[] {"seam_legacy.pth", "seam_zip.pth", "seam.safetensors"}) {
            Path to = tmp.resolve("ck-" + file);
            Outcome o = SeamCliTest.seam(importArgs(fixture(file), to, "--strict"));
            assertEquals(0, o.code(), o.err());
            assertTrue(o.out().contains("STATE_DICT: ") && o.out().contains("(seam, 4 classes)"), o.out());
            try (NDManager m = NDManager.newBaseManager(); Checkpoint.Loaded ck = Checkpoint.load(to, m)) {
                var imported = ck.manifest().imported();
                assertNotNull(imported);
                assertEquals(file, imported.file());
                assertEquals(Checkpoint.sha256(fixture(file)), imported.sha256());
                assertEquals(NetConfig.BatchNormMode.FROZEN, ck.network().config().bnMode());
                NamedTensor in = expected.get("input");
                try (SeamNetwork.Forward f = ck.network().forward(m.create(in.data(), new Shape(in.shape())), false)) {
                    float[] want = expected.get("cam_rv").data();
                    float[] got = f.camRv().toFloatArray();
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], got[i], 1e-4, file + " cam_rv[" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void anImageNetImportIsACamCheckpointWhoseHeadKeepsItsInitialisation() throws Exception {
        Path to = tmp.resolve("ck-imagenet");
        Outcome o = SeamCliTest.seam(importArgs(fixture("imagenet.params"), to, "--format", "params", "--strict"));
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("MXNET_IMAGENET") && o.out().contains("2 dropped") && o.out().contains("(fc8)"), o.out());
        var manifest = Checkpoint.readManifest(to);
        assertEquals("CAM", manifest.network().method());
        assertEquals("params", manifest.imported().format());
        assertEquals(java.util.List.of("fc8.weight"), manifest.imported().kept());
    }

    @Test
    void userErrorsAreOneLineNamingTheProblem() throws Exception {
        Path to = tmp.resolve("x");
        // The wrong format forced on a file.
        SeamCliTest.seam(importArgs(fixture("imagenet.params"), to, "--format", "pth")).isUserError("imagenet.params",
                "not a PyTorch file");
        SeamCliTest.seam(importArgs(fixture("seam_zip.pth"), to, "--format", "onnx")).isUserError("--format");
        // fc8 has 4 rows, the VOC vocabulary 21.
        SeamCliTest.seam("import", "--from", fixture("seam.safetensors").toString(), "--to", to.toString(), "--backbone",
                "small", "--width", "0.0078125", "--units", "2,1,2,2").isUserError("fc8 scores 4 classes", "21");
        // Another architecture: wrong shapes are listed.
        SeamCliTest.seam(importArgsWithUnits(fixture("seam.safetensors"), to, "2,1,2,3", "--strict"))
                .isUserError("missing [b5_2.");
        SeamCliTest.seam(importArgs(tmp.resolve("nope.pth"), to)).isUserError("nope.pth");
        // A hostile pickle.
        Path evil = tmp.resolve("evil.pth");
        byte[] pkl = {(byte) 0x80, 2, 'c', 'o', 's', '\n', 's', 'y', 's', 't', 'e', 'm', '\n', 'X', 2, 0, 0, 0, 'l', 's',
            (byte) 0x85, 'R', '.'};
        Files.write(evil, pkl);
        SeamCliTest.seam(importArgs(evil, to)).isUserError("evil.pth", "os.system", "refusing");
        // A truncated real file.
        byte[] legacy = Files.readAllBytes(fixture("seam_legacy.pth"));
        Path cut = tmp.resolve("cut.pth");
        Files.write(cut, Arrays.copyOf(legacy, legacy.length - 100));
        SeamCliTest.seam(importArgs(cut, to)).isUserError("cut.pth", "truncated");
        SeamCliTest.seam(importArgsWithUnits(fixture("seam.safetensors"), to, "2,1")).isUserError("--units");
        assertTrue(!Files.exists(to.resolve("manifest.json")), "no checkpoint from failed imports");
    }

    @Test
    void trainStartsFromAWeightFile() throws Exception {
        Path data = tmp.resolve("data");
        SyntheticDatasetWriter.write(SyntheticConfig.defaults().withCount(6).withSize(64, 64), data, "png", 0.0, false);
        // An ImageNet-style file for the slim backbone the run trains.
        var specs = new ArrayList<WeightFileWriters.Spec>();
        try (NDManager m = NDManager.newBaseManager();
             SeamNetwork net = new SeamNetwork(new NetConfig(BackboneConfig.small(0.015625, 1), 9, NetConfig.Method.CAM,
                     NetConfig.BatchNormMode.FROZEN, true, 4096), m, 1)) {
            for (ParamStore.Param p : net.params().all()) {
                if (!PretrainedImport.isHead(p.name())) {
                    specs.add(new WeightFileWriters.Spec(WeightFileWriters.mxnetName(p.name()), p.shape().getShape(), false));
                }
            }
        }
        Path params = tmp.resolve("imagenet-slim.params");
        WeightFileWriters.mxnet(params, specs, 5);
        Path out = tmp.resolve("run");
        Outcome o = SeamCliTest.seam("train", "--data", data.toString(), "--out", out.toString(), "--method", "cam",
                "--width", "0.015625", "--units", "1", "--init", params.toString(), "--freeze-early", "--steps", "2",
                "--batch", "2", "--threads", "1");
        assertEquals(0, o.code(), o.err());
        var manifest = Checkpoint.readManifest(out);
        assertTrue(manifest.training().init().startsWith("import:params:imagenet-slim.params@sha256:"),
                manifest.training().init());
        assertEquals("mxnet_imagenet", manifest.imported().scheme());
        // conv1a is frozen (--freeze-early): it must still hold the file's values after training.
        var weights = SafeTensors.read(out.resolve(Checkpoint.WEIGHTS)).byName();
        float[] conv1a = weights.get("conv1a.weight").data();
        float[] want = new float[conv1a.length];
        for (int i = 0; i < want.length; i++) {
            want[i] = WeightFileWriters.value(5, "arg:conv1a_weight", i);
        }
        assertArrayEquals(want, conv1a);
    }
}
