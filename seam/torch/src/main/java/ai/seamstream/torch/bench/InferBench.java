package ai.seamstream.torch.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtException;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.MultiScaleViews;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxPseudoMasks;
import ai.seamstream.core.onnx.OnnxSession;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.export.OnnxExporter;
import ai.seamstream.torch.infer.MultiScaleInference;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code seam bench infer}: images per second of the whole pseudo-mask pipeline (SEAM-METHOD §3: 4 scales × flip =
 * 8 views, resizing, summation, normalisation, argmax and uncertainty) on ONNX Runtime and on DJL in the same run,
 * same weights, same images, same thread count; runs of the two engines alternate so that load from elsewhere on the
 * machine hits both alike. Also the network forward alone (the 8 views as 4 same-size pairs), to show where time goes.
 */
public final class InferBench {
    private static final Logger LOG = LoggerFactory.getLogger(InferBench.class);

    /** What to measure. */
    public record Settings(int threads, int smallSize, int smallRepeats, boolean full, int fullSize, int fullRepeats,
                           Path work, Path report, String command) {
    }

    /** One case's figures; times are medians in milliseconds per image. */
    public record Row(String network, int size, long weights, int repeats, int viewsPerRun, double djlPipelineMs, double ortPipelineMs,
                      double djlForwardMs, double ortForwardMs, double djlImagesPerSecond, double ortImagesPerSecond,
                      double speedup, double maskAgreement) {
    }

    private InferBench() {
    }

    public static List<Row> run(Settings s) throws IOException {
        List<Row> rows = new ArrayList<>();
        var small = new NetConfig(BackboneConfig.small(0.125, 1), 9, NetConfig.Method.SEAM, NetConfig.BatchNormMode.FROZEN,
                false, NetConfig.DEFAULT_PCM_CHUNK);
        rows.add(measure("small ResNet-38 (width 0.125, 1 unit/stage)", small, s.smallSize(), s.smallRepeats(), false, s));
        if (s.full()) {
            rows.add(measure("full ResNet-38", NetConfig.reference(ClassVocabulary.VOC2012), s.fullSize(), s.fullRepeats(),
                    true, s));
        }
        write(s, rows);
        return rows;
    }

