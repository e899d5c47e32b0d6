package ai.seamstream.torch.affinity;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.tensor.SafeTensors;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.net.WeightsIo;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An AffinityNet on disk: {@code affinity.json} (the SEAM checkpoint's manifest it started from, head sizes, pair
 * radius, training settings, weights hash) and {@code weights.safetensors} (backbone and {@code aff.*} heads).
 */
public final class AffinityCheckpoint {
    public static final String MANIFEST = "affinity.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String FORMAT = "seamstream-affinity/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What an affinity checkpoint records. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Manifest(String format, CheckpointManifest source, AffinityNetwork.Heads heads, int radius,
                           Map<String, Object> training, String createdAt, String weightsSha256) {
    }

    /** A loaded network and its manifest; closing frees the network. */
    public record Loaded(AffinityNetwork network, Manifest manifest) implements AutoCloseable {
        @Override
        public void close() {
            network.close();
        }
    }

    private AffinityCheckpoint() {
    }

    public static Manifest save(Path dir, AffinityNetwork net, Manifest m) throws IOException {
        Files.createDirectories(dir);
        Path weights = dir.resolve(WEIGHTS);
        WeightsIo.save(net.params(), weights, Map.of("format", FORMAT));
        var out = new Manifest(FORMAT, m.source(), m.heads(), m.radius(), m.training(), m.createdAt(), Checkpoint.sha256(weights));
        JSON.writeValue(dir.resolve(MANIFEST).toFile(), out);
        return out;
    }

    public static Manifest readManifest(Path dir) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": not an affinity checkpoint (no " + MANIFEST + "; make one with 'seam train-affinity')");
        }
        Manifest m;
        try {
            m = JSON.readValue(file.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new IOException(file + ": unreadable manifest: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (!FORMAT.equals(m.format()) || m.source() == null || m.heads() == null) {
            throw new IOException(file + ": format '" + m.format() + "' or missing fields, expected '" + FORMAT + "'");
        }
        return m;
    }

    /** The frozen-BatchNorm configuration AffinityNet trains and runs its backbone in (the reference's). */
    static NetConfig backboneConfig(CheckpointManifest source) {
        NetConfig c = source.network().toConfig(source.classes().size());
        return new NetConfig(c.backbone(), c.classes(), c.method(), NetConfig.BatchNormMode.FROZEN, true, c.pcmChunk(),
                c.headWidth());
    }

    public static Loaded load(Path dir, NDManager manager) throws IOException {
        Manifest m = readManifest(dir);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new IOException(dir + ": weights file " + WEIGHTS + " is missing");
        }
        String actual = Checkpoint.sha256(weights);
        if (m.weightsSha256() != null && !m.weightsSha256().equalsIgnoreCase(actual)) {
            throw new IOException(weights + ": SHA-256 " + actual + " does not match the manifest's " + m.weightsSha256());
        }
        var net = new AffinityNetwork(new SeamNetwork(backboneConfig(m.source()), manager, 0L), m.heads(), 0L);
        try {
            WeightsIo.load(net.params(), SafeTensors.read(weights).tensors(), true);
        } catch (IllegalArgumentException e) {
            net.close();
            throw new IOException(weights + ": " + e.getMessage(), e);
        }
        return new Loaded(net, m);
    }
}
