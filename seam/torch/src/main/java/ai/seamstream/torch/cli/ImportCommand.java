package ai.seamstream.torch.cli;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.weights.WeightFormat;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.pretrained.WeightImport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code seam import}: a pretrained weight file (MXNet .params, PyTorch .pth, safetensors) into a checkpoint. */
final class ImportCommand {
    private ImportCommand() {
    }

    static void run(Args a, PrintStream out) throws IOException {
        Path from = a.path("from");
        if (!Files.isRegularFile(from)) {
            throw new UsageException("import: --from " + from + " is not a file");
        }
        Path to = a.path("to");
        WeightFormat format;
        try {
            format = WeightFormat.parse(a.choice("format", "auto", "auto", "params", "pth", "safetensors"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("import: " + e.getMessage());
        }
        boolean strict = a.flag("strict");
        ClassVocabulary classes = classes(a.string("classes", "voc"));
        String m = a.choice("method", "auto", "auto", "seam", "cam");
        NetConfig.Method method = m.equals("auto") ? null : NetConfig.Method.valueOf(m.toUpperCase());
        String backbone = a.choice("backbone", "full", "full", "small");
        double width = a.real("width", 0.125, 0.001, 1.0);
        String units = a.string("units", "1");
        double[] scales = a.reals("scales", new double[] {0.5, 1.0, 1.5, 2.0}, 0.05, 8);
        double background = a.real("background", 0.26, 0, 1);
        int threads = a.integer("threads", 2, 1, 256);
        a.finish();
        if (Files.exists(to.resolve("manifest.json"))) {
            throw new UsageException("import: --to " + to + " already holds a checkpoint; choose a new directory");
        }
        BackboneConfig bb = backbone.equals("full") ? BackboneConfig.FULL : smallBackbone(width, units);
        EngineSetup.configure(threads, 0);
        var request = new WeightImport.Request(from, format, bb, method, classes, strict,
                Arrays.stream(scales).boxed().toList(), background, to);
        try (NDManager manager = NDManager.newBaseManager()) {
            var outcome = WeightImport.toCheckpoint(request, manager);
            out.println(outcome.report().summary());
            out.println("checkpoint " + outcome.manifest().id() + " (" + outcome.manifest().network().method().toLowerCase()
                    + ", " + classes.size() + " classes) -> " + to);
        }
    }

    /** A slimmed backbone: {@code --units N} for every stage, or {@code --units B2,B3,B4,B5}. */
    static BackboneConfig smallBackbone(double width, String units) {
        try {
            int[] u = Arrays.stream(units.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
            if (u.length == 1) {
                return BackboneConfig.small(width, u[0]);
            }
            if (u.length == 4) {
                return new BackboneConfig(width, u[0], u[1], u[2], u[3]);
            }
        } catch (NumberFormatException e) {
            // reported below
        } catch (IllegalArgumentException e) {
            throw new UsageException("import: --units: " + e.getMessage());
        }
        throw new UsageException("import: --units wants one count or four (b2,b3,b4,b5), got '" + units + "'");
    }

    /** {@code voc} (PASCAL VOC 2012), a comma-separated list of foreground classes, or a vocabulary file. */
    static ClassVocabulary classes(String spec) throws IOException {
        if (spec.equals("voc")) {
            return ClassVocabulary.VOC2012;
        }
        Path p = Path.of(spec);
        if (Files.isRegularFile(p)) {
            return ClassVocabulary.read(p);
        }
        List<String> names = Arrays.stream(spec.split(",")).map(String::strip).toList();
        return ClassVocabulary.ofForeground(names);
    }
}
