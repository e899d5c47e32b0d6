package ai.seamstream.torch.bench;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.refine.DenseCrf;
import ai.seamstream.core.refine.MaskRefiner;
import ai.seamstream.core.refine.RandomWalk;
import ai.seamstream.core.refine.SparseMatrix;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.synth.SyntheticSample;
import ai.seamstream.core.tensor.ClassMaps;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code seam bench refine}: the time of the dense CRF per image and per megapixel, and of the random walk per
 * image, on synthetic-benchmark scenes; single-threaded pure Java (the refinements never use PyTorch).
 */
public final class RefineBench {
    private static final int WARMUP = 2;

    /** One CRF measurement: lattice construction and the whole CRF (construction + iterations). */
    public record CrfRow(int width, int height, int labels, int iterations, double buildMs, double medianMs, double msPerMegapixel) {
    }

    /** One random-walk measurement: affinity + transition construction and the whole walk up to the scores. */
    public record WalkRow(int width, int height, int gridPixels, long nonZeros, int featureChannels, int labels,
                          double buildMs, double medianMs) {
    }

    private RefineBench() {
    }

    /**
     * Measures and writes {@code refine.md} and {@code refine.json} into the report folder.
     *
     * @param sizes image sizes as {width, height} pairs
     */
    public static void run(List<int[]> sizes, int repeats, int featureChannels, Path reportDir, String command) throws IOException {
        var crf = new ArrayList<CrfRow>();
        var walk = new ArrayList<WalkRow>();
        var config = DenseCrf.Config.reference();
        var walkConfig = RandomWalk.Config.reference();
        for (int[] size : sizes) {
            SyntheticSample s = scene(size[0], size[1]);
            ClassMaps probs = crfInput(s, 4, false);
            crf.add(crfTime(s.image(), probs, config, repeats));
            if (size[0] == 500 && size[1] == 375) {
                // the worst case: every class of the vocabulary as a CRF label
                crf.add(crfTime(s.image(), crfInput(s, 4, true), config, repeats));
            }
            walk.add(walkTime(s, walkConfig, featureChannels, repeats));
        }
        write(reportDir, command, repeats, config, walkConfig, crf, walk);
    }

    static SyntheticSample scene(int w, int h) {
        return new SyntheticGenerator(SyntheticConfig.defaults().withSize(w, h).withSeed(7)).sample(0);
    }

    /**
     * Blurry, noisy CAM-like maps made from the scene's true mask: each tagged class's indicator, box-blurred over
     * a twentieth of the image side, plus noise; background {@code (1 − max)^α} (SEAM-METHOD §3).
     */
    static ClassMaps crfInput(SyntheticSample s, double alpha, boolean allClasses) {
        int w = s.image().width();
        int h = s.image().height();
        boolean[] tags = s.labels();
        var rnd = new SplittableRandom(1);
        int classes = tags.length;
        var fg = ClassMaps.zeros(classes, h, w);
        int r = Math.max(1, Math.min(w, h) / 20);
        LabelMask m = s.mask();
        for (int k = 0; k < classes; k++) {
            if (!tags[k] && !allClasses) {
                continue;
            }
            float[] ind = new float[w * h];
            for (int i = 0; i < ind.length; i++) {
                ind[i] = (m.labels()[i] & 0xFF) == k + 1 ? 1f : 0f;
            }
            float[] blurred = boxBlur(ind, w, h, r);
            for (int i = 0; i < ind.length; i++) {
                fg.data()[fg.offset(k) + i] = (float) Math.min(1, Math.max(0, blurred[i] + 0.1 * (rnd.nextDouble() - 0.5)));
            }
        }
        boolean[] keep = allClasses ? allTrue(classes) : tags;
        var p = new ArrayList<Integer>();
        for (int k = 0; k < classes; k++) {
            if (keep[k]) {
                p.add(k);
            }
        }
        int plane = w * h;
        float[] out = new float[(p.size() + 1) * plane];
        for (int i = 0; i < plane; i++) {
            float max = 0;
            for (int j = 0; j < p.size(); j++) {
                float v = fg.data()[fg.offset(p.get(j)) + i];
                out[(j + 1) * plane + i] = v;
                max = Math.max(max, v);
            }
            out[i] = (float) Math.pow(1 - max, alpha);
        }
        return new ClassMaps(p.size() + 1, h, w, out);
    }

