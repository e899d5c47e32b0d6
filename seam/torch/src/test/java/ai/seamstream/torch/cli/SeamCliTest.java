package ai.seamstream.torch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticDatasetWriter;
import ai.seamstream.torch.checkpoint.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's contract for user errors: one line on stderr that names the culprit, exit code 2, no stack
 * trace; and the happy paths of synth and eval, which need no training.
 */
class SeamCliTest {
    @TempDir
    static Path tmp;
    static Path data;

    /** What one run of the command printed and returned. */
    record Outcome(int code, String out, String err) {
        /** Asserts the user-error contract and that the single error line contains every fragment. */
        void isUserError(String... fragments) {
            assertEquals(2, code, () -> "exit code; stderr was: " + err);
            String[] lines = err.strip().split("\n");
            assertEquals(1, lines.length, () -> "one error line expected, got:\n" + err);
            assertFalse(err.contains("\tat "), () -> "no stack trace for a user error:\n" + err);
            assertTrue(lines[0].contains(": error: "), lines[0]);
            for (String f : fragments) {
                assertTrue(lines[0].contains(f), () -> "error line should name '" + f + "': " + lines[0]);
            }
        }
    }

    /** A tiny checkpoint of the given method trained on {@code data} for a few steps (width 1/16, 64 px crops). */
    static Path trainTiny(String name, String method, int steps, String... extra) {
        Path out = tmp.resolve(name);
        var argv = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString(),
                "--method", method, "--steps", Integer.toString(steps), "--batch", "2", "--width", "0.0625", "--crop", "64",
                "--threads", "1"));
        argv.addAll(List.of(extra));
        Outcome t = seam(argv.toArray(String[]::new));
        assertEquals(0, t.code, t.err);
        return out;
    }

    static Outcome seam(String... argv) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = SeamCli.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void dataSet() throws IOException {
        data = tmp.resolve("data");
        SyntheticDatasetWriter.write(SyntheticConfig.defaults().withCount(6).withSize(64, 64), data, "png", 0.0, false);
    }

    /** A private copy of the data set that a test may damage. */
    static Path copyOfData(String name) throws IOException {
        Path dest = tmp.resolve(name);
        try (Stream<Path> walk = Files.walk(data)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path q = dest.resolve(data.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
        return dest;
    }

    /** A prediction folder as {@code seam infer} lays it out ({@code masks/ID.png}) holding the ground truth. */
    static Path groundTruthAsPrediction(String name) throws IOException {
        Path pred = tmp.resolve(name);
        Files.createDirectories(pred.resolve("masks"));
        try (Stream<Path> s = Files.list(data.resolve("SegmentationClass"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.copy(p, pred.resolve("masks").resolve(p.getFileName().toString()));
            }
        }
        return pred;
    }

    /** The first file of a folder, in name order. */
    static Path first(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().findFirst().orElseThrow();
        }
    }

    @Test
    void inferRefineCrfWritesTheCrfOfTheSavedMaps() throws IOException {
        Path ckpt = trainTiny("tiny-ckpt", "cam", 2, "--log-every", "1");
        Path plain = tmp.resolve("infer-plain");
        Path crf = tmp.resolve("infer-crf");
        Outcome p = seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", plain.toString(),
                "--scales", "1", "--save-maps", "--threads", "1");
        assertEquals(0, p.code, p.err);
        Outcome c = seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", crf.toString(),
                "--scales", "1", "--refine", "crf", "--crf-alpha", "4", "--threads", "1");
        assertEquals(0, c.code, c.err);
        // independently: the plain run's maps and tags through the core refiner give the same masks
        var ds = ai.seamstream.core.dataset.VocDataset.open(data);
        var refineOptions = ai.seamstream.core.refine.MaskRefiner.Options.reference(ai.seamstream.core.refine.MaskRefiner.Mode.CRF);
        int compared = 0;
        try (Stream<Path> maps = Files.list(plain.resolve("maps"))) {
            for (Path m : (Iterable<Path>) maps::iterator) {
                String id = m.getFileName().toString().replace(".safetensors", "");
                var n = ai.seamstream.core.tensor.SafeTensors.read(m).byName().get("normalized");
                var normalized = new ai.seamstream.core.tensor.ClassMaps((int) n.shape()[0], (int) n.shape()[1], (int) n.shape()[2], n.data());
                boolean[] tags = ds.labels(id).orElseThrow();
                var img = ai.seamstream.core.image.ImageDecoder.read(ds.imageFile(id));
                LabelMask expected = ai.seamstream.core.refine.MaskRefiner.refine(img, normalized, tags, null, refineOptions);
                LabelMask got = PaletteMaskCodec.read(crf.resolve("masks").resolve(id + ".png"));
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected.labels(), got.labels(), id);
                compared++;
            }
        }
        assertTrue(compared > 0, "no maps written");
        seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", tmp.resolve("rw").toString(),
                "--refine", "rw").isUserError("--refine rw", "--affinity");
        seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", tmp.resolve("rw").toString(),
                "--refine", "rw", "--affinity", ckpt.toString()).isUserError("affinity.json");

        // an affinity network from the same checkpoint drives the walk; its masks equal the core walk on its features
        Path aff = tmp.resolve("tiny-aff");
        Outcome ta = seam("train-affinity", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--out", aff.toString(),
                "--steps", "3", "--batch", "2", "--crop", "64", "--scales", "1", "--threads", "1", "--log-every", "1");
        assertEquals(0, ta.code, ta.err);
        assertTrue(ta.out.contains("affinity network") && ta.out.contains(aff.toString()), ta.out);
        assertTrue(Files.readString(aff.resolve("affinity.json")).contains("\"lastLoss\""));
        Path rw = tmp.resolve("infer-rw");
        Outcome r = seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", rw.toString(),
                "--scales", "1", "--refine", "rw", "--affinity", aff.toString(), "--threads", "1");
        assertEquals(0, r.code, r.err);
        Outcome rc = seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", tmp.resolve("infer-rwcrf").toString(),
                "--scales", "1", "--refine", "rw+crf", "--affinity", aff.toString(), "--threads", "1");
        assertEquals(0, rc.code, rc.err);
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager();
             var loaded = ai.seamstream.torch.affinity.AffinityCheckpoint.load(aff, manager)) {
            var rwOptions = ai.seamstream.core.refine.MaskRefiner.Options.reference(ai.seamstream.core.refine.MaskRefiner.Mode.RW);
            try (Stream<Path> maps = Files.list(plain.resolve("maps"))) {
                for (Path m : (Iterable<Path>) maps::iterator) {
                    String id = m.getFileName().toString().replace(".safetensors", "");
                    var n = ai.seamstream.core.tensor.SafeTensors.read(m).byName().get("normalized");
                    var normalized = new ai.seamstream.core.tensor.ClassMaps((int) n.shape()[0], (int) n.shape()[1], (int) n.shape()[2], n.data());
                    var img = ai.seamstream.core.image.ImageDecoder.read(ds.imageFile(id));
                    var f = ai.seamstream.torch.affinity.AffinityTraining.features(loaded.network(), img);
                    assertEquals(8, f.height());
                    LabelMask expected = ai.seamstream.core.refine.MaskRefiner.refine(img, normalized, ds.labels(id).orElseThrow(), f, rwOptions);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(expected.labels(),
                            PaletteMaskCodec.read(rw.resolve("masks").resolve(id + ".png")).labels(), id);
                }
            }
        }
        // the exported affinity network on ONNX Runtime gives the DJL walk's masks
        Path affOnnx = tmp.resolve("tiny-aff-onnx");
        Outcome ea = seam("export-affinity", "--checkpoint", aff.toString(), "--out", affOnnx.toString());
        assertEquals(0, ea.code, ea.err);
        assertTrue(ea.out.contains("feature channels at stride 8") && ea.out.contains("radius 5"), ea.out);
        Path rwOrt = tmp.resolve("infer-rw-ort");
        Outcome ro = seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", rwOrt.toString(),
                "--scales", "1", "--refine", "rw", "--affinity", affOnnx.toString(), "--threads", "1");
        assertEquals(0, ro.code, ro.err);
        // and a SEAM model that ships it runs rw on ONNX Runtime alone, without --affinity
        Path shipped = tmp.resolve("model-with-affinity");
        Outcome es = seam("export", "--checkpoint", ckpt.toString(), "--out", shipped.toString(), "--affinity", aff.toString());
        assertEquals(0, es.code, es.err);
        assertTrue(Files.isRegularFile(shipped.resolve("affinity").resolve("affinity.onnx")), es.out);
        Path rwShipped = tmp.resolve("infer-rw-shipped");
        Outcome rs = seam("infer", "--engine", "onnx", "--model", shipped.toString(), "--images", data.toString(), "--out",
                rwShipped.toString(), "--scales", "1", "--refine", "rw", "--threads", "1");
        assertEquals(0, rs.code, rs.err);
        long same = 0;
        long total = 0;
        try (Stream<Path> masks = Files.list(rw.resolve("masks"))) {
            for (Path m : (Iterable<Path>) masks::iterator) {
                byte[] want = PaletteMaskCodec.read(m).labels();
                org.junit.jupiter.api.Assertions.assertArrayEquals(want, PaletteMaskCodec.read(rwOrt.resolve("masks").resolve(m.getFileName())).labels(),
                        m.getFileName().toString());
                byte[] got = PaletteMaskCodec.read(rwShipped.resolve("masks").resolve(m.getFileName())).labels();
                for (int i = 0; i < want.length; i++) {
                    same += want[i] == got[i] ? 1 : 0;
                }
                total += want.length;
            }
        }
        assertTrue(total > 0 && same >= 0.999 * total, same + " of " + total + " pixels agree (SEAM on ONNX Runtime, walk on its shipped net)");
        seam("export-affinity", "--checkpoint", ckpt.toString(), "--out", tmp.resolve("x").toString()).isUserError("affinity.json");
        seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", tmp.resolve("rw").toString(),
                "--refine", "rw", "--affinity", data.toString()).isUserError("neither an affinity checkpoint");
        seam("infer", "--checkpoint", ckpt.toString(), "--images", data.toString(), "--out", tmp.resolve("rw").toString(),
                "--refine", "dense").isUserError("--refine");
    }

    @Test
    void inspectPcmPrintsTheAffinityTableOfASeamCheckpointAndRefusesACamOne() throws IOException {
        Path seamCkpt = trainTiny("tiny-seam-inspect", "seam", 2, "--head-width", "0.25");
        Path json = tmp.resolve("inspect.json");
        Outcome o = seam("inspect-pcm", "--checkpoint", seamCkpt.toString(), "--data", data.toString(), "--images", "3",
                "--threads", "1", "--json", json.toString());
        assertEquals(0, o.code, o.err);
        assertTrue(o.out.contains("| model embedding f9(f) (the method) |"), o.out);
        assertTrue(o.out.contains("| none: the raw CAM (ReLU of fc8) |"), o.out);
        assertEquals(5, new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile()).get("rows").size());
        Path camCkpt = trainTiny("tiny-cam-inspect", "cam", 1);
        seam("inspect-pcm", "--checkpoint", camCkpt.toString(), "--data", data.toString()).isUserError("no PCM");
        seam("inspect-pcm", "--checkpoint", seamCkpt.toString(), "--data", tmp.resolve("nowhere").toString())
                .isUserError("nowhere");
    }

    @Test
    void pcmHeadsDefaultToTheReferenceWidthAndAContinuedRunKeepsItsCheckpoints() throws IOException {
        Path fresh = trainTiny("tiny-seam-heads", "seam", 1);
        assertEquals(1.0, Checkpoint.readManifest(fresh).network().headWidth(), "the reference's 64/128/192 channels");
        Path narrow = trainTiny("tiny-seam-narrow", "seam", 1, "--head-width", "0.25");
        Path continued = trainTiny("tiny-seam-continued", "seam", 1, "--init", narrow.toString());
        assertEquals(0.25, Checkpoint.readManifest(continued).network().headWidth(), "the init's heads must fit");
        Path cam = trainTiny("tiny-cam-heads", "cam", 1);
        Path fromCam = trainTiny("tiny-seam-from-cam", "seam", 1, "--init", cam.toString());
        assertEquals(1.0, Checkpoint.readManifest(fromCam).network().headWidth(), "a CAM checkpoint has no heads to keep");
    }

    @Test
    void noArgumentsPrintsUsageAndFails() {
        Outcome o = seam();
        assertEquals(2, o.code());
        assertTrue(o.out().contains("usage: seam"));
        assertEquals(0, seam("help").code());
    }

    @Test
    void helpOfOneCommandPrintsItsUsageLinesAlone() {
        Outcome train = seam("train", "--help");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().startsWith("usage: seam train [options]\n  train  --data DIR --out DIR"), train.out());
        assertTrue(train.out().contains("[--init CHECKPOINT_DIR|WEIGHT_FILE]"), "its continuation lines: " + train.out());
        assertFalse(train.out().contains("synth") || train.out().contains("train-affinity"), train.out());
        assertEquals(train.out(), seam("help", "train").out());
        assertEquals(train.out(), seam("train", "--data", "anything", "-h").out(), "wherever the flag stands");

        Outcome quality = seam("bench", "quality", "--seeds", "1", "--help");
        assertEquals(0, quality.code(), quality.err());
        assertTrue(quality.out().startsWith("usage: seam bench quality [options]\n  bench  quality"), quality.out());
        assertTrue(quality.out().contains("--dense-bins") && !quality.out().contains("bench  speed")
                && !quality.out().contains("inspect-pcm"), quality.out());
        String bench = seam("bench", "--help").out();
        for (String which : List.of("quality", "speed", "infer", "refine")) {
            assertTrue(bench.contains("bench  " + which), which + " in: " + bench);
        }
        seam("help", "zebra").isUserError("no command 'zebra'");
        seam("bench", "zebra", "--help").isUserError("no command 'bench zebra'");
    }

    @Test
    void unknownCommand() {
        seam("segment", "--data", "x").isUserError("unknown command 'segment'");
    }

    @Test
    void unknownOptionIsNamed() {
        seam("train", "--data", data.toString(), "--out", tmp.resolve("o").toString(), "--learning-rate", "0.1")
                .isUserError("learning-rate");
    }

    @Test
    void outOfRangeNumberIsNamed() {
        seam("train", "--data", data.toString(), "--out", tmp.resolve("o").toString(), "--batch", "0").isUserError("batch");
        seam("train", "--data", data.toString(), "--out", tmp.resolve("o").toString(), "--lr", "fast").isUserError("lr");
        seam("train", "--data", data.toString(), "--out", tmp.resolve("o").toString(), "--scale", "1").isUserError("--scale");
        assertFalse(Files.exists(tmp.resolve("o")), "nothing written");
    }

    @Test
    void randomWalkRefinementNeedsAnAffinityNetwork() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("some-model"));
        Path out = tmp.resolve("rw-out");
        seam("infer", "--engine", "onnx", "--model", model.toString(), "--images", data.toString(), "--out", out.toString(),
                "--refine", "rw").isUserError("--affinity");
        seam("infer", "--engine", "onnx", "--model", model.toString(), "--images", data.toString(), "--out", out.toString(),
                "--refine", "rw+crf", "--affinity", Files.createDirectories(tmp.resolve("not-affinity")).toString())
                .isUserError("neither an affinity checkpoint", "export-affinity");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void benchRejectsBadSettingsBeforeTrainingAnything() {
        Path out = tmp.resolve("bench-out");
        seam("bench", "quality", "--methods", "cam,unet", "--out", out.toString()).isUserError("--methods");
        seam("bench", "quality", "--bodies", "0.8,0.5", "--out", out.toString()).isUserError("--bodies");
        seam("bench", "quality", "--marking-tint", "0.05", "--out", out.toString()).isUserError("marking-tint");
        seam("bench", "quality", "--body-cue", "1.5", "--out", out.toString()).isUserError("body-cue");
        seam("bench", "quality", "--ohem-ratio", "0", "--out", out.toString()).isUserError("ohem-ratio");
        seam("bench", "quality", "--scale", "1", "--out", out.toString()).isUserError("same image");
        seam("bench", "quality", "--scale", "2.5", "--out", out.toString()).isUserError("--scale");
        seam("bench", "quality", "--ohem-ratio", "1.2", "--out", out.toString()).isUserError("ohem-ratio");
        seam("bench", "quality", "--appearance-bins", "37", "--out", out.toString()).isUserError("appearance-bins");
        seam("bench", "quality", "--appearance-bins", "6", "--pretrain-steps", "0", "--out", out.toString())
                .isUserError("--appearance-bins");
        seam("bench", "quality", "--dense-bins", "1", "--out", out.toString()).isUserError("--dense-bins");
        seam("bench", "quality", "--dense-bins", "37", "--out", out.toString()).isUserError("dense-bins");
        seam("bench", "quality", "--dense-bins", "6", "--dense-min-chroma", "2", "--out", out.toString())
                .isUserError("dense-min-chroma");
        seam("bench", "quality", "--dense-bins", "6", "--appearance-bins", "6", "--out", out.toString())
                .isUserError("two different pre-trainings");
        seam("bench", "quality", "--dense-bins", "6", "--pretrain-steps", "0", "--out", out.toString())
                .isUserError("--dense-bins");
        seam("bench", "quality", "--fresh-fc8", "--pretrain-steps", "0", "--out", out.toString())
                .isUserError("--fresh-fc8");
        seam("bench", "fast").isUserError("quality");
        seam("bench", "refine", "--sizes", "500x", "--report", out.toString()).isUserError("--sizes");
        assertFalse(Files.exists(out), "nothing trained or written");
    }

    @Test
    void benchRefineWritesItsReport() throws IOException {
        Path report = tmp.resolve("bench-refine");
        Outcome o = seam("bench", "refine", "--sizes", "96x72,104x80", "--repeats", "3", "--feature-channels", "8",
                "--report", report.toString());
        assertEquals(0, o.code, o.err);
        String md = Files.readString(report.resolve("refine.md"));
        assertTrue(md.contains("bin/seam bench refine --sizes 96x72,104x80 --repeats 3"), md);
        assertTrue(md.contains("| 96×72 |") && md.contains("| 104×80 |"), md);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.resolve("refine.json").toFile());
        assertEquals(2, json.get("crf").size());
        assertEquals(2, json.get("randomWalk").size());
        // 104×80 at stride 8 is a 13×10 grid
        assertEquals(130, json.get("randomWalk").get(1).get("gridPixels").asInt());
        assertTrue(json.get("crf").get(0).get("medianMs").asDouble() > 0);
    }

    @Test
    void missingDataFolderIsNamed() {
        Path missing = tmp.resolve("no-such-data");
        seam("train", "--data", missing.toString(), "--out", tmp.resolve("o").toString()).isUserError(missing.toString());
    }

    @Test
    void corruptImageIsNamed() throws IOException {
        Path bad = copyOfData("corrupt");
        Path img = first(bad.resolve("JPEGImages"));
        Files.write(img, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        seam("train", "--data", bad.toString(), "--out", tmp.resolve("o-corrupt").toString(), "--steps", "1")
                .isUserError(img.getFileName().toString());
    }

    @Test
    void unknownClassInAnnotationIsNamed() throws IOException {
        Path bad = copyOfData("unknown-class");
        Path xml = first(bad.resolve("Annotations"));
        String text = Files.readString(xml);
        String replaced = text.replaceFirst("<name>[^<]+</name>", "<name>zebra</name>");
        assertFalse(text.equals(replaced), "fixture annotation has an object name");
        Files.writeString(xml, replaced);
        seam("train", "--data", bad.toString(), "--out", tmp.resolve("o-zebra").toString(), "--steps", "1")
                .isUserError("zebra");
    }

    @Test
    void evalOfTheGroundTruthAgainstItselfIsPerfect() throws IOException {
        Outcome o = seam("eval", "--pred", groundTruthAsPrediction("pred-perfect").toString(), "--data", data.toString(),
                "--json", tmp.resolve("eval.json").toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("100.00"), o.out());
        assertTrue(Files.exists(tmp.resolve("eval.json")));
    }

    @Test
    void evalRejectsAMaskOfTheWrongSize() throws IOException {
        Path pred = groundTruthAsPrediction("pred-size");
        Path victim = first(pred.resolve("masks"));
        PaletteMaskCodec.write(LabelMask.zeros(32, 40), victim);
        seam("eval", "--pred", pred.toString(), "--data", data.toString()).isUserError(victim.getFileName().toString(), "32x40");
    }

    @Test
    void evalNamesAMissingPrediction() throws IOException {
        Path pred = groundTruthAsPrediction("pred-missing");
        Path victim = first(pred.resolve("masks"));
        Files.delete(victim);
        seam("eval", "--pred", pred.toString(), "--data", data.toString()).isUserError(victim.getFileName().toString());
    }

    @Test
    void synthWritesADataSetAndRejectsAnInvertedRange() throws IOException {
        Path out = tmp.resolve("synth-out");
        Outcome ok = seam("synth", "--out", out.toString(), "--count", "4", "--size", "64", "--val-fraction", "0.25",
                "--bodies", "0.4,0.6", "--markings", "0.08,0.12");
        assertEquals(0, ok.code(), ok.err());
        try (Stream<Path> s = Files.list(out.resolve("JPEGImages"))) {
            assertEquals(4, s.count());
        }
        seam("synth", "--out", tmp.resolve("synth-bad").toString(), "--bodies", "0.6,0.4").isUserError("--bodies");
        seam("synth", "--out", tmp.resolve("synth-bad2").toString(), "--markings", "0.5,0.6").isUserError("markings");
        // Refuses to overwrite a data set unless asked.
        seam("synth", "--out", out.toString(), "--count", "4", "--size", "64").isUserError(out.getFileName().toString());
    }
}
