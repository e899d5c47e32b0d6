package ai.seamstream.torch.cli;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OrtException;
import ai.seamstream.core.dataset.VocDataset;
import ai.seamstream.core.image.ImageDecoder;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.mask.UncertaintyPng;
import ai.seamstream.core.model.AffinityManifest;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.onnx.OnnxAffinityModel;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxPseudoMasks;
import ai.seamstream.core.onnx.OnnxSession;
import ai.seamstream.core.refine.AffinityFeatureSource;
import ai.seamstream.core.refine.DenseCrf;
import ai.seamstream.core.refine.MaskRefiner;
import ai.seamstream.core.refine.RandomWalk;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.SafeTensors;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.affinity.AffinityCheckpoint;
import ai.seamstream.torch.affinity.DjlAffinityFeatures;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.infer.MultiScaleInference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code seam infer}: pseudo-masks for a data set split or a folder of images, on DJL from a checkpoint
 * ({@code --engine djl}, the default) or on ONNX Runtime from an exported model ({@code --engine onnx}). Writes {@code masks/<id>.png}
 * (palette, class indices), {@code uncertainty/<id>.png} (grey, 255 = most uncertain), {@code scores.jsonl}
 * (tags used and whether predicted, class probabilities, uncertainty, class areas), and with {@code --save-maps}
 * the normalised class maps {@code maps/<id>.safetensors} that {@code seam eval} uses for its threshold sweep.
 * {@code --refine crf|rw|rw+crf} refines the masks (SEAM-METHOD §5); maps and uncertainty stay those of the plain
 * inference. The random walk needs an affinity network: a {@code seam train-affinity} checkpoint (DJL) or a
 * {@code seam export-affinity} model (ONNX Runtime), by what {@code --affinity DIR} holds.
 */
