package ai.seamstream.torch.checkpoint;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.model.ModelFiles;
import ai.seamstream.core.tensor.SafeTensors;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.net.WeightsIo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A checkpoint directory: {@code weights.safetensors} (every parameter and BN statistic by its reference name)
 * and {@code manifest.json} ({@link CheckpointManifest}); loading verifies the weights' SHA-256 and rebuilds the
 * network exactly, so a saved network loads back bit for bit.
 */
public final class Checkpoint {
    public static final String WEIGHTS = "weights.safetensors";
    public static final String MANIFEST = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoint() {
    }

    /** A loaded network and the manifest it came with; closing frees the network. */
    public record Loaded(SeamNetwork network, CheckpointManifest manifest) implements AutoCloseable {
        @Override
        public void close() {
            network.close();
        }
    }

    /**
     * Writes weights and manifest into {@code dir} (created if needed); the manifest's weight file name and hash are
     * filled in here.
     *
     * @return the manifest as written
     */
    public static CheckpointManifest save(Path dir, SeamNetwork net, CheckpointManifest manifest) throws IOException {
        Files.createDirectories(dir);
        Path weights = dir.resolve(WEIGHTS);
        WeightsIo.save(net.params(), weights, Map.of("format", CheckpointManifest.FORMAT, "id", manifest.id()));
        var m = new CheckpointManifest(CheckpointManifest.FORMAT, manifest.id(), manifest.classes(), manifest.network(),
                manifest.inference(), manifest.training(), manifest.dataset(), manifest.metrics(), manifest.parent(),
                manifest.createdAt(), manifest.codeVersion(), WEIGHTS, sha256(weights), manifest.imported());
        Path tmp = dir.resolve(MANIFEST + ".partial");
        JSON.writeValue(tmp.toFile(), m);
        Files.move(tmp, dir.resolve(MANIFEST), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return m;
    }

    /**
     * The PCM head width of the SEAM checkpoint in {@code dir}, which a run continuing from it must keep for the heads'
     * weights to fit; empty when {@code dir} is not a directory (a weight file) or holds a CAM checkpoint (no heads).
     *
     * @throws IOException as {@link #readManifest} for a directory without a readable manifest
     */
    public static OptionalDouble seamHeadWidth(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return OptionalDouble.empty();
        }
        CheckpointManifest.NetworkSpec n = readManifest(dir).network();
        return NetConfig.Method.SEAM.name().equals(n.method()) ? OptionalDouble.of(n.headWidth()) : OptionalDouble.empty();
    }

    /**
     * Reads a manifest without loading weights.
     *
     * @throws IOException naming the file when it is missing, not JSON, or of another format
     */
    public static CheckpointManifest readManifest(Path dir) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": not a checkpoint directory (no " + MANIFEST + ")");
        }
        CheckpointManifest m;
        try {
            m = JSON.readValue(file.toFile(), CheckpointManifest.class);
        } catch (IOException e) {
            throw new IOException(file + ": unreadable manifest: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (!CheckpointManifest.FORMAT.equals(m.format())) {
            throw new IOException(file + ": format '" + m.format() + "', expected '" + CheckpointManifest.FORMAT + "'");
        }
        if (m.classes() == null || m.network() == null) {
            throw new IOException(file + ": manifest lacks classes or network");
        }
        return m;
    }

    /**
     * Rebuilds the network of a checkpoint and loads its weights strictly.
     *
     * @throws IOException naming the file if the weights are missing, corrupt (hash mismatch) or do not fit
     */
    public static Loaded load(Path dir, NDManager manager) throws IOException {
        CheckpointManifest m = readManifest(dir);
        Path weights = dir.resolve(m.weightsFile() == null ? WEIGHTS : m.weightsFile());
        if (!Files.isRegularFile(weights)) {
            throw new IOException(dir + ": weights file " + weights.getFileName() + " is missing");
        }
        String actual = sha256(weights);
        if (m.weightsSha256() != null && !m.weightsSha256().equalsIgnoreCase(actual)) {
            throw new IOException(weights + ": SHA-256 " + actual + " does not match the manifest's " + m.weightsSha256()
                    + " (corrupt or replaced file)");
        }
        var contents = SafeTensors.read(weights);
        SeamNetwork net = new SeamNetwork(m.network().toConfig(m.classes().size()), manager, 0L);
        try {
            WeightsIo.load(net.params(), contents.tensors(), true);
        } catch (IllegalArgumentException e) {
            net.close();
            throw new IOException(weights + ": " + e.getMessage(), e);
        }
        return new Loaded(net, m);
    }

    /** Hex SHA-256 of a file (the same digest the ONNX manifests record: {@link ModelFiles#sha256(Path)}). */
    public static String sha256(Path file) throws IOException {
        return ModelFiles.sha256(file);
    }
}