    /**
     * One case. {@code large} is the full network: there each view runs alone and the engines run one after the
     * other instead of alternating, so that only one engine's working memory is alive at a time (ONNX Runtime holds
     * about 6 GB for a 896² view pair); the warm-up is one small image instead of a whole run, which takes minutes.
     */
    private static Row measure(String name, NetConfig cfg, int size, int repeats, boolean large, Settings s)
            throws IOException {
        int fg = cfg.classes() - 1;
        List<String> classes = new ArrayList<>();
        classes.add("background");
        for (int k = 1; k <= fg; k++) {
            classes.add("class" + k);
        }
        RgbImage image = image(size, size, 17);
        RgbImage warmImage = large ? image(64, 64, 18) : image;
        boolean[] labels = new boolean[fg];
        labels[0] = true;
        labels[fg / 2] = true;
        Path dir = s.work().resolve(large ? "full" : "small");
        var contract = new ModelManifest.InputContract(List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225),
                List.of(0.5, 1.0, 1.5, 2.0), true, 0.26, 0.5);
        double[] djlMs = new double[repeats];
        double[] ortMs = new double[repeats];
        double djlForward = Double.NaN;
        double ortForward = Double.NaN;
        long weights;
        PseudoMaskResult djlResult;
        PseudoMaskResult ortResult = null;
        try (NDManager manager = NDManager.newBaseManager(); SeamNetwork net = new SeamNetwork(cfg, manager, 1)) {
            weights = net.params().weightCount();
            OnnxExporter.export(net, "bench-" + dir.getFileName(), classes, contract,
                    new ModelManifest.Provenance(null, null, null, null, "bench"), dir, OnnxExporter.DEFAULT_OPSET);
            var djl = new MultiScaleInference(net, MultiScaleInference.Options.reference().withPairMirror(!large));
            djl.run(warmImage, labels);
            if (large) {
                djlResult = null;
                for (int i = 0; i < repeats; i++) {
                    long t0 = System.nanoTime();
                    djlResult = djl.run(image, labels);
                    djlMs[i] = (System.nanoTime() - t0) / 1e6;
                    LOG.info("bench infer: {} {}²: DJL run {}/{}: {} ms", name, size, i + 1, repeats, Math.round(djlMs[i]));
                }
            } else {
                djlResult = djl.run(image, labels);
                try (OnnxModel model = OnnxModel.load(dir, OnnxSession.Settings.cpu(s.threads()))) {
                    var ort = new OnnxPseudoMasks(model, OnnxPseudoMasks.Options.of(model.manifest()));
                    ortResult = ort.run(image, labels);
                    for (int i = 0; i < repeats; i++) {
                        long t0 = System.nanoTime();
                        djl.run(image, labels);
                        djlMs[i] = (System.nanoTime() - t0) / 1e6;
                        t0 = System.nanoTime();
                        ort.run(image, labels);
                        ortMs[i] = (System.nanoTime() - t0) / 1e6;
                        LOG.info("bench infer: {} {}²: run {}/{}: DJL {} ms, ORT {} ms", name, size, i + 1, repeats,
                                Math.round(djlMs[i]), Math.round(ortMs[i]));
                    }
                    double[][] f = forwardTimes(net, model, image, repeats);
                    djlForward = BenchEnvironment.median(f[0]);
                    ortForward = BenchEnvironment.median(f[1]);
                }
            }
        } catch (OrtException e) {
            throw new IOException("ONNX Runtime failed in the benchmark: " + e.getMessage(), e);
        }
        if (large) { // the DJL network and its memory are gone; now ONNX Runtime alone, one view per run
            try (OnnxModel model = OnnxModel.load(dir, OnnxSession.Settings.cpu(s.threads()))) {
                var ort = new OnnxPseudoMasks(model, OnnxPseudoMasks.Options.of(model.manifest()).withMaxBatch(1));
                ort.run(warmImage, labels);
                for (int i = 0; i < repeats; i++) {
                    long t0 = System.nanoTime();
                    ortResult = ort.run(image, labels);
                    ortMs[i] = (System.nanoTime() - t0) / 1e6;
                    LOG.info("bench infer: {} {}²: ORT run {}/{}: {} ms", name, size, i + 1, repeats, Math.round(ortMs[i]));
                }
            } catch (OrtException e) {
                throw new IOException("ONNX Runtime failed in the benchmark: " + e.getMessage(), e);
            }
        }
        double djlMed = BenchEnvironment.median(djlMs);
        double ortMed = BenchEnvironment.median(ortMs);
        return new Row(name, size, weights, repeats, large ? 1 : 2, djlMed, ortMed, djlForward, ortForward, 1000 / djlMed,
                1000 / ortMed, djlMed / ortMed, agreement(djlResult, ortResult));
    }

    /** Median-able times of the 8 views' network forwards alone: [0] DJL, [1] ORT, in ms per image. */
    private static double[][] forwardTimes(SeamNetwork net, OnnxModel model, RgbImage image, int repeats) throws OrtException {
        List<float[]> batches = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        Normalization norm = Normalization.IMAGENET;
        for (double sc : new double[] {0.5, 1.0, 1.5, 2.0}) {
            RgbImage v = MultiScaleViews.scaled(image, sc);
            int plane = 3 * v.height() * v.width();
            float[] x = new float[2 * plane];
            System.arraycopy(norm.toChw(v), 0, x, 0, plane);
            System.arraycopy(norm.toChw(v, true), 0, x, plane, plane);
            batches.add(x);
            shapes.add(new long[] {2, 3, v.height(), v.width()});
        }
        double[][] ms = new double[2][repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            for (int j = 0; j < batches.size(); j++) {
                try (NDManager m = net.params().manager().getParentManager().newSubManager()) {
                    NDArray x = m.create(batches.get(j), new Shape(shapes.get(j)));
                    try (SeamNetwork.Forward f = net.forward(x, false)) {
                        f.camRv().toFloatArray();
                    }
                }
            }
            ms[0][i] = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            for (int j = 0; j < batches.size(); j++) {
                model.session().run(ModelManifest.INPUT, batches.get(j), shapes.get(j), Set.of(ModelManifest.CAM_RV));
            }
            ms[1][i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    private static double agreement(PseudoMaskResult a, PseudoMaskResult b) {
        byte[] x = a.mask().labels();
        byte[] y = b.mask().labels();
        int same = 0;
        for (int i = 0; i < x.length; i++) {
            same += x[i] == y[i] ? 1 : 0;
        }
        return same / (double) x.length;
    }

    /** A deterministic test card: smooth colour gradients with a few discs, so that resizing sees structure. */
    static RgbImage image(int w, int h, long seed) {
        var rng = new java.util.SplittableRandom(seed);
        byte[] rgb = new byte[w * h * 3];
        int[][] discs = new int[4][6];
        for (int[] d : discs) {
            d[0] = (int) (rng.nextDouble() * w);
            d[1] = (int) (rng.nextDouble() * h);
            d[2] = 4 + (int) (rng.nextDouble() * w / 4.0);
            for (int c = 3; c < 6; c++) {
                d[c] = (int) (rng.nextDouble() * 256);
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = 255 * x / w;
                int g = 255 * y / h;
                int bl = 128;
                for (int[] d : discs) {
                    if ((x - d[0]) * (x - d[0]) + (y - d[1]) * (y - d[1]) <= d[2] * d[2]) {
                        r = d[3];
                        g = d[4];
                        bl = d[5];
                    }
                }
                int o = (y * w + x) * 3;
                rgb[o] = (byte) r;
                rgb[o + 1] = (byte) g;
                rgb[o + 2] = (byte) bl;
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private static void write(Settings s, List<Row> rows) throws IOException {
        Files.createDirectories(s.report());
        Map<String, String> env = BenchEnvironment.describe(s.threads());
        env.put("engine", "DJL PyTorch (CPU) and ONNX Runtime (CPU execution provider)");
        var sb = new StringBuilder("# Inference speed: ONNX Runtime vs DJL\n\n");
        sb.append("Produced by `").append(s.command()).append("`. Machine: ").append(env).append(".\n\n");
        sb.append("Whole pseudo-mask pipeline per image (SEAM-METHOD §3: scales 0.5, 1, 1.5, 2 with flips = 8 views, "
                + "bicubic scaling, normalisation, network, resizing to the original size, summation, per-class "
                + "normalisation, argmax, uncertainty), random weights, one image at a time, both engines with ")
                .append(s.threads()).append(" intra-op thread(s) and 1 inter-op thread, ONNX Runtime without spin-waiting; "
                        + "medians. Small network: one warm-up run per engine, then the engines alternate run by run, "
                        + "a view and its mirror image share a forward; \"forward only\" is the network on the 8 views "
                        + "(4 batches of a view and its mirror) without pre- or post-processing. Full network: each view "
                        + "runs alone and the engines run one after the other (DJL first, then its memory is freed and "
                        + "ONNX Runtime runs), after a warm-up on a 64² image, to keep the peak memory within what a "
                        + "shared machine has.\n\n");
        sb.append("| network | input | weights | runs | views per forward | DJL pipeline (ms) | ORT pipeline (ms) | DJL images/s | ORT images/s "
                + "| ORT speed-up | DJL forward only (ms) | ORT forward only (ms) | identical mask pixels |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format("| %s | %d² | %.1f M | %d | %d | %.0f | %.0f | %.3f | %.3f | %.2f× | %s | %s | %.2f %% |%n",
                    r.network(), r.size(), r.weights() / 1e6, r.repeats(), r.viewsPerRun(), r.djlPipelineMs(), r.ortPipelineMs(),
                    r.djlImagesPerSecond(), r.ortImagesPerSecond(), r.speedup(), fmt(r.djlForwardMs()), fmt(r.ortForwardMs()),
                    100 * r.maskAgreement()));
        }
        Files.writeString(s.report().resolve("inference.md"), sb.toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", s.command());
        json.put("machine", env);
        json.put("rows", rows);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(s.report().resolve("inference.json").toFile(), json);
    }

    private static String fmt(double ms) {
        return Double.isNaN(ms) ? "–" : String.format("%.0f", ms);
    }
}
