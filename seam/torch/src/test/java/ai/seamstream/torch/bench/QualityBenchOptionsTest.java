package ai.seamstream.torch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.augment.NeighbourhoodHue;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.train.SeamTrainer;
import ai.seamstream.torch.loss.SeamObjective;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.WeightsIo;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench quality} options: with {@code --reuse-pretrain} a seed's pre-training is reused only when every
 * setting that shapes it is the same, and is made again otherwise (or without the flag); {@code --crf} adds the
 * refined rows, which are left out otherwise.
 */
class QualityBenchOptionsTest {

    static QualityBench.Settings settings(Path dir, double pretrainLr, double fineTuneMomentum, boolean reuse) {
        return settings(dir, pretrainLr, fineTuneMomentum, reuse, false);
    }

    private static QualityBench.Settings settings(Path dir, double pretrainLr, double fineTuneMomentum, boolean reuse,
                                                  boolean crf) {
        return settings(dir, pretrainLr, fineTuneMomentum, reuse, crf, null);
    }

    private static QualityBench.Settings settings(Path dir, double pretrainLr, double fineTuneMomentum, boolean reuse,
                                                  boolean crf, SeamTrainer.DenseTargets dense) {
        SyntheticConfig data = SyntheticConfig.defaults().withCount(8).withBodies(0.5, 0.8).withSize(48, 48)
                .withMarkings(0.08, 0.14);
        return new QualityBench.Settings(new long[] {5}, data, 2, pretrainLr, 0.9, 1, 2, 0.0625, 1, 1, 0.01,
                fineTuneMomentum, 0.1, 0.3, SeamObjective.Weights.REFERENCE, List.of(NetConfig.Method.CAM), 1,
                dir.resolve("work"), dir.resolve("report"), "test", 0, 0, reuse, crf, dense);
    }

