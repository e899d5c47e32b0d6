package ai.seamstream.core.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import ai.seamstream.core.model.ModelFiles;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.model.ModelManifest.TensorSpec;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An exported model directory opened for inference: {@code model.json} ({@link ModelManifest}) and the ONNX file it
 * names. Loading checks the file against the manifest (SHA-256, opset, input and output names, shapes and class
 * count) and fails with an {@link IOException} naming the file and what is wrong, so a corrupt, truncated or
 * mismatched model never produces masks. Closing frees the session.
 */
public final class OnnxModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelManifest manifest;
    private final OnnxSession session;
    private final Path dir;

    private OnnxModel(Path dir, ModelManifest manifest, OnnxSession session) {
        this.dir = dir;
        this.manifest = manifest;
        this.session = session;
    }

    /**
     * Reads and checks a model directory's manifest without opening the ONNX file.
     *
     * @throws IOException naming the file when it is missing, unreadable, of another format or incomplete
     */
    public static ModelManifest readManifest(Path dir) throws IOException {
        Path file = dir.resolve(ModelManifest.FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": not a model directory (no " + ModelManifest.FILE + ")");
        }
        ModelManifest m = readJson(file, ModelManifest.class);
        if (!ModelManifest.FORMAT.equals(m.format())) {
            throw new IOException(file + ": format '" + m.format() + "', expected '" + ModelManifest.FORMAT + "'");
        }
        List<String> missing = missingCommon(m.classes(), m.onnxFile(), m.onnxSha256(), m.inputs());
        if (m.outputs() == null || m.output(ModelManifest.CAM) == null || m.output(ModelManifest.SCORES) == null) {
            missing.add("outputs '" + ModelManifest.CAM + "' and '" + ModelManifest.SCORES + "'");
        }
        if (m.contract() == null || m.contract().mean() == null || m.contract().std() == null || m.contract().scales() == null
                || m.contract().scales().isEmpty()) {
            missing.add("contract (mean, std, scales)");
        }
        if (!missing.isEmpty()) {
            throw new IOException(file + ": manifest lacks " + String.join(", ", missing));
        }
        if (m.onnxFile().contains("/") || m.onnxFile().contains("\\") || m.onnxFile().equals("..")) {
            throw new IOException(file + ": onnxFile must be a file name inside the model directory, got '" + m.onnxFile() + "'");
        }
        if (m.affinity() != null && !plainName(m.affinity().directory())) {
            throw new IOException(file + ": affinity.directory must be one folder name inside the model directory, got '"
                    + m.affinity().directory() + "'");
        }
        if (m.affinity() != null && (m.affinity().onnxSha256() == null || !m.affinity().onnxSha256().matches("[0-9a-fA-F]{64}"))) {
            throw new IOException(file + ": affinity.onnxSha256 must be a hex SHA-256, got '" + m.affinity().onnxSha256() + "'");
        }
        return m;
    }

    /** A manifest file parsed as {@code type}; a parse error names the file and its first line of reason. */
    static <T> T readJson(Path file, Class<T> type) throws IOException {
        try {
            return JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new IOException(file + ": unreadable manifest: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
    }

    /**
     * What an ONNX manifest (SEAM model or affinity network) lacks of the fields every one needs: classes, the ONNX
     * file's name and hash, exactly one input. The list is mutable for the caller's own checks.
     */
    static List<String> missingCommon(List<String> classes, String onnxFile, String onnxSha256, List<?> inputs) {
        List<String> missing = new ArrayList<>();
        if (classes == null || classes.size() < 2) {
            missing.add("classes (background and at least one class)");
        }
        if (onnxFile == null || onnxFile.isBlank()) {
            missing.add("onnxFile");
        }
        if (onnxSha256 == null || onnxSha256.isBlank()) {
            missing.add("onnxSha256");
        }
        if (inputs == null || inputs.size() != 1) {
            missing.add("exactly one input");
        }
        return missing;
    }

    /** Whether {@code name} is one non-empty path element (no separators, not {@code .} or {@code ..}). */
    static boolean plainName(String name) {
        return name != null && !name.isBlank() && !name.contains("/") && !name.contains("\\") && !name.equals(".")
                && !name.equals("..");
    }

    /**
     * Opens a model directory.
     *
     * @throws IOException naming the file if the manifest or ONNX file is missing, corrupt, truncated or does not fit
     */
    public static OnnxModel load(Path dir, OnnxSession.Settings settings) throws IOException {
        ModelManifest m = readManifest(dir);
        Path onnx = dir.resolve(m.onnxFile());
        OnnxSession session = openVerified(dir, m.onnxFile(), m.onnxSha256(), settings, m.id());
        try {
            check(onnx, m, session);
        } catch (IOException | RuntimeException e) {
            closeQuietly(session, e);
            throw e;
        }
        return new OnnxModel(dir, m, session);
    }

    /**
     * Opens the ONNX file {@code onnxFile} of {@code dir} after checking its SHA-256 against {@code sha256}.
     *
     * @throws IOException naming the file when it is missing, its hash differs (the message gives its size) or ONNX
     *                     Runtime cannot load it
     */
    static OnnxSession openVerified(Path dir, String onnxFile, String sha256, OnnxSession.Settings settings, String name)
            throws IOException {
        Path onnx = dir.resolve(onnxFile);
        if (!Files.isRegularFile(onnx)) {
            throw new IOException(dir + ": ONNX file " + onnxFile + " is missing");
        }
        byte[] bytes = Files.readAllBytes(onnx);
        String actual = ModelFiles.sha256(bytes);
        if (!actual.equalsIgnoreCase(sha256)) {
            throw new IOException(onnx + ": SHA-256 " + actual + " does not match the manifest's " + sha256
                    + " (" + bytes.length + " bytes; corrupt, truncated or replaced file)");
        }
        try {
            return OnnxSession.open(bytes, settings, name);
        } catch (OrtException e) {
            throw new IOException(onnx + ": ONNX Runtime cannot load the model (corrupt or unsupported file): "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
    }

    /** The graph's inputs and outputs against the manifest: names, element type, rank, fixed sizes, class count. */
    private static void check(Path onnx, ModelManifest m, OnnxSession session) throws IOException {
        Map<String, NodeInfo> outputs = checkImageInput(onnx, m.inputs().get(0), ModelManifest.INPUT, session);
        int classes = m.classes().size();
        for (TensorSpec out : m.outputs()) {
            NodeInfo info = outputs.get(out.name());
            if (info == null) {
                throw new IOException(onnx + ": graph has no output '" + out.name() + "' (it has " + outputs.keySet() + ")");
            }
            checkTensor(onnx, "output", out, info);
            long[] shape = ((TensorInfo) info.getInfo()).getShape();
            if (shape.length < 2 || shape[1] != classes) {
                throw new IOException(onnx + ": output '" + out.name() + "' has " + (shape.length < 2 ? "no class axis" : shape[1]
                        + " classes") + " but the manifest lists " + classes + " " + m.classes());
            }
        }
    }

    /**
     * Reads the graph's inputs and outputs and checks its one input against the manifest's {@code in}: named
     * {@code feeds} (what this runtime feeds), the graph's only input, a float32 N×3×H×W tensor of the manifest's shape.
     *
     * @return the graph's outputs, for the caller's own checks
     */
    static Map<String, NodeInfo> checkImageInput(Path onnx, TensorSpec in, String feeds, OnnxSession session) throws IOException {
        Map<String, NodeInfo> inputs;
        Map<String, NodeInfo> outputs;
        try {
            inputs = session.inputs();
            outputs = session.outputs();
        } catch (OrtException e) {
            throw new IOException(onnx + ": cannot read the graph's inputs and outputs: " + e.getMessage(), e);
        }
        if (!feeds.equals(in.name())) {
            throw new IOException(onnx + ": manifest input is '" + in.name() + "', this runtime feeds '" + feeds + "'");
        }
        if (!inputs.keySet().equals(Set.of(in.name()))) {
            throw new IOException(onnx + ": graph inputs " + inputs.keySet() + " differ from the manifest's [" + in.name() + "]");
        }
        checkTensor(onnx, "input", in, inputs.get(in.name()));
        long[] inShape = ((TensorInfo) inputs.get(in.name()).getInfo()).getShape();
        if (inShape.length != 4 || inShape[1] != 3) {
            throw new IOException(onnx + ": input '" + in.name() + "' must be N×3×H×W, the graph has " + Arrays.toString(inShape));
        }
        return outputs;
    }

    static void checkTensor(Path onnx, String role, TensorSpec spec, NodeInfo info) throws IOException {
        if (!(info.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
            throw new IOException(onnx + ": " + role + " '" + spec.name() + "' must be a float32 tensor, the graph has " + info.getInfo());
        }
        long[] shape = t.getShape();
        if (spec.shape() == null || spec.shape().size() != shape.length) {
            throw new IOException(onnx + ": " + role + " '" + spec.name() + "' has rank " + shape.length + " in the graph, "
                    + (spec.shape() == null ? "none" : spec.shape().size()) + " in the manifest");
        }
        for (int i = 0; i < shape.length; i++) {
            String want = spec.shape().get(i);
            boolean fixed = want.chars().allMatch(Character::isDigit) && !want.isEmpty();
            if (fixed ? shape[i] != Long.parseLong(want) : shape[i] >= 0) {
                throw new IOException(onnx + ": " + role + " '" + spec.name() + "' has shape " + Arrays.toString(shape)
                        + " in the graph (-1 = dynamic), the manifest says " + spec.shape());
            }
        }
    }

    static void closeQuietly(OnnxSession session, Exception cause) {
        try {
            session.close();
        } catch (OrtException e) {
            cause.addSuppressed(e);
        }
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public OnnxSession session() {
        return session;
    }

    /** The directory the model was loaded from. */
    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX session of " + manifest.id() + " failed", e);
        }
    }
}