    private static boolean[] allTrue(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }

    private static float[] boxBlur(float[] in, int w, int h, int r) {
        float[] tmp = new float[in.length];
        float[] out = new float[in.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                int n = 0;
                for (int dx = -r; dx <= r; dx++) {
                    int xx = x + dx;
                    if (xx >= 0 && xx < w) {
                        s += in[y * w + xx];
                        n++;
                    }
                }
                tmp[y * w + x] = (float) (s / n);
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                int n = 0;
                for (int dy = -r; dy <= r; dy++) {
                    int yy = y + dy;
                    if (yy >= 0 && yy < h) {
                        s += tmp[yy * w + x];
                        n++;
                    }
                }
                out[y * w + x] = (float) (s / n);
            }
        }
        return out;
    }

    static CrfRow crfTime(RgbImage img, ClassMaps probs, DenseCrf.Config config, int repeats) {
        double[] total = new double[repeats];
        double[] build = new double[repeats];
        for (int i = -WARMUP; i < repeats; i++) {
            long t0 = System.nanoTime();
            var model = DenseCrf.model(img, probs, config);
            long t1 = System.nanoTime();
            model.run(config.iterations());
            long t2 = System.nanoTime();
            if (i >= 0) {
                build[i] = (t1 - t0) / 1e6;
                total[i] = (t2 - t0) / 1e6;
            }
        }
        double med = BenchEnvironment.median(total);
        double mp = img.width() * (double) img.height() / 1e6;
        return new CrfRow(img.width(), img.height(), probs.channels(), config.iterations(), BenchEnvironment.median(build), med, med / mp);
    }

    static WalkRow walkTime(SyntheticSample s, RandomWalk.Config config, int featureChannels, int repeats) {
        int w = s.image().width();
        int h = s.image().height();
        int st = config.stride();
        int gh = (h + st - 1) / st;
        int gw = (w + st - 1) / st;
        // features: a random code per class of the true mask at the grid pixel, plus noise, like a trained AffinityNet
        var rnd = new SplittableRandom(3);
        float[][] code = new float[s.labels().length + 1][featureChannels];
        for (float[] c : code) {
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) rnd.nextDouble();
            }
        }
        float[] f = new float[featureChannels * gh * gw];
        for (int y = 0; y < gh; y++) {
            for (int x = 0; x < gw; x++) {
                int label = s.mask().get(Math.min(w - 1, x * st), Math.min(h - 1, y * st));
                float[] c = code[label == LabelMask.IGNORE ? 0 : label];
                for (int ch = 0; ch < featureChannels; ch++) {
                    f[(ch * gh + y) * gw + x] = c[ch] + 0.05f * (float) rnd.nextDouble();
                }
            }
        }
        ClassMaps probs = crfInput(s, 1, false);
        // the walk's input: N of the tagged classes, in vocabulary order
        int classes = s.labels().length;
        var n = ClassMaps.zeros(classes, h, w);
        int j = 1;
        for (int k = 0; k < classes; k++) {
            if (s.labels()[k]) {
                System.arraycopy(probs.data(), probs.offset(j++), n.data(), n.offset(k), w * h);
            }
        }
        double[] total = new double[repeats];
        double[] build = new double[repeats];
        long nnz = 0;
        for (int i = -WARMUP; i < repeats; i++) {
            long t0 = System.nanoTime();
            SparseMatrix t = RandomWalk.transition(RandomWalk.affinity(f, featureChannels, gh, gw, config), config.beta());
            long t1 = System.nanoTime();
            nnz = t.nonZeros();
            MaskRefiner.refine(s.image(), n, s.labels(), new MaskRefiner.AffinityFeatures(f, featureChannels, gh, gw),
                    new MaskRefiner.Options(MaskRefiner.Mode.RW, 4, DenseCrf.Config.reference(), config, 1));
            long t2 = System.nanoTime();
            if (i >= 0) {
                build[i] = (t1 - t0) / 1e6;
                total[i] = (t2 - t1) / 1e6;
            }
        }
        int labels = 1 + (int) java.util.stream.IntStream.range(0, classes).filter(k -> s.labels()[k]).count();
        return new WalkRow(w, h, gh * gw, nnz, featureChannels, labels, BenchEnvironment.median(build), BenchEnvironment.median(total));
    }

    private static void write(Path dir, String command, int repeats, DenseCrf.Config crf, RandomWalk.Config walk,
                              List<CrfRow> crfRows, List<WalkRow> walkRows) throws IOException {
        Files.createDirectories(dir);
        var env = BenchEnvironment.describe(1);
        env.put("engine", "pure Java, one thread");
        var sb = new StringBuilder("# Refinement speed: dense CRF and random walk\n\n");
        sb.append("Produced by `").append(command).append("`; medians of ").append(repeats).append(" runs after ")
                .append(WARMUP).append(" warm-up runs, one thread. Machine: ").append(env).append("\n\n");
        sb.append("Inputs: a synthetic-benchmark scene (seed 7) at each size; CAM-like maps made from its true mask ")
                .append("(box-blurred over a twentieth of the side, ±0.05 noise), background (1 − max)^4.\n\n");
        sb.append(String.format("## Dense CRF (SEAM-METHOD §5): %d iterations, Gaussian sxy %.0f w %.0f, bilateral sxy %.0f srgb %.0f w %.0f%n%n",
                crf.iterations(), crf.gaussianSxy(), crf.gaussianWeight(), crf.bilateralSxy(), crf.bilateralSrgb(), crf.bilateralWeight()));
        sb.append("Labels = background + the scene's tagged classes (as the reference runs it); the row with more labels "
                + "gives every class of the vocabulary a map (the worst case). Lattice = both lattices and their normalisations.\n\n");
        sb.append("| image | labels | lattice (ms) | CRF total (ms) | ms per megapixel |\n|---|---|---|---|---|\n");
        for (CrfRow r : crfRows) {
            sb.append(String.format("| %d×%d | %d | %.0f | %.0f | %.0f |%n", r.width(), r.height(), r.labels(), r.buildMs(),
                    r.medianMs(), r.msPerMegapixel()));
        }
        sb.append(String.format("%n## Random walk: radius %d, β %.0f, logt %d (%d sparse products), α %.0f, stride %d%n%n",
                walk.radius(), walk.beta(), walk.logt(), 1 << walk.logt(), walk.alpha(), walk.stride()));
        sb.append("Features stand in for an AffinityNet's (a code per true class plus noise); the network's forward pass is "
                + "not included. The whole walk = W and T, pooling, the 2^logt products with the score rows, upsampling and argmax.\n\n");
        sb.append("| image | grid pixels P | non-zeros of T | feature channels | labels | W and T alone (ms) | whole walk (ms) |\n|---|---|---|---|---|---|---|\n");
        for (WalkRow r : walkRows) {
            sb.append(String.format("| %d×%d | %d | %d | %d | %d | %.0f | %.0f |%n", r.width(), r.height(), r.gridPixels(), r.nonZeros(),
                    r.featureChannels(), r.labels(), r.buildMs(), r.medianMs()));
        }
        Files.writeString(dir.resolve("refine.md"), sb.toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("machine", env);
        json.put("repeats", repeats);
        json.put("crf", crfRows);
        json.put("randomWalk", walkRows);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("refine.json").toFile(), json);
    }
}