    private static String pretrainWeights(Path dir) throws Exception {
        try (var files = Files.walk(dir.resolve("work").resolve("pretrain-s5"))) {
            var sb = new StringBuilder();
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                sb.append(p.getFileName()).append(':').append(Files.getLastModifiedTime(p).toMillis()).append(':')
                        .append(Arrays.hashCode(Files.readAllBytes(p))).append('\n');
            }
            return sb.toString();
        }
    }

    @Test
    void reusesThePretrainingOnlyForTheSameSettings(@TempDir Path dir) throws Exception {
        List<QualityBench.Row> first = QualityBench.run(settings(dir, 0.05, 0.9, true));
        Path key = dir.resolve("work").resolve("pretrain-s5.key");
        assertTrue(Files.isRegularFile(key), "a finished pre-training leaves its key");
        String made = pretrainWeights(dir);
        Thread.sleep(20); // a rewrite would show in the files' times

        // Same pre-training settings, another fine-tuning momentum: the checkpoint is not touched, the time is kept.
        List<QualityBench.Row> reused = QualityBench.run(settings(dir, 0.05, 0.0, true));
        assertEquals(made, pretrainWeights(dir));
        assertEquals(first.get(0).pretrainSeconds(), reused.get(0).pretrainSeconds());

        // Another pre-training learning rate: made again, with its own key.
        String oldKey = Files.readString(key);
        QualityBench.run(settings(dir, 0.04, 0.0, true));
        assertNotEquals(made, pretrainWeights(dir));
        assertNotEquals(oldKey, Files.readString(key));
        assertTrue(Files.readString(key).contains("0.04"), Files.readString(key));

        // Without the flag it is always made again.
        String again = pretrainWeights(dir);
        Thread.sleep(20);
        QualityBench.run(settings(dir, 0.04, 0.0, false));
        assertNotEquals(again, pretrainWeights(dir));
    }

    @Test
    void crfRowsAreMadeOnlyWhenAskedFor(@TempDir Path dir) throws Exception {
        var plain = settings(dir, 0.05, 0.0, true, false);
        List<QualityBench.Row> rows = QualityBench.run(plain);
        assertEquals(List.of("CAM"), rows.stream().map(QualityBench.Row::method).toList());
        QualityBench.write(plain, rows);
        String md = Files.readString(dir.resolve("report").resolve("quality.md"));
        assertFalse(md.contains("CRF"), md);

        var withCrf = settings(dir, 0.05, 0.0, true, true);
        rows = QualityBench.run(withCrf);
        assertEquals(List.of("CAM", "CAM+CRF"), rows.stream().map(QualityBench.Row::method).toList());
        QualityBench.write(withCrf, rows);
        md = Files.readString(dir.resolve("report").resolve("quality.md"));
        assertTrue(md.contains("| CAM+CRF | 5 |"), md);
        assertTrue(md.contains("CAM+CRF − CAM:"), md);
        var settings = new ObjectMapper()
                .readTree(dir.resolve("report").resolve("quality.json").toFile()).get("settings");
        assertTrue(settings.get("crf").asBoolean());
        var keys = new java.util.ArrayList<String>();
        settings.fieldNames().forEachRemaining(keys::add);
        assertEquals(keys.stream().sorted().toList(), keys, "settings in a stable order, so reruns diff cleanly");
    }

    /** The N where (1 − N)^α = N, by bisection. */
    private static double breakEven(double alpha) {
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            if (Math.pow(1 - mid, alpha) > mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Test
    void theCrfBackgroundSweepReachesBelowTheThresholdSweepsFirstStep() {
        double[] a = QualityBench.CRF_ALPHAS;
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i] > a[i - 1], "ascending");
        }
        assertEquals(0.5, breakEven(a[0]), 1e-9, "α 1 breaks even at 0.5");
        // t's sweep steps by 0.01; CAM's plain best t was 0.02-0.03 and its best α the old end, 384 (0.0116)
        assertTrue(breakEven(a[a.length - 1]) < 0.01 / 1.5, "largest α breaks even at " + breakEven(a[a.length - 1]));
        assertEquals(0.0051, breakEven(1024), 5e-5);
    }

    @Test
    void densePretrainingAddsBinRowsThatBothMethodsNeverSee(@TempDir Path dir) throws Exception {
        var dense = new SeamTrainer.DenseTargets(new NeighbourhoodHue.Settings(6, 1, 0.1), 1);
        var s = settings(dir, 0.05, 0.0, true, false, dense);
        List<QualityBench.Row> rows = QualityBench.run(s);
        assertEquals(List.of("CAM"), rows.stream().map(QualityBench.Row::method).toList());
        var mapper = new ObjectMapper();
        Path work = dir.resolve("work");
        var full = Checkpoint.readManifest(work.resolve("pretrain-dense-s5"));
        var kept = Checkpoint.readManifest(work.resolve("pretrain-s5"));
        var cam = Checkpoint.readManifest(work.resolve("cam-s5"));
        int c = kept.classes().size();
        assertEquals(c + 6, full.classes().size(), "the pre-training has six extra fc8 rows: " + full.classes());
        assertEquals(kept.classes(), full.classes().subList(0, c));
        assertEquals("hue-cell-000", full.classes().get(c));
        assertEquals(kept.classes(), cam.classes(), "CAM trains on the marking classes alone");
        assertTrue(Files.readString(work.resolve("pretrain-s5.key")).contains("DenseTargets"), "the key names the targets");

        QualityBench.write(s, rows);
        String md = Files.readString(dir.resolve("report").resolve("quality.md"));
        assertTrue(md.contains("dense self-supervised target"), md);
        var json = mapper.readTree(dir.resolve("report").resolve("quality.json").toFile()).get("settings");
        assertEquals(6, json.get("denseTargets").get("hue").get("bins").asInt());

        // The other pre-training and a run without one are refused up front.
        assertThrows(IllegalArgumentException.class, () -> new QualityBench.Settings(new long[] {5}, s.data(), 2, 0.05, 0.9,
                1, 2, 0.0625, 1, 1, 0.01, 0, 0.1, 0.3, SeamObjective.Weights.REFERENCE, List.of(NetConfig.Method.CAM), 1,
                work, dir, "test", 0, 6, false, false, dense));
        assertThrows(IllegalArgumentException.class, () -> new QualityBench.Settings(new long[] {5}, s.data(), 0, 0.05, 0.9,
                1, 2, 0.0625, 1, 1, 0.01, 0, 0.1, 0.3, SeamObjective.Weights.REFERENCE, List.of(NetConfig.Method.CAM), 1,
                work, dir, "test", 0, 0, false, false, dense));
    }

    private static Map<String, NamedTensor> tensors(Path checkpoint) throws Exception {
        try (var manager = NDManager.newBaseManager(); Checkpoint.Loaded c = Checkpoint.load(checkpoint, manager)) {
            var out = new LinkedHashMap<String, NamedTensor>();
            for (var t : WeightsIo.export(c.network().params())) {
                out.put(t.name(), t);
            }
            return out;
        }
    }

    @Test
    void aFreshFc8ReplacesOnlyTheClassifierInACopyOfThePretraining(@TempDir Path dir) throws Exception {
        QualityBench.Settings base = settings(dir, 0.05, 0.0, true);
        QualityBench.Settings s = new QualityBench.Settings(base.seeds(), base.data(), base.pretrainSteps(), base.pretrainLr(),
                base.pretrainMomentum(), base.steps(), base.batch(), base.width(), base.units(), base.headWidth(), base.lr(),
                base.momentum(), base.hue(), base.scale(), base.lossWeights(), base.methods(), base.threads(), base.workDir(),
                base.reportDir(), "test --fresh-fc8", 0, 0, true, false, null, true);
        List<QualityBench.Row> rows = QualityBench.run(s);
        assertEquals(1, rows.size());
        Path work = dir.resolve("work");
        var pretrained = tensors(work.resolve("pretrain-s5"));
        var fresh = tensors(work.resolve("pretrain-fresh-fc8-s5"));
        assertEquals(pretrained.keySet(), fresh.keySet());
        for (var e : pretrained.entrySet()) {
            float[] a = e.getValue().data();
            float[] b = fresh.get(e.getKey()).data();
            if (e.getKey().equals("fc8.weight")) {
                assertFalse(Arrays.equals(a, b), "fc8 is drawn again");
                long[] shape = e.getValue().shape();
                assertTrue(Arrays.equals(shape, fresh.get(e.getKey()).shape()));
                // xavier uniform, gain 1, on a 1×1 kernel: |w| ≤ sqrt(6 / (fan_in + fan_out)), spread over that range
                double bound = Math.sqrt(6.0 / (shape[0] + shape[1]));
                double max = 0;
                for (float v : b) {
                    max = Math.max(max, Math.abs(v));
                }
                assertTrue(max <= bound + 1e-6 && max > 0.8 * bound, "max |w| " + max + " vs bound " + bound);
            } else {
                assertTrue(Arrays.equals(a, b), e.getKey() + " is kept as the pre-training left it");
            }
        }
        // The pre-training itself is untouched and its key kept, so runs that keep fc8 still reuse it.
        assertTrue(Files.isRegularFile(work.resolve("pretrain-s5.key")));
        String made = pretrainWeights(dir);
        QualityBench.run(s);
        assertEquals(made, pretrainWeights(dir));
        assertTrue(Arrays.equals(fresh.get("fc8.weight").data(),
                tensors(work.resolve("pretrain-fresh-fc8-s5")).get("fc8.weight").data()), "the same seed draws the same fc8");

        QualityBench.write(s, rows);
        assertTrue(Files.readString(dir.resolve("report").resolve("quality.md")).contains("fc8 is then drawn again"));
        var json = new ObjectMapper().readTree(dir.resolve("report").resolve("quality.json").toFile());
        assertTrue(json.get("settings").get("freshFc8").asBoolean());
        assertThrows(IllegalArgumentException.class, () -> new QualityBench.Settings(s.seeds(), s.data(), 0, 0.05, 0.9,
                1, 2, 0.0625, 1, 1, 0.01, 0, 0.1, 0.3, SeamObjective.Weights.REFERENCE, List.of(NetConfig.Method.CAM), 1,
                work, dir, "test", 0, 0, false, false, null, true), "no pre-training, nothing to take fc8 from");
    }
}
