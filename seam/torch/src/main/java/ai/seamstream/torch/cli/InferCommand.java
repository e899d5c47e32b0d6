package ai.seamstream.torch.cli;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.dataset.VocDataset;
import ai.seamstream.core.image.ImageDecoder;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.UncertaintyPng;
import ai.seamstream.core.refine.DenseCrf;
import ai.seamstream.core.refine.MaskRefiner;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.SafeTensors;
import ai.seamstream.core.refine.RandomWalk;
import ai.seamstream.torch.affinity.AffinityCheckpoint;
import ai.seamstream.torch.affinity.AffinityTraining;
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
 * {@code seam infer}: pseudo-masks for a data set split or a folder of images. Writes {@code masks/<id>.png}
 * (palette, class indices), {@code uncertainty/<id>.png} (grey, 255 = most uncertain), {@code scores.jsonl}
 * (tags used and whether predicted, class probabilities, uncertainty, class areas), and with {@code --save-maps}
 * the normalised class maps {@code maps/<id>.safetensors} that {@code seam eval} uses for its threshold sweep.
 * {@code --refine crf|rw|rw+crf} refines the masks (SEAM-METHOD §5); maps and uncertainty stay those of the plain
 * inference.
 */
final class InferCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InferCommand() {
    }

    static void run(Args a, PrintStream out) throws IOException {
        Path ckpt = a.existingDir("checkpoint");
        Path images = a.existingDir("images");
        Path dest = a.path("out");
        String split = a.string("split", null);
        double[] scales = a.reals("scales", new double[] {0.5, 1.0, 1.5, 2.0}, 0.05, 8);
        boolean noFlip = a.flag("no-flip");
        boolean predictTags = a.flag("predict-tags");
        boolean saveMaps = a.flag("save-maps");
        var source = MultiScaleInference.MapSource.valueOf(a.choice("maps", "auto", "auto", "cam").toUpperCase());
        int threads = a.integer("threads", 2, 1, 256);
        Float bgArg = a.has("background") ? (float) a.real("background", 0.26, 0, 1) : null;
        var refine = refineOptions(a);
        Path affinityDir = null;
        if (refine.mode().needsAffinity()) {
            if (!a.has("affinity")) {
                throw new UsageException("infer: --refine " + refine.mode() + " needs --affinity DIR, an affinity network from "
                        + "'seam train-affinity'");
            }
            affinityDir = a.existingDir("affinity");
        }
        a.finish();

        EngineSetup.configure(threads, 0);
        var manifest = Checkpoint.readManifest(ckpt);
        float bg = bgArg != null ? bgArg : (float) manifest.inference().backgroundThreshold();
        var items = listItems(images, split, predictTags);
        Files.createDirectories(dest.resolve("masks"));
        Files.createDirectories(dest.resolve("uncertainty"));
        if (saveMaps) {
            Files.createDirectories(dest.resolve("maps"));
        }
        try (NDManager manager = NDManager.newBaseManager(); Checkpoint.Loaded loaded = Checkpoint.load(ckpt, manager);
             AffinityCheckpoint.Loaded affinity = affinityDir == null ? null : AffinityCheckpoint.load(affinityDir, manager);
             BufferedWriter scores = Files.newBufferedWriter(dest.resolve("scores.jsonl"))) {
            var vocab = loaded.manifest().vocabulary();
            if (affinity != null && !affinity.manifest().source().classes().equals(loaded.manifest().classes())) {
                throw new UsageException("infer: the affinity network's classes " + affinity.manifest().source().classes()
                        + " differ from the checkpoint's " + loaded.manifest().classes());
            }
            if (affinity != null) { // the walk pairs pixels within the radius the network was trained on
                var w = refine.walk();
                refine = new MaskRefiner.Options(refine.mode(), refine.crfAlpha(), refine.crf(), new RandomWalk.Config(
                        affinity.manifest().radius(), w.beta(), w.logt(), w.alpha(), w.stride(), w.referenceBorder()),
                        refine.walkCrfIterations());
            }
            if (items.vocabularyNames != null && !items.vocabularyNames.equals(vocab.names())) {
                throw new UsageException("infer: the data set's classes " + items.vocabularyNames + " differ from the checkpoint's "
                        + vocab.names());
            }
            var options = new MultiScaleInference.Options(scales, !noFlip, bg, Normalization.IMAGENET, 0.5, source);
            var inference = new MultiScaleInference(loaded.network(), options);
            long start = System.nanoTime();
            int done = 0;
            for (Item it : items.list) {
                var img = ImageDecoder.read(it.file);
                var r = inference.run(img, it.labels);
                var features = affinity == null ? null : AffinityTraining.features(affinity.network(), img);
                LabelMask refined = MaskRefiner.refine(img, r.normalized(), r.tags(), features, refine);
                LabelMask mask = refined != null ? refined : r.mask();
                PaletteMaskCodec.write(mask, dest.resolve("masks").resolve(it.id + ".png"));
                Files.write(dest.resolve("uncertainty").resolve(it.id + ".png"),
                        UncertaintyPng.encode(r.uncertainty(), img.width(), img.height()));
                if (saveMaps) {
                    var n = r.normalized();
                    SafeTensors.write(dest.resolve("maps").resolve(it.id + ".safetensors"),
                            List.of(new NamedTensor("normalized", new long[] {n.channels(), n.height(), n.width()}, n.data())),
                            Map.of("background", Float.toString(bg)));
                }
                scores.write(scoreLine(it.id, vocab.foreground(), r, mask));
                scores.newLine();
                done++;
                if (done % 50 == 0 || done == items.list.size()) {
                    double sec = (System.nanoTime() - start) / 1e9;
                    System.err.printf("infer: %d/%d images, %.2f img/s%n", done, items.list.size(), done / sec);
                }
            }
        }
        out.println("masks for " + items.list.size() + " images -> " + dest);
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

    static String scoreLine(String id, List<String> classes, MultiScaleInference.Result r, LabelMask mask) throws IOException {
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
