package ai.seamstream.trainer.registry;

import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model registry as a directory tree: {@code versions/v000001/} holds {@code checkpoint/} (DJL weights and the
 * checkpoint manifest), {@code model.json} ({@link ModelManifest}) and, once an exporter filled it, {@code onnx/};
 * {@code PROMOTED} names the version in use. A version is assembled under {@code .staging-*} and renamed into
 * {@code versions/} in one step, so a reader sees a version complete or not at all; staging left by a crash is
 * removed on {@link #open}. After each publication only the newest {@code keep} versions stay, except that the
 * promoted one and the newest are never removed. Methods are synchronized: one writer per process (the trainer is a single active instance).
 */
public final class ModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    public static final String VERSIONS = "versions";
    public static final String MODEL_JSON = "model.json";
    public static final String CHECKPOINT = "checkpoint";
    public static final String ONNX = "onnx";
    public static final String PROMOTED = "PROMOTED";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A new version's content and provenance.
     *
     * @param checkpointDir the job's checkpoint, copied into the version
     * @param parentVersion the registry version it started from; null for scratch or an import
     * @param configuration the job's settings as plain values
     * @param status        CANDIDATE, PROMOTED or REJECTED
     * @param reason        why (the gate's reason)
     */
    public record Publication(Path checkpointDir, String parentVersion, String snapshotId, Map<String, Object> configuration,
                              long seed, String codeVersion, Map<String, Double> metrics, ModelStatus status, String reason) {
        public Publication {
            Objects.requireNonNull(checkpointDir, "checkpointDir");
            Objects.requireNonNull(status, "status");
            if (status == ModelStatus.ROLLED_BACK) {
                throw new IllegalArgumentException("a new version cannot be published ROLLED_BACK");
            }
            configuration = configuration == null ? Map.of() : Map.copyOf(configuration);
            metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        }
    }

    private final Path root;
    private final Path versions;
    private final int keep;
    private final ModelExporter exporter;

    private ModelRegistry(Path root, int keep, ModelExporter exporter) {
        this.root = root;
        this.versions = root.resolve(VERSIONS);
        this.keep = keep;
        this.exporter = exporter;
    }

    /**
     * Opens (creating if needed) the registry at {@code root}.
     *
     * @param keep     versions kept (≥ 1), the promoted one always among them
     * @param exporter fills each new version's export slot; null leaves the slot empty (to be filled by
     *                 {@link #attachExport})
     */
    public static ModelRegistry open(Path root, int keep, ModelExporter exporter) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("the registry must keep at least 1 version, got " + keep);
        }
        Files.createDirectories(root.resolve(VERSIONS));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, ".staging-*")) {
            for (Path p : ds) {
                LOG.warn("removing unfinished registry staging {}", p.getFileName());
                deleteTree(p);
            }
        }
        return new ModelRegistry(root, keep, exporter);
    }

    public Path root() {
        return root;
    }

    /** The registry's location as a {@code file:} URI. */
    public URI uri() {
        return root.toUri();
    }

    /** A version folder's {@code file:} URI. */
    public URI uri(String version) {
        return versionDir(version).toUri();
    }

    /**
     * The folder a {@code file:} URI of this registry names.
     *
     * @throws IllegalArgumentException for another scheme or a path outside the registry
     */
    public Path resolve(URI uri) {
        if (!"file".equals(uri.getScheme())) {
            throw new IllegalArgumentException("registry URIs are file: URIs, got " + uri);
        }
        Path p = Path.of(uri).normalize();
        if (!p.startsWith(root.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(uri + " is outside the registry " + uri());
        }
        return p;
    }

    /**
     * Publishes a new version atomically; a PROMOTED publication also moves the promoted pointer. Older versions
     * beyond {@code keep} are then removed.
     *
     * @throws IOException if the checkpoint cannot be read or copied, or the exporter fails; nothing is then published
     */
    public synchronized ModelManifest publish(Publication p) throws IOException {
        CheckpointManifest cm = Checkpoint.readManifest(p.checkpointDir());
        String version = nextVersion();
        Path staging = root.resolve(".staging-" + UUID.randomUUID());
        try {
            Path ck = staging.resolve(CHECKPOINT);
            Files.createDirectories(ck);
            for (String f : List.of(Checkpoint.WEIGHTS, Checkpoint.MANIFEST)) {
                Files.copy(p.checkpointDir().resolve(f), ck.resolve(f));
            }
            String sha = Checkpoint.sha256(ck.resolve(Checkpoint.WEIGHTS));
            if (cm.weightsSha256() != null && !cm.weightsSha256().equalsIgnoreCase(sha)) {
                throw new IOException(p.checkpointDir() + ": weights SHA-256 " + sha + " does not match its manifest's "
                        + cm.weightsSha256());
            }
            ExportInfo onnx = null;
            if (exporter != null) {
                Path slot = Files.createDirectories(staging.resolve(ONNX));
                onnx = exporter.export(ck, slot);
            }
            var m = new ModelManifest(ModelManifest.FORMAT, version, p.status(), p.parentVersion(), p.snapshotId(), cm.id(),
                    CHECKPOINT, sha, p.configuration(), p.seed(), p.codeVersion(), p.metrics(), p.reason(),
                    Instant.now().toString(), onnx, List.of(new ModelManifest.Event(Instant.now().toString(), p.status(),
                    p.reason())));
            writeJson(staging.resolve(MODEL_JSON), m);
            Files.move(staging, versionDir(version), StandardCopyOption.ATOMIC_MOVE);
            LOG.info("registry: published {} {} (snapshot {}, parent {}): {}", version, p.status(), p.snapshotId(),
                    p.parentVersion(), p.reason());
            if (p.status() == ModelStatus.PROMOTED) {
                writePointer(version);
            }
            retain();
            return m;
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
        }
    }

    /**
     * Makes {@code version} the promoted one (a CANDIDATE after a late gate, or a manual choice).
     *
     * @throws IllegalArgumentException if the version does not exist
     */
    public synchronized ModelManifest promote(String version, String note) throws IOException {
        ModelManifest m = require(version).withStatus(ModelStatus.PROMOTED, note);
        writeJson(versionDir(version).resolve(MODEL_JSON), m);
        writePointer(version);
        LOG.info("registry: promoted {}: {}", version, note);
        return m;
    }

    /**
     * Records the gate's decision on a CANDIDATE: PROMOTED (the pointer moves to it) or REJECTED, with the gate's
     * figures merged into its metrics and the reason.
     *
     * @throws IllegalArgumentException if the version does not exist
     * @throws IllegalStateException    if it is not a CANDIDATE (a decision is made once)
     */
    public synchronized ModelManifest conclude(String version, boolean promote, Map<String, Double> figures, String reason)
            throws IOException {
        ModelManifest c = require(version);
        if (c.status() != ModelStatus.CANDIDATE) {
            throw new IllegalStateException(version + " is " + c.status() + ", not a CANDIDATE: it was judged already");
        }
        ModelManifest m = c.judged(promote ? ModelStatus.PROMOTED : ModelStatus.REJECTED, figures, reason);
        writeJson(versionDir(version).resolve(MODEL_JSON), m);
        if (promote) {
            writePointer(version);
        }
        LOG.info("registry: {} {}: {}", version, m.status(), reason);
        return m;
    }

    /** Versions still CANDIDATE (published, not judged), oldest first. */
    public synchronized List<ModelManifest> candidates() throws IOException {
        return versions().stream().filter(m -> m.status() == ModelStatus.CANDIDATE).toList();
    }

    /**
     * Rolls the promoted pointer back to an earlier {@code version}: that version becomes PROMOTED again, the one
     * promoted until now becomes ROLLED_BACK.
     *
     * @throws IllegalArgumentException if the version does not exist, is the promoted one already, or was REJECTED
     */
    public synchronized ModelManifest rollback(String version) throws IOException {
        ModelManifest target = require(version);
        Optional<String> current = promotedVersion();
        if (current.isPresent() && current.get().equals(version)) {
            throw new IllegalArgumentException(version + " is already the promoted version");
        }
        if (target.status() == ModelStatus.REJECTED || target.status() == ModelStatus.CANDIDATE) {
            throw new IllegalArgumentException(version + " is " + target.status() + " and was never promoted: no rollback to it");
        }
        if (current.isPresent()) {
            ModelManifest old = require(current.get()).withStatus(ModelStatus.ROLLED_BACK, "rolled back to " + version);
            writeJson(versionDir(old.version()).resolve(MODEL_JSON), old);
        }
        ModelManifest m = target.withStatus(ModelStatus.PROMOTED, "rollback from " + current.orElse("none"));
        writeJson(versionDir(version).resolve(MODEL_JSON), m);
        writePointer(version);
        LOG.info("registry: rolled back from {} to {}", current.orElse("none"), version);
        return m;
    }

    /**
     * Fills an existing version's export slot (for versions published before an exporter existed).
     *
     * @throws IllegalStateException if the slot is already filled
     */
    public synchronized ModelManifest attachExport(String version, ModelExporter with) throws IOException {
        ModelManifest m = require(version);
        Path dir = versionDir(version);
        if (m.onnx() != null || Files.exists(dir.resolve(ONNX))) {
            throw new IllegalStateException(version + " already has an export");
        }
        Path slot = dir.resolve(".staging-" + ONNX);
        deleteTree(slot);
        Files.createDirectories(slot);
        try {
            ExportInfo info = with.export(dir.resolve(CHECKPOINT), slot);
            Files.move(slot, dir.resolve(ONNX), StandardCopyOption.ATOMIC_MOVE);
            ModelManifest updated = m.withOnnx(info);
            writeJson(dir.resolve(MODEL_JSON), updated);
            return updated;
        } finally {
            deleteTree(slot);
        }
    }

    /** The promoted version, if any. */
    public synchronized Optional<String> promotedVersion() throws IOException {
        Path f = root.resolve(PROMOTED);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        String v = Files.readString(f, StandardCharsets.UTF_8).strip();
        return v.isEmpty() || !Files.isDirectory(versionDir(v)) ? Optional.empty() : Optional.of(v);
    }

    /** The promoted version's manifest, if any. */
    public synchronized Optional<ModelManifest> promoted() throws IOException {
        Optional<String> v = promotedVersion();
        return v.isEmpty() ? Optional.empty() : manifest(v.get());
    }

    public synchronized Optional<ModelManifest> manifest(String version) throws IOException {
        Path f = versionDir(version).resolve(MODEL_JSON);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(f.toFile(), ModelManifest.class));
    }

    /** Every version's manifest, oldest first. */
    public synchronized List<ModelManifest> versions() throws IOException {
        var out = new ArrayList<ModelManifest>();
        for (String v : versionNames()) {
            manifest(v).ifPresent(out::add);
        }
        return out;
    }

    /** A version's checkpoint folder. */
    public Path checkpoint(String version) {
        return versionDir(version).resolve(CHECKPOINT);
    }

    public Path versionDir(String version) {
        if (!version.matches("v\\d{6,}")) {
            throw new IllegalArgumentException("not a registry version: '" + version + "' (expected v000001 and up)");
        }
        return versions.resolve(version);
    }

    private ModelManifest require(String version) throws IOException {
        return manifest(version).orElseThrow(() -> new IllegalArgumentException("no registry version " + version));
    }

    private List<String> versionNames() throws IOException {
        try (Stream<Path> s = Files.list(versions)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("v\\d{6,}"))
                    .sorted(Comparator.comparingLong(n -> Long.parseLong(n.substring(1)))).toList();
        }
    }

    private String nextVersion() throws IOException {
        List<String> names = versionNames();
        long last = names.isEmpty() ? 0 : Long.parseLong(names.get(names.size() - 1).substring(1));
        // Retention may have removed the newest folders' predecessors, never the newest: numbers only grow.
        return String.format("v%06d", last + 1);
    }

    private void retain() throws IOException {
        List<String> names = versionNames();
        String promoted = promotedVersion().orElse(null);
        String newest = names.isEmpty() ? null : names.get(names.size() - 1);
        int excess = names.size() - keep;
        for (String v : names) {
            if (excess <= 0) {
                break;
            }
            // The newest stays too: its number is the counter of the next version, which must never repeat.
            if (v.equals(promoted) || v.equals(newest)) {
                continue;
            }
            deleteTree(versionDir(v));
            excess--;
            LOG.info("registry: removed {} (keeping the last {})", v, keep);
        }
    }

    private void writePointer(String version) throws IOException {
        Path tmp = root.resolve(PROMOTED + ".tmp");
        Files.writeString(tmp, version + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, root.resolve(PROMOTED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeJson(Path file, Object value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), value);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
