package ai.seamstream.labeler;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.torch.affinity.AffinityNetwork;
import ai.seamstream.torch.export.AffinityOnnxExporter;
import ai.seamstream.torch.export.OnnxExporter;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real ONNX model directories for the tests: the small SEAM backbone (width 1/16) with random weights of a given
 * seed, exported by the real exporter ({@code seam/torch}, test scope only), once per JVM under {@code target/}.
 */
public final class TestModels {
    public static final List<String> CLASSES = List.of("background", "cat", "dog", "bird");
    private static final Path ROOT = Path.of("target", "test-models");

    private TestModels() {
    }

    /**
     * The exported model directory of seed {@code seed}. The export runs in a child JVM: DJL's libtorch may be
     * loaded by only one class loader per JVM, and a {@code @QuarkusTest} in the same surefire JVM has its own class
     * loader, so exporting in-process made every later plain test fail with "already loaded in another classloader"
     * whenever the Quarkus test happened to run first.
     */
    public static synchronized Path model(long seed) throws Exception {
        return model(seed, false);
    }

    /**
     * The exported model directory of seed {@code seed} that also ships an AffinityNet (random heads on a backbone of
     * the same seed) in its {@code affinity/} folder, named in its manifest.
     */
    public static synchronized Path modelWithAffinity(long seed) throws Exception {
        return model(seed, true);
    }

    private static Path model(long seed, boolean affinity) throws Exception {
        String name = (affinity ? "seam-aff-" : "seam-") + seed;
        Path dir = ROOT.resolve(name).toAbsolutePath();
        if (Files.isRegularFile(dir.resolve(ModelManifest.FILE))) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(dir.getParent(), name + "-");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("ai.djl.") || k.equals("DJL_CACHE_DIR"))
                .sorted().forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
        cmd.addAll(List.of(TestModels.class.getName(), Long.toString(seed), tmp.toString(), Boolean.toString(affinity)));
        Path log = dir.getParent().resolve(tmp.getFileName() + ".log");
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path")); // a class path may be too long for argv
        Process p = pb.start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        if (!done || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("exporting test model " + seed + (done ? " failed" : " timed out") + ":\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        Files.deleteIfExists(log);
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
            // another JVM exported the same seed meanwhile; its copy is identical
        }
        return dir;
    }

    /** Child-JVM entry: {@code TestModels SEED DIR [AFFINITY]} exports the model of that seed into DIR. */
    public static void main(String[] args) throws Exception {
        export(Long.parseLong(args[0]), Path.of(args[1]), args.length > 2 && Boolean.parseBoolean(args[2]));
    }

    private static void export(long seed, Path dir, boolean affinity) throws Exception {
        var contract = new ModelManifest.InputContract(List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225),
                List.of(1.0), true, 0.26, 0.5);
        try (NDManager m = NDManager.newBaseManager()) {
            var cfg = new NetConfig(BackboneConfig.small(0.0625, 1), CLASSES.size(), NetConfig.Method.SEAM,
                    NetConfig.BatchNormMode.FROZEN, false, 4096);
            try (SeamNetwork net = new SeamNetwork(cfg, m, seed)) {
                OnnxExporter.export(net, "seam-" + seed, CLASSES, contract,
                        new ModelManifest.Provenance(null, null, null, null, "test"), dir, OnnxExporter.DEFAULT_OPSET);
            }
            if (affinity) {
                try (var aff = new AffinityNetwork(new SeamNetwork(cfg, m, seed), AffinityNetwork.Heads.scaled(cfg.backbone()), seed)) {
                    AffinityOnnxExporter.attach(aff, "seam-" + seed + "-affinity", CLASSES, 5,
                            new ModelManifest.Provenance(null, null, null, null, "test"), dir, OnnxExporter.DEFAULT_OPSET);
                }
            }
        }
    }

    /** The ONNX file's SHA-256 from the directory's manifest. */
    public static String sha(Path dir) throws Exception {
        return ai.seamstream.core.onnx.OnnxModel.readManifest(dir).onnxSha256();
    }
}
