package ai.seamstream.devstack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.image.ImageEncoder;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxPseudoMasks;
import ai.seamstream.core.onnx.OnnxSession;
import ai.seamstream.stackit.TinyModel;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SameImageEvaluation} on two tiny real models served over HTTP the way the trainer serves its registry
 * ({@code /v1/models/V/files/onnx/FILE}), checked against mIoU counted here pixel by pixel, apart from
 * {@code ConfusionMatrix}.
 */
class SameImageEvaluationTest {
    static final List<String> CLASSES = List.of("background", "cat", "dog", "bird");
    static Map<String, Path> models;
    static HttpServer server;
    static String url;
    static final List<String> requested = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void serveModels() throws Exception {
        Path root = Path.of("target", "models");
        models = Map.of("v000001", TinyModel.export(7, CLASSES, root), "v000002", TinyModel.export(8, CLASSES, root));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/models/", ex -> {
            requested.add(ex.getRequestURI().getPath());
            String[] p = ex.getRequestURI().getPath().split("/"); // "", v1, models, V, files, onnx, FILE
            Path dir = p.length == 7 && p[4].equals("files") && p[5].equals("onnx") ? models.get(p[3]) : null;
            Path file = dir == null ? null : dir.resolve(p[6]);
            if (file == null || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
            } else {
                byte[] body = Files.readAllBytes(file);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    /** Two hand-made images: a 20×16 gradient with a bright square (cat) and a 16×20 two-colour split (dog, bird). */
    static List<DemoReport.ImageIn> images(LabelMask truthA, LabelMask truthB) {
        RgbImage a = RgbImage.blank(20, 16);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 20; x++) {
                boolean square = x >= 6 && x < 14 && y >= 4 && y < 12;
                a.set(x, y, 0, square ? 240 : x * 12);
                a.set(x, y, 1, square ? 30 : y * 15);
                a.set(x, y, 2, square ? 30 : 100);
            }
        }
        RgbImage b = RgbImage.blank(16, 20);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 16; x++) {
                b.set(x, y, 0, x < 8 ? 200 : 20);
                b.set(x, y, 1, x < 8 ? 180 : 90);
                b.set(x, y, 2, x < 8 ? 40 : 220);
            }
        }
        // ids out of order: the evaluation must not care, and tagged() sorts them
        return List.of(new DemoReport.ImageIn("b", true, ImageEncoder.png(b), truthB),
                new DemoReport.ImageIn("a", true, ImageEncoder.png(a), truthA));
    }

    static final Map<String, boolean[]> TAGS = Map.of("a", new boolean[] {true, false, false},
            "b", new boolean[] {false, true, true});

    /** The hand-made truths: a has a cat square and an ignore border row; b has dog left, bird right. */
    static LabelMask truthA() {
        LabelMask t = LabelMask.zeros(20, 16);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 20; x++) {
                t.set(x, y, y == 0 ? LabelMask.IGNORE : x >= 6 && x < 14 && y >= 4 && y < 12 ? 1 : 0);
            }
        }
        return t;
    }

    static LabelMask truthB() {
        LabelMask t = LabelMask.zeros(16, 20);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 16; x++) {
                t.set(x, y, x < 8 ? 2 : 3);
            }
        }
        return t;
    }

    /** The labeler's pipeline on one image with its tags: what the evaluation must score. */
    static LabelMask predicted(String version, DemoReport.ImageIn img) throws Exception {
        try (OnnxModel m = OnnxModel.load(models.get(version), OnnxSession.Settings.cpu(1))) {
            var pipeline = new OnnxPseudoMasks(m, OnnxPseudoMasks.Options.of(m.manifest()));
            var image = ai.seamstream.core.image.ImageDecoder.decode(img.image(), img.id());
            return pipeline.run(List.of(new OnnxPseudoMasks.Request(image, TAGS.get(img.id())))).get(0).mask();
        }
    }

    /**
     * mIoU ×100 counted directly: per class, pixels whose truth is not ignore where truth and prediction are both
     * the class, over those where either is; the mean over all classes, background included, a class absent from
     * both counting 0 (the reference's rule, SEAM-METHOD.md §4).
     */
    static double countedMeanIou(List<LabelMask> pred, List<LabelMask> truth, int classes) {
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            long inter = 0;
            long union = 0;
            for (int i = 0; i < pred.size(); i++) {
                byte[] p = pred.get(i).labels();
                byte[] t = truth.get(i).labels();
                for (int j = 0; j < t.length; j++) {
                    int g = t[j] & 0xFF;
                    int q = p[j] & 0xFF;
                    if (g == LabelMask.IGNORE) {
                        continue;
                    }
                    if (g == c && q == c) {
                        inter++;
                    }
                    if (g == c || q == c) {
                        union++;
                    }
                }
            }
            sum += union == 0 ? 0 : (double) inter / union;
        }
        return 100 * sum / classes;
    }

    @Test
    void scoresEachVersionOnTheSameImagesAsCountedByHand(@TempDir Path work) throws Exception {
        List<DemoReport.ImageIn> imgs = SameImageEvaluation.tagged(images(truthA(), truthB()));
        assertEquals(List.of("a", "b"), imgs.stream().map(DemoReport.ImageIn::id).toList(), "tagged() sorts by id");
        requested.clear();
        Map<String, Double> got = SameImageEvaluation.run(url, List.of("v000002", "v000001"), imgs, TAGS,
                CLASSES.size(), work);
        assertEquals(List.of("v000002", "v000001"), List.copyOf(got.keySet()), "versions in the given order");
        for (String v : List.of("v000001", "v000002")) {
            List<LabelMask> pred = new ArrayList<>();
            for (DemoReport.ImageIn i : imgs) {
                pred.add(predicted(v, i));
            }
            double expected = countedMeanIou(pred, List.of(truthA(), truthB()), CLASSES.size());
            assertEquals(expected, got.get(v), 1e-6, v);
            assertTrue(expected > 0 && expected < 100, v + ": the random model is neither perfect nor useless here: "
                    + expected);
        }
        assertTrue(requested.contains("/v1/models/v000001/files/onnx/model.json"), "fetched from the registry: "
                + requested);
        assertTrue(Files.isRegularFile(work.resolve("v000001").resolve("model.json")), "the model is kept in work/");
    }

    @Test
    void truthEqualToThePredictionScoresThePresentClassesShare(@TempDir Path work) throws Exception {
        // build the truth from the prediction itself: every class that occurs scores IoU 1, every other 0, so the
        // figure is 100 × (classes present) / 4, worked out without any pixel counting
        List<DemoReport.ImageIn> first = SameImageEvaluation.tagged(images(truthA(), truthB()));
        LabelMask pa = predicted("v000001", first.get(0));
        LabelMask pb = predicted("v000001", first.get(1));
        Set<Integer> present = new TreeSet<>();
        for (LabelMask m : List.of(pa, pb)) {
            for (byte b : m.labels()) {
                if ((b & 0xFF) != LabelMask.IGNORE) {
                    present.add(b & 0xFF);
                }
            }
        }
        List<DemoReport.ImageIn> imgs = SameImageEvaluation.tagged(images(pa, pb));
        double got = SameImageEvaluation.run(url, List.of("v000001"), imgs, TAGS, CLASSES.size(), work).get("v000001");
        assertEquals(100.0 * present.size() / CLASSES.size(), got, 1e-6, "classes present " + present);
    }

    @Test
    void untaggedImagesAreLeftOut() {
        var untagged = new DemoReport.ImageIn("c", false, new byte[0], LabelMask.zeros(1, 1));
        List<DemoReport.ImageIn> all = new ArrayList<>(images(truthA(), truthB()));
        all.add(untagged);
        assertEquals(List.of("a", "b"), SameImageEvaluation.tagged(all).stream().map(DemoReport.ImageIn::id).toList());
    }

    @Test
    void aVersionTheRegistryLacksIsNamed(@TempDir Path work) {
        IOException e = assertThrows(IOException.class, () -> SameImageEvaluation.run(url, List.of("v000009"),
                SameImageEvaluation.tagged(images(truthA(), truthB())), TAGS, CLASSES.size(), work));
        assertTrue(e.getMessage().contains("/v1/models/v000009/files/onnx/model.json answered 404"), e.getMessage());
    }
}
