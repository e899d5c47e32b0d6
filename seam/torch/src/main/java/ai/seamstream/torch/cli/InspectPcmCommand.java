package ai.seamstream.torch.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.seamstream.core.dataset.VocDataset;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.MultiScaleViews;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.metrics.ThresholdSweep;
import ai.seamstream.core.postprocess.PseudoMasks;
import ai.seamstream.core.tensor.ClassMaps;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.train.TrainingSet;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code seam inspect-pcm}: what a SEAM checkpoint's pixel correlation module does on labelled images, at one scale
 * and on the stride-8 grid where it works. For each image the PCM input ĉ is revised with the column-normalised
 * affinity Â (SEAM-METHOD §1.4) built from four embeddings: the model's own {@code f9(f)} (the method), the image
 * alone as the embedding sees it (what colour by itself would give), and both with each column of ReLU(cos) raised
 * to a power and normalised again (how a sharper affinity would do; a diagnostic, not the method). It prints, per
 * embedding, how much of an object cell's affinity comes from cells of its own class and how much of a background
 * cell's from background, and the cell-level mIoU of the revised maps at the best background score of the §4
 * sweep, next to the raw CAM's. It also measures where the affinity carries the CAM's peak ({@link #addReach}): how
 * much of a cold object cell's affinity comes from its own class's hot cells (what spreading onto the body needs),
 * how much of a background cell's comes from any hot cell (spreading onto background), and how much of a hot cell's
 * comes from its class's hot cells (how much of the peak the revision keeps: after the per-class max-normalisation
 * the spread is measured against it).
 */
final class InspectPcmCommand {
    private InspectPcmCommand() {
    }

    /** One embedding's affinity, raised to {@code power} before the column normalisation (1: the method's Â). */
    private record Variant(String name, boolean image, int power) {
    }

    static void run(Args a, PrintStream out) throws IOException {
        Path ckpt = a.existingDir("checkpoint");
        Path data = a.existingDir("data");
        String split = a.string("split", "train");
        int images = a.integer("images", 120, 1, 1_000_000);
        double scale = a.real("scale", 1.0, 0.1, 4.0);
        int power = a.integer("power", 4, 2, 16);
        int threads = a.integer("threads", 2, 1, 256);
        Path json = a.has("json") ? a.path("json") : null;
        a.finish();
        EngineSetup.configure(threads, 1);
        VocDataset ds = VocDataset.open(data);
        TrainingSet set = TrainingSet.load(ds, split);
        List<Variant> variants = List.of(new Variant("model embedding f9(f) (the method)", false, 1),
                new Variant("image colour alone", true, 1), new Variant("model embedding, Â^" + power, false, power),
                new Variant("image colour alone, Â^" + power, true, power));
        int classes = set.classes().size();
        var sweeps = new ArrayList<ThresholdSweep>();
        for (int v = 0; v <= variants.size(); v++) {
            sweeps.add(new ThresholdSweep(classes));
        }
        double[][] mass = new double[variants.size()][4]; // own-class mass on object cells, count; background, count
        double[][] reach = new double[variants.size()][6]; // hot mass on cold object cells, count; background; hot cells
        int n = Math.min(images, set.size());
        try (NDManager manager = NDManager.newBaseManager(); Checkpoint.Loaded loaded = Checkpoint.load(ckpt, manager)) {
            SeamNetwork net = loaded.network();
            if (net.config().method() != NetConfig.Method.SEAM) {
                throw new UsageException("inspect-pcm: " + ckpt + " holds a " + net.config().method() + " network, which has no PCM");
            }
            if (!loaded.manifest().classes().equals(set.classes().names())) {
                throw new UsageException("inspect-pcm: the data set's classes " + set.classes().names() + " differ from the checkpoint's "
                        + loaded.manifest().classes());
            }
            for (int idx = 0; idx < n; idx++) {
                TrainingSet.Example ex = set.examples().get(idx);
                RgbImage img = scale == 1.0 ? ex.image() : MultiScaleViews.scaled(ex.image(), scale);
                LabelMask truth = ds.mask(ex.id()); // the data set refuses a mask whose size is not its image's
                try (NDManager m = manager.newSubManager()) {
                    NDArray x = m.create(Normalization.IMAGENET.toChw(img), new Shape(1, 3, img.height(), img.width()));
                    try (SeamNetwork.PcmParts parts = net.pcmParts(x)) {
                        Shape s = parts.camNorm().getShape();
                        int h = Math.toIntExact(s.get(2));
                        int w = Math.toIntExact(s.get(3));
                        LabelMask cells = cellTruth(truth, img.width(), img.height(), h, w);
                        float[] camNorm = parts.camNorm().toFloatArray();
                        float[] raw = parts.camLow().toFloatArray();
                        float[] embedding = parts.embedding().toFloatArray();
                        float[] image = parts.image().toFloatArray();
                        for (int v = 0; v < variants.size(); v++) {
                            Variant var = variants.get(v);
                            float[] aff = affinity(var.image() ? image : embedding, var.image() ? 3
                                    : Math.toIntExact(parts.embedding().getShape().get(1)), h * w, var.power());
                            addMass(aff, cells.labels(), h * w, mass[v]);
                            addReach(aff, camNorm, cells.labels(), classes, h * w, reach[v]);
                            sweeps.get(v).add(normalised(revise(camNorm, aff, classes, h * w), ex.labels(), classes, h, w), cells);
                        }
                        float[] fg = new float[(classes - 1) * h * w];
                        for (int i = 0; i < fg.length; i++) {
                            fg[i] = Math.max(0, raw[h * w + i]);
                        }
                        sweeps.get(variants.size()).add(normalised(fg, ex.labels(), classes, h, w), cells);
                    }
                }
            }
        }
        var rows = new ArrayList<Map<String, Object>>();
        out.printf(Locale.ROOT, "PCM of %s on %d images of %s (split %s), scale %s, stride-8 cells%n", ckpt, n, data, split, scale);
        out.println("| affinity from | object cells: share from their own class | background cells: share from background"
                + " | cold object cells: share from own class's hot cells | background cells: share from hot cells"
                + " | hot cells: share from their class's hot cells | cell mIoU (%) | best t |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (int v = 0; v <= variants.size(); v++) {
            ThresholdSweep.Best best = sweeps.get(v).best();
            String name = v < variants.size() ? variants.get(v).name() : "none: the raw CAM (ReLU of fc8)";
            double own = v < variants.size() ? mass[v][0] / Math.max(1, mass[v][1]) : Double.NaN;
            double bg = v < variants.size() ? mass[v][2] / Math.max(1, mass[v][3]) : Double.NaN;
            double bodyReach = v < variants.size() ? reach[v][0] / Math.max(1, reach[v][1]) : Double.NaN;
            double bgReach = v < variants.size() ? reach[v][2] / Math.max(1, reach[v][3]) : Double.NaN;
            double peak = v < variants.size() ? reach[v][4] / Math.max(1, reach[v][5]) : Double.NaN;
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.2f | %.2f |%n", name, share(own), share(bg),
                    share(bodyReach), share(bgReach), share(peak), 100 * best.meanIou(), best.threshold());
            var row = new LinkedHashMap<String, Object>();
            row.put("affinity", name);
            row.put("objectOwnClassShare", Double.isNaN(own) ? null : own);
            row.put("backgroundShare", Double.isNaN(bg) ? null : bg);
            row.put("coldObjectShareFromOwnHot", Double.isNaN(bodyReach) ? null : bodyReach);
            row.put("backgroundShareFromHot", Double.isNaN(bgReach) ? null : bgReach);
            row.put("hotShareFromOwnHot", Double.isNaN(peak) ? null : peak);
            row.put("cellMiou", 100 * best.meanIou());
            row.put("bestThreshold", best.threshold());
            rows.add(row);
        }
        if (json != null) {
            var doc = new LinkedHashMap<String, Object>();
            doc.put("checkpoint", ckpt.toString());
            doc.put("data", data.toString());
            doc.put("split", split);
            doc.put("images", n);
            doc.put("scale", scale);
            doc.put("power", power);
            doc.put("rows", rows);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        }
    }

    /**
     * The ground truth on the h×w grid: each cell takes the label of the image pixel its centre falls on under the
     * align_corners mapping the PCM's image input uses ({@code x·(W−1)/(w−1)}), in the coordinates of the original
     * image when the network saw a scaled copy {@code scaledW × scaledH}.
     */
    static LabelMask cellTruth(LabelMask truth, int scaledW, int scaledH, int h, int w) {
        var cells = LabelMask.zeros(w, h);
        double sx = truth.width() / (double) scaledW;
        double sy = truth.height() / (double) scaledH;
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                double py = (h == 1 ? 0 : r * (scaledH - 1.0) / (h - 1)) * sy;
                double px = (w == 1 ? 0 : c * (scaledW - 1.0) / (w - 1)) * sx;
                int x = (int) Math.min(truth.width() - 1, Math.round(px));
                int y = (int) Math.min(truth.height() - 1, Math.round(py));
                cells.set(c, r, truth.get(x, y));
            }
        }
        return cells;
    }

    /**
     * Â of SEAM-METHOD §1.4 for a D×P embedding, as a P×P row-major array ({@code a[i·P + j]}, each column j summing to
     * 1): {@code e_i/(‖e_i‖ + 1e-5)}, {@code ReLU(e_iᵀe_j)}, raised to {@code power}, divided by the column sum + 1e-5.
     */
    static float[] affinity(float[] e, int d, int p, int power) {
        double[] norm = new double[p];
        for (int i = 0; i < p; i++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                s += (double) e[k * p + i] * e[k * p + i];
            }
            norm[i] = Math.sqrt(s) + 1e-5;
        }
        float[] a = new float[p * p];
        for (int j = 0; j < p; j++) {
            double sum = 0;
            for (int i = 0; i < p; i++) {
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    dot += (double) e[k * p + i] * e[k * p + j];
                }
                double v = Math.pow(Math.max(0, dot / (norm[i] * norm[j])), power);
                a[i * p + j] = (float) v;
                sum += v;
            }
            for (int i = 0; i < p; i++) {
                a[i * p + j] = (float) (a[i * p + j] / (sum + 1e-5));
            }
        }
        return a;
    }

    /** The foreground rows of {@code ĉ · Â}: (C−1)×P. */
    static float[] revise(float[] camNorm, float[] aff, int classes, int p) {
        float[] out = new float[(classes - 1) * p];
        for (int k = 1; k < classes; k++) {
            for (int i = 0; i < p; i++) {
                float c = camNorm[k * p + i];
                if (c == 0) {
                    continue;
                }
                for (int j = 0; j < p; j++) {
                    out[(k - 1) * p + j] += c * aff[i * p + j];
                }
            }
        }
        return out;
    }

    private static ClassMaps normalised(float[] fg, boolean[] labels, int classes, int h, int w) {
        return PseudoMasks.normalizePerClass(PseudoMasks.maskAbsent(new ClassMaps(classes - 1, h, w, fg), labels));
    }

    private static String share(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** A cell of the PCM input ĉ is hot for class k when {@code ĉ_k ≥ HOT} (ĉ is max-normalised per class). */
    static final float HOT = 0.5f;

    /**
     * Adds where the affinity takes the CAM's peak. Hot cells are those with {@code ĉ_k ≥ HOT} for some foreground
     * class k (ĉ keeps only each cell's top foreground class). For each cold object cell j of class g (its label g,
     * {@code ĉ_g(j) < HOT}, g having a hot cell in the image): {@code Σ_{i hot for g} Â_ij}, the share of j's revised
     * score that can come from g's peak, accumulated in {@code acc[0]} with a count in {@code acc[1]}. For each
     * background cell: {@code Σ_{i hot for any class} Â_ij} in {@code acc[2]}, count in {@code acc[3]}. For each cell
     * j hot for its top class k, whatever its label: {@code Σ_{i hot for k} Â_ij} in {@code acc[4]}, count in
     * {@code acc[5]}. Ignored cells are skipped in the first two; an image without hot cells adds nothing.
     */
    static void addReach(float[] aff, float[] camNorm, byte[] cells, int classes, int p, double[] acc) {
        boolean[][] hot = new boolean[classes][p];
        boolean[] anyHot = new boolean[p];
        boolean[] classHot = new boolean[classes];
        boolean imageHot = false;
        for (int k = 1; k < classes; k++) {
            for (int i = 0; i < p; i++) {
                if (camNorm[k * p + i] >= HOT) {
                    hot[k][i] = true;
                    anyHot[i] = true;
                    classHot[k] = true;
                    imageHot = true;
                }
            }
        }
        for (int j = 0; j < p; j++) {
            for (int k = 1; k < classes; k++) {
                if (hot[k][j]) {
                    acc[4] += columnSum(aff, p, j, hot[k]);
                    acc[5] += 1;
                }
            }
            int g = cells[j] & 0xFF;
            if (g == LabelMask.IGNORE) {
                continue;
            }
            if (g == 0) {
                if (!imageHot) {
                    continue;
                }
                acc[2] += columnSum(aff, p, j, anyHot);
                acc[3] += 1;
            } else if (g < classes && classHot[g] && !hot[g][j]) {
                acc[0] += columnSum(aff, p, j, hot[g]);
                acc[1] += 1;
            }
        }
    }

    /** {@code Σ_{i in rows} Â_ij}: the part of column j of the P×P affinity {@code aff} that comes from the rows marked. */
    private static double columnSum(float[] aff, int p, int j, boolean[] rows) {
        double s = 0;
        for (int i = 0; i < p; i++) {
            if (rows[i]) {
                s += aff[i * p + j];
            }
        }
        return s;
    }

    /** Adds each valid cell's affinity share from cells of its own label, object and background cells apart. */
    private static void addMass(float[] aff, byte[] cells, int p, double[] acc) {
        for (int j = 0; j < p; j++) {
            int g = cells[j] & 0xFF;
            if (g == LabelMask.IGNORE) {
                continue;
            }
            double same = 0;
            for (int i = 0; i < p; i++) {
                if ((cells[i] & 0xFF) == g) {
                    same += aff[i * p + j];
                }
            }
            int o = g == 0 ? 2 : 0;
            acc[o] += same;
            acc[o + 1] += 1;
        }
    }
}
