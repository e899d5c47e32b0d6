package ai.seamstream.stackit;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.model.ModelManifest;
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
 * A tiny real model for the stack: the small SEAM backbone (width 1/16) with random weights of a seed, exported to
 * ONNX by the real exporter, in a child JVM (libtorch stays out of the test JVM, which only needs ONNX Runtime; DJL
 * may load libtorch in one class loader per JVM), once per seed under {@code target/}.
 */
public final class TinyModel {
    private TinyModel() {
    }

    /**
     * The exported model directory ({@code model.json} and the ONNX file) of {@code seed} with {@code classes}
     * (background first).
     */
    public static synchronized Path export(long seed, List<String> classes, Path root) throws Exception {
        Path dir = root.resolve("seam-" + seed + "-" + String.join("-", classes)).toAbsolutePath();
        if (Files.isRegularFile(dir.resolve(ModelManifest.FILE))) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(dir.getParent(), "export-");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("ai.djl.") || k.equals("DJL_CACHE_DIR")).sorted()
                .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
        cmd.addAll(List.of(TinyModel.class.getName(), Long.toString(seed), String.join(",", classes), tmp.toString()));
        Path log = dir.getParent().resolve(tmp.getFileName() + ".log");
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path")); // argv has a length limit
        Process p = pb.start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        if (!done || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("exporting the tiny model (seed " + seed + ") " + (done ? "failed"
                    : "timed out") + "; its output:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        Files.deleteIfExists(log);
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
            // another JVM exported the same model meanwhile; its copy is identical
        }
        return dir;
    }

    /** Child-JVM entry: {@code TinyModel SEED CLASSES(comma list, background first) DIR}. */
    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[0]);
        List<String> classes = List.of(args[1].split(","));
        var contract = new ModelManifest.InputContract(List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225),
                List.of(1.0), true, 0.26, 0.5);
        try (NDManager m = NDManager.newBaseManager()) {
            var cfg = new NetConfig(BackboneConfig.small(0.0625, 1), classes.size(), NetConfig.Method.SEAM,
                    NetConfig.BatchNormMode.FROZEN, false, 4096);
            try (SeamNetwork net = new SeamNetwork(cfg, m, seed)) {
                OnnxExporter.export(net, "stack-it-" + seed, classes, contract,
                        new ModelManifest.Provenance(null, null, null, null, "stack-it"), Path.of(args[2]),
                        OnnxExporter.DEFAULT_OPSET);
            }
        }
    }
}
