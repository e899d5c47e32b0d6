package ai.seamstream.core.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.model.AffinityManifest;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.model.ModelManifest.TensorSpec;
import ai.seamstream.core.refine.AffinityFeatureSource;
import ai.seamstream.core.refine.MaskRefiner;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An exported AffinityNet opened on ONNX Runtime ({@link AffinityManifest}): the random walk's features without
 * libtorch. Loading checks the file against its manifest exactly as {@link OnnxModel} does for a SEAM model (SHA-256,
 * input and output names, element types, ranks, fixed sizes, the channel count) and fails with an
 * {@link IOException} naming the file and the fault. Closing frees the session.
 */
public final class OnnxAffinityModel implements AffinityFeatureSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final AffinityManifest manifest;
    private final OnnxSession session;
    private final Normalization normalization;

    private OnnxAffinityModel(Path dir, AffinityManifest manifest, OnnxSession session) {
        this.dir = dir;
        this.manifest = manifest;
        this.session = session;
        var c = manifest.contract();
        this.normalization = new Normalization(floats(c.mean()), floats(c.std()));
    }

    /** Whether {@code dir} holds an exported affinity network (a {@code model.json} of {@link AffinityManifest#FORMAT}). */
    public static boolean isAffinityModel(Path dir) {
        Path file = dir.resolve(AffinityManifest.FILE);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            return AffinityManifest.FORMAT.equals(JSON.readTree(file.toFile()).path("format").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads and checks an affinity model directory's manifest without opening the ONNX file.
     *
     * @throws IOException naming the file when it is missing, unreadable, of another format or incomplete
     */
    public static AffinityManifest readManifest(Path dir) throws IOException {
        Path file = dir.resolve(AffinityManifest.FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": not an affinity model directory (no " + AffinityManifest.FILE
                    + "; make one with 'seam export-affinity')");
        }
        AffinityManifest m = OnnxModel.readJson(file, AffinityManifest.class);
        if (!AffinityManifest.FORMAT.equals(m.format())) {
            throw new IOException(file + ": format '" + m.format() + "', expected '" + AffinityManifest.FORMAT + "'"
                    + (ModelManifest.FORMAT.equals(m.format()) ? " (this is a SEAM model, not an affinity network)" : ""));
        }
        List<String> missing = OnnxModel.missingCommon(m.classes(), m.onnxFile(), m.onnxSha256(), m.inputs());
        if (m.outputs() == null || m.outputs().size() != 1 || !AffinityManifest.OUTPUT.equals(m.outputs().get(0).name())) {
            missing.add("exactly one output '" + AffinityManifest.OUTPUT + "'");
        }
        if (m.contract() == null || m.contract().mean() == null || m.contract().mean().size() != 3 || m.contract().std() == null
                || m.contract().std().size() != 3) {
            missing.add("contract (mean and std of 3 values)");
        }
        if (!missing.isEmpty()) {
            throw new IOException(file + ": manifest lacks " + String.join(", ", missing));
        }
        if (m.featureStride() < 1 || m.featureStride() > 64 || m.featureChannels() < 1 || m.radius() < 1 || m.radius() > 64
                || m.contract().padMultiple() < 1 || m.contract().padMultiple() % m.featureStride() != 0) {
            throw new IOException(file + ": featureStride " + m.featureStride() + ", featureChannels " + m.featureChannels()
                    + ", radius " + m.radius() + " and padMultiple " + m.contract().padMultiple()
                    + " must be positive (stride and radius at most 64) with padMultiple a multiple of the stride");
        }
        if (!OnnxModel.plainName(m.onnxFile())) {
            throw new IOException(file + ": onnxFile must be a file name inside the directory, got '" + m.onnxFile() + "'");
        }
        return m;
    }

    /**
     * Opens an affinity model directory.
     *
     * @throws IOException naming the file if the manifest or ONNX file is missing, corrupt, truncated or does not fit
     */
    public static OnnxAffinityModel load(Path dir, OnnxSession.Settings settings) throws IOException {
        AffinityManifest m = readManifest(dir);
        OnnxSession session = OnnxModel.openVerified(dir, m.onnxFile(), m.onnxSha256(), settings, m.id() + " (affinity)");
        try {
            check(dir.resolve(m.onnxFile()), m, session);
        } catch (IOException | RuntimeException e) {
            OnnxModel.closeQuietly(session, e);
            throw e;
        }
        return new OnnxAffinityModel(dir, m, session);
    }

    /**
     * Opens the affinity network a SEAM model directory ships ({@link ModelManifest#affinity()}): the sub-folder's
     * model, whose ONNX hash must equal the one the SEAM manifest records and whose classes must be the SEAM model's.
     *
     * @throws IOException if the model ships none, or the shipped one is missing, corrupt or does not match
     */
    public static OnnxAffinityModel loadShipped(Path modelDir, ModelManifest seam, OnnxSession.Settings settings) throws IOException {
        if (seam.affinity() == null) {
            throw new IOException(modelDir + ": model " + seam.id() + " ships no affinity network (no 'affinity' in its "
                    + ModelManifest.FILE + "; export it with 'seam export --affinity DIR')");
        }
        Path dir = modelDir.resolve(seam.affinity().directory());
        AffinityManifest a = readManifest(dir);
        if (!a.onnxSha256().equalsIgnoreCase(seam.affinity().onnxSha256())) {
            throw new IOException(dir.resolve(AffinityManifest.FILE) + ": ONNX SHA-256 " + a.onnxSha256()
                    + " differs from the one model " + seam.id() + " records, " + seam.affinity().onnxSha256());
        }
        if (!a.classes().equals(seam.classes())) {
            throw new IOException(dir.resolve(AffinityManifest.FILE) + ": classes " + a.classes() + " differ from model "
                    + seam.id() + "'s " + seam.classes());
        }
        return load(dir, settings);
    }

    private static void check(Path onnx, AffinityManifest m, OnnxSession session) throws IOException {
        Map<String, NodeInfo> outputs = OnnxModel.checkImageInput(onnx, m.inputs().get(0), AffinityManifest.INPUT, session);
        TensorSpec out = m.outputs().get(0);
        NodeInfo info = outputs.get(out.name());
        if (info == null) {
            throw new IOException(onnx + ": graph has no output '" + out.name() + "' (it has " + outputs.keySet() + ")");
        }
        OnnxModel.checkTensor(onnx, "output", out, info);
        long[] shape = ((TensorInfo) info.getInfo()).getShape();
        if (shape.length != 4 || shape[1] != m.featureChannels()) {
            throw new IOException(onnx + ": output '" + out.name() + "' has shape " + Arrays.toString(shape)
                    + ", the manifest says N×" + m.featureChannels() + "×h×w (featureChannels " + m.featureChannels() + ")");
        }
    }

    public AffinityManifest manifest() {
        return manifest;
    }

    /** The directory the model was loaded from. */
    public Path directory() {
        return dir;
    }

    public OnnxSession session() {
        return session;
    }

    @Override
    public int radius() {
        return manifest.radius();
    }

    @Override
    public int stride() {
        return manifest.featureStride();
    }

    @Override
    public List<String> classes() {
        return manifest.classes();
    }

    /**
     * The normalised image zero-padded at the bottom and right to a multiple of the contract's {@code padMultiple},
     * {@code 3 × ph × pw}.
     */
    public float[] input(RgbImage img) {
        int w = img.width();
        int h = img.height();
        int m = manifest.contract().padMultiple();
        int pw = (w + m - 1) / m * m;
        int ph = (h + m - 1) / m * m;
        float[] full = normalization.toChw(img);
        if (pw == w && ph == h) {
            return full;
        }
        float[] padded = new float[3 * ph * pw];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(full, (c * h + y) * w, padded, (c * ph + y) * pw, w);
            }
        }
        return padded;
    }

    /**
     * The affinity features of one image on the walk's grid.
     *
     * @throws IOException if ONNX Runtime fails or the output is not the grid the manifest promises
     */
    @Override
    public MaskRefiner.AffinityFeatures features(RgbImage img) throws IOException {
        int m = manifest.contract().padMultiple();
        int pw = (img.width() + m - 1) / m * m;
        int ph = (img.height() + m - 1) / m * m;
        return run(input(img), new long[] {1, 3, ph, pw});
    }

    /**
     * Runs the graph on one normalised input {@code 1×3×H×W} (no padding added) and returns its feature map.
     *
     * @throws IOException if ONNX Runtime fails or the output is not {@code channels × ceil(H/stride) × ceil(W/stride)}
     */
    public MaskRefiner.AffinityFeatures run(float[] chw, long[] shape) throws IOException {
        if (shape.length != 4 || shape[0] != 1 || shape[1] != 3) {
            throw new IllegalArgumentException("affinity input must be 1×3×H×W, got " + Arrays.toString(shape));
        }
        OnnxSession.Output o;
        try {
            o = session.run(AffinityManifest.INPUT, chw, shape, Set.of(AffinityManifest.OUTPUT)).get(AffinityManifest.OUTPUT);
        } catch (OrtException e) {
            throw new IOException(dir + ": ONNX Runtime failed on a " + shape[3] + "x" + shape[2] + " input: " + e.getMessage(), e);
        }
        int s = manifest.featureStride();
        long gh = (shape[2] + s - 1) / s;
        long gw = (shape[3] + s - 1) / s;
        long[] os = o.shape();
        if (os.length != 4 || os[1] != manifest.featureChannels() || os[2] != gh || os[3] != gw) {
            throw new IOException(dir + ": affinity output " + Arrays.toString(os) + " for a " + shape[3] + "x" + shape[2]
                    + " input, expected [1, " + manifest.featureChannels() + ", " + gh + ", " + gw + "]");
        }
        return new MaskRefiner.AffinityFeatures(o.data(), (int) os[1], (int) os[2], (int) os[3]);
    }

    private static float[] floats(List<Double> v) {
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = v.get(i).floatValue();
        }
        return f;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX session of affinity model " + manifest.id() + " failed", e);
        }
    }
}