final class InferCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InferCommand() {
    }

    /** One engine's pseudo-mask pipeline over a batch of images, and the vocabulary it was trained on. */
    private interface Engine extends AutoCloseable {
        ClassVocabulary vocabulary();

        /** The background score in use, recorded with saved maps for eval's sweep. */
        float background();

        List<PseudoMaskResult> run(List<RgbImage> images, List<boolean[]> labels) throws IOException;

        @Override
        void close();
    }

    static void run(Args a, PrintStream out) throws IOException {
        String engineName = a.choice("engine", "djl", "djl", "onnx");
        Path source = engineName.equals("djl") ? a.existingDir("checkpoint") : a.existingDir("model");
        if (engineName.equals("djl") && a.has("model")) {
            throw new UsageException("infer: --model is for --engine onnx; the DJL engine reads --checkpoint");
        }
        if (engineName.equals("onnx") && a.has("checkpoint")) {
            throw new UsageException("infer: --engine onnx reads an exported --model directory (seam export), not --checkpoint");
        }
        Path images = a.existingDir("images");
        Path dest = a.path("out");
        String split = a.string("split", null);
        double[] scalesArg = a.has("scales") ? a.reals("scales", null, 0.05, 8) : null;
        boolean noFlip = a.flag("no-flip");
        boolean predictTags = a.flag("predict-tags");
        boolean saveMaps = a.flag("save-maps");
        boolean camMaps = a.choice("maps", "auto", "auto", "cam").equals("cam");
        int threads = a.integer("threads", 2, 1, 256);
        int batch = a.integer("batch", 1, 1, 1024);
        boolean cuda = a.flag("cuda");
        if (engineName.equals("djl") && (cuda || batch != 1)) {
            throw new UsageException("infer: --cuda and --batch are options of --engine onnx");
        }
        Float bgArg = a.has("background") ? (float) a.real("background", 0.26, 0, 1) : null;
        var refineArg = refineOptions(a);
        Path affinityDir = null;
        if (refineArg.mode().needsAffinity()) {
            if (a.has("affinity")) {
                affinityDir = a.existingDir("affinity");
            } else if (engineName.equals("onnx") && Files.isRegularFile(source.resolve(ModelManifest.FILE))
                    && OnnxModel.readManifest(source).affinity() != null) {
                affinityDir = source; // the model's own affinity sub-folder, checked against its manifest
            } else {
                throw new UsageException("infer: --refine " + refineArg.mode() + " needs --affinity DIR: an affinity checkpoint from "
                        + "'seam train-affinity' (runs on DJL) or a model from 'seam export-affinity' (runs on ONNX Runtime)"
                        + (engineName.equals("onnx") ? "; this model ships none ('seam export --affinity')" : ""));
            }
        }
        a.finish();
        if (affinityDir != null && !affinityDir.equals(source)) {
            affinityKind(affinityDir); // a wrong folder is named before any model loads
        }

        var items = listItems(images, split, predictTags);
        try (Engine engine = engineName.equals("djl")
                ? djl(source, threads, scalesArg, noFlip, bgArg, camMaps)
                : onnx(source, threads, cuda, batch, scalesArg, noFlip, bgArg, camMaps);
             AffinityFeatureSource affinity = affinityDir == null ? null : affinity(affinityDir, threads, cuda)) {
            var vocab = engine.vocabulary();
            var refine = refineArg;
            if (affinity != null && !affinity.classes().equals(vocab.names())) {
                throw new UsageException("infer: the affinity network's classes " + affinity.classes() + " differ from the model's "
                        + vocab.names());
            }
            if (items.vocabularyNames != null && !items.vocabularyNames.equals(vocab.names())) {
                throw new UsageException("infer: the data set's classes " + items.vocabularyNames + " differ from the model's "
                        + vocab.names());
            }
            Files.createDirectories(dest.resolve("masks"));
            Files.createDirectories(dest.resolve("uncertainty"));
            if (saveMaps) {
                Files.createDirectories(dest.resolve("maps"));
            }
            try (BufferedWriter scores = Files.newBufferedWriter(dest.resolve("scores.jsonl"))) {
                long start = System.nanoTime();
                int done = 0;
                for (int from = 0; from < items.list.size(); from += batch) {
                    List<Item> chunk = items.list.subList(from, Math.min(items.list.size(), from + batch));
                    List<RgbImage> imgs = new ArrayList<>();
                    List<boolean[]> labels = new ArrayList<>();
                    for (Item it : chunk) {
                        imgs.add(ImageDecoder.read(it.file));
                        labels.add(it.labels);
                    }
                    List<PseudoMaskResult> results = engine.run(imgs, labels);
                    for (int i = 0; i < chunk.size(); i++) {
                        write(dest, chunk.get(i).id, imgs.get(i), results.get(i), saveMaps ? engine.background() : null,
                                scores, vocab, refine, affinity);
                        done++;
                        if (done % 50 == 0 || done == items.list.size()) {
                            double sec = (System.nanoTime() - start) / 1e9;
                            System.err.printf("infer: %d/%d images, %.2f img/s%n", done, items.list.size(), done / sec);
                        }
                    }
                }
            }
        }
        out.println("masks for " + items.list.size() + " images -> " + dest + " (engine " + engineName + ")");
    }

    private static void write(Path dest, String id, RgbImage img, PseudoMaskResult r, Float savedMapsBackground,
                              BufferedWriter scores, ClassVocabulary vocab, MaskRefiner.Options refine,
                              AffinityFeatureSource affinity) throws IOException {
        LabelMask refined = MaskRefiner.refineWith(img, r.normalized(), r.tags(), affinity, refine);
        LabelMask mask = refined != null ? refined : r.mask();
        PaletteMaskCodec.write(mask, dest.resolve("masks").resolve(id + ".png"));
        Files.write(dest.resolve("uncertainty").resolve(id + ".png"), UncertaintyPng.encode(r.uncertainty(), img.width(), img.height()));
        if (savedMapsBackground != null) {
            var n = r.normalized();
            SafeTensors.write(dest.resolve("maps").resolve(id + ".safetensors"),
                    List.of(new NamedTensor("normalized", new long[] {n.channels(), n.height(), n.width()}, n.data())),
                    Map.of("background", Float.toString(savedMapsBackground)));
        }
        scores.write(scoreLine(id, vocab.foreground(), r, mask));
        scores.newLine();
    }

    /**
     * The affinity network of {@code --affinity DIR}, by what the folder holds: an exported model ({@code model.json}
     * of the affinity format) opens on ONNX Runtime, an affinity checkpoint ({@code affinity.json}) on DJL.
     */
    static AffinityFeatureSource affinity(Path dir, int threads, boolean cuda) throws IOException {
        if (Files.isRegularFile(dir.resolve(ModelManifest.FILE)) && !OnnxAffinityModel.isAffinityModel(dir)) {
            // a SEAM model directory: the affinity network it ships
            return OnnxAffinityModel.loadShipped(dir, OnnxModel.readManifest(dir), new OnnxSession.Settings(threads, 1, cuda, 0, false));
        }
        if (affinityKind(dir)) {
            return OnnxAffinityModel.load(dir, new OnnxSession.Settings(threads, 1, cuda, 0, false));
        }
        EngineSetup.configure(threads, 0);
        return DjlAffinityFeatures.load(dir);
    }

    /** True for an exported affinity model, false for an affinity checkpoint; anything else is a user error. */
    private static boolean affinityKind(Path dir) {
        if (OnnxAffinityModel.isAffinityModel(dir)) {
            return true;
        }
        if (Files.isRegularFile(dir.resolve(AffinityCheckpoint.MANIFEST))) {
            return false;
        }
        throw new UsageException("infer: " + dir + " is neither an affinity checkpoint (" + AffinityCheckpoint.MANIFEST
                + ", 'seam train-affinity') nor an exported affinity model (" + AffinityManifest.FILE + " of format "
                + AffinityManifest.FORMAT + ", 'seam export-affinity')");
    }

    private static Engine djl(Path ckpt, int threads, double[] scalesArg, boolean noFlip, Float bgArg, boolean camMaps)
            throws IOException {
        EngineSetup.configure(threads, 0);
        var manifest = Checkpoint.readManifest(ckpt);
        float bg = bgArg != null ? bgArg : (float) manifest.inference().backgroundThreshold();
        double[] scales = scalesArg != null ? scalesArg : new double[] {0.5, 1.0, 1.5, 2.0};
        NDManager manager = NDManager.newBaseManager();
        Checkpoint.Loaded loaded;
        try {
            loaded = Checkpoint.load(ckpt, manager);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        var options = new MultiScaleInference.Options(scales, !noFlip, bg, Normalization.IMAGENET, 0.5,
                camMaps ? MultiScaleInference.MapSource.CAM : MultiScaleInference.MapSource.AUTO);
        var inference = new MultiScaleInference(loaded.network(), options);
        return new Engine() {
            @Override
            public ClassVocabulary vocabulary() {
                return loaded.manifest().vocabulary();
            }

            @Override
            public float background() {
                return bg;
            }

            @Override
            public List<PseudoMaskResult> run(List<RgbImage> images, List<boolean[]> labels) {
                List<PseudoMaskResult> out = new ArrayList<>();
                for (int i = 0; i < images.size(); i++) {
                    out.add(inference.run(images.get(i), labels.get(i)));
                }
                return out;
            }

            @Override
            public void close() {
                loaded.close();
                manager.close();
            }
        };
    }

    private static Engine onnx(Path modelDir, int threads, boolean cuda, int batch, double[] scalesArg, boolean noFlip,
                               Float bgArg, boolean camMaps) throws IOException {
        OnnxModel model = OnnxModel.load(modelDir, new OnnxSession.Settings(threads, 1, cuda, 0, false));
        var options = OnnxPseudoMasks.Options.of(model.manifest()).withMaxBatch(Math.max(8, 2 * batch));
        if (scalesArg != null || noFlip) {
            options = options.withScales(scalesArg != null ? scalesArg : options.scales(), !noFlip);
        }
        if (bgArg != null) {
            options = options.withBackground(bgArg);
        }
        if (camMaps) {
            options = options.withSource(OnnxPseudoMasks.MapSource.CAM);
        }
        float bg = options.backgroundThreshold();
        var pipeline = new OnnxPseudoMasks(model, options);
        return new Engine() {
            @Override
            public ClassVocabulary vocabulary() {
                return ClassVocabulary.of(model.manifest().classes());
            }

            @Override
            public float background() {
                return bg;
            }

            @Override
            public List<PseudoMaskResult> run(List<RgbImage> images, List<boolean[]> labels) throws IOException {
                List<OnnxPseudoMasks.Request> requests = new ArrayList<>();
                for (int i = 0; i < images.size(); i++) {
                    requests.add(new OnnxPseudoMasks.Request(images.get(i), labels.get(i)));
                }
                try {
                    return pipeline.run(requests);
                } catch (OrtException e) {
                    throw new IOException(modelDir + ": ONNX Runtime failed: " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }

    /**
     * The refinement options: {@code --refine none|crf|rw|rw+crf}, {@code --crf-alpha 4}, {@code --crf-iterations 10},
     * {@code --rw-alpha 6}, {@code --rw-beta 8}, {@code --rw-logt 6}, {@code --rw-crf-iterations 1}.
     */
    static MaskRefiner.Options refineOptions(Args a) {
        var mode = MaskRefiner.Mode.parse(a.choice("refine", "none", "none", "crf", "rw", "rw+crf"));
        var ref = MaskRefiner.Options.reference(mode);
        double alpha = a.real("crf-alpha", ref.crfAlpha(), 0, 1000);
        DenseCrf.Config crf = ref.crf().withIterations(a.integer("crf-iterations", ref.crf().iterations(), 0, 1000));
        RandomWalk.Config w = ref.walk();
        var walk = new RandomWalk.Config(w.radius(), a.real("rw-beta", w.beta(), 0.01, 100), a.integer("rw-logt", w.logt(), 0, 16),
                a.real("rw-alpha", w.alpha(), 0, 1000), w.stride(), w.referenceBorder());
        return new MaskRefiner.Options(mode, alpha, crf, walk, a.integer("rw-crf-iterations", ref.walkCrfIterations(), 1, 1000));
    }

    static String scoreLine(String id, List<String> classes, PseudoMaskResult r, LabelMask mask) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("predictedTags", r.predictedTags());
        var tags = o.putArray("tags");
        var probs = o.putObject("probabilities");
        var area = o.putObject("area");
        long[] count = new long[classes.size() + 1];
        for (byte b : mask.labels()) {
            int c = b & 0xFF;
            if (c < count.length) {
                count[c]++;
            }
        }
        double total = mask.width() * (double) mask.height();
        for (int k = 0; k < classes.size(); k++) {
            if (r.tags()[k]) {
                tags.add(classes.get(k));
            }
            probs.put(classes.get(k), r.classProbabilities()[k]);
            if (count[k + 1] > 0) {
                area.put(classes.get(k), count[k + 1] / total);
            }
        }
        o.put("uncertaintyMean", r.uncertaintyScore().mean());
        o.put("uncertainFraction", r.uncertaintyScore().uncertainFraction());
        return JSON.writeValueAsString(o);
    }

    private record Item(String id, Path file, boolean[] labels) {
    }

    private record Items(List<Item> list, List<String> vocabularyNames) {
    }

    /** A VOC-layout folder gives ids and labels; any other folder is a plain list of images with predicted tags. */
    private static Items listItems(Path images, String split, boolean predictTags) throws IOException {
        var list = new ArrayList<Item>();
        if (Files.isDirectory(images.resolve("JPEGImages"))) {
            VocDataset ds = VocDataset.open(images);
            String s = split != null ? split : ds.splits().contains("train") ? "train" : ds.splits().get(0);
            for (String id : ds.ids(s)) {
                Optional<boolean[]> labels = predictTags ? Optional.empty() : ds.labels(id);
                list.add(new Item(id, ds.imageFile(id), labels.orElse(null)));
            }
            return new Items(list, ds.classes().names());
        }
        if (split != null) {
            throw new UsageException("infer: --split needs a VOC-layout folder (with JPEGImages/), " + images + " is a plain folder");
        }
        try (Stream<Path> files = Files.list(images)) {
            files.filter(p -> p.getFileName().toString().toLowerCase().matches(".*\\.(jpe?g|png)")).sorted().forEach(p -> {
                String name = p.getFileName().toString();
                list.add(new Item(name.substring(0, name.lastIndexOf('.')), p, null));
            });
        }
        if (list.isEmpty()) {
            throw new UsageException("infer: no .jpg/.jpeg/.png images in " + images);
        }
        return new Items(list, null);
    }
}
