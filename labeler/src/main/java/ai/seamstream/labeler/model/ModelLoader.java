package ai.seamstream.labeler.model;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.model.AffinityManifest;
import ai.seamstream.core.model.ModelFiles;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.onnx.OnnxAffinityModel;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxPseudoMasks;
import ai.seamstream.core.onnx.OnnxSession;
import ai.seamstream.core.refine.MaskRefiner;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Turns a promoted model event into a {@link ServingModel}: fetches the model directory ({@code file:} or
 * {@code http(s):} URI of the directory or of its {@code model.json}; the ONNX file lies beside it) into a local
 * cache, checks the ONNX file's SHA-256 against the event, loads it with the manifest checks of {@link OnnxModel}
 * (hash, classes, inputs, outputs), then warms it up and runs a self-test. With a random-walk refinement the model
 * must ship its affinity network ({@code affinity} in the manifest), which is fetched, checked and loaded with it. Any failure is a {@link ModelLoadException}
 * naming the step; nothing half-loaded stays open.
 */
public final class ModelLoader {
    /** A model that failed a step; {@link #step()} is fetch, verify, load or self-test. */
    public static final class ModelLoadException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String step;

        public ModelLoadException(String step, String message, Throwable cause) {
            super(step + ": " + message, cause);
            this.step = step;
        }

        public String step() {
            return step;
        }
    }

    private final Path cache;
    private final OnnxSession.Settings session;
    private final int inferenceBatch;
    private final int selfTestSize;
    private final HttpClient http;
    private final MaskRefiner.Options refine;

    /** A loader for models that serve without refinement. */
    public ModelLoader(Path cache, OnnxSession.Settings session, int inferenceBatch, int selfTestSize) {
        this(cache, session, inferenceBatch, selfTestSize, MaskRefiner.Options.reference(MaskRefiner.Mode.NONE));
    }

    /**
     * A loader for models that serve with {@code refine}; for the random-walk modes every model must ship its affinity
     * network ({@link ModelManifest#affinity()}), which is fetched, verified and self-tested with it.
     */
    public ModelLoader(Path cache, OnnxSession.Settings session, int inferenceBatch, int selfTestSize, MaskRefiner.Options refine) {
        this.refine = Objects.requireNonNull(refine, "refine");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.session = Objects.requireNonNull(session, "session");
        this.inferenceBatch = inferenceBatch;
        this.selfTestSize = selfTestSize;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /**
     * Fetches, verifies, loads, warms up and self-tests one model version.
     *
     * @param expectedSha256 the ONNX file's hex SHA-256 from the model event (required)
     */
    public ServingModel load(String version, URI uri, String expectedSha256) throws ModelLoadException {
        if (version == null || version.isBlank() || !version.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new ModelLoadException("fetch", "model version '" + version + "' must be 1-128 of [A-Za-z0-9._-]", null);
        }
        if (expectedSha256 == null || !expectedSha256.matches("[0-9a-fA-F]{64}")) {
            throw new ModelLoadException("verify", "model " + version + ": the event carries no SHA-256 of the ONNX file", null);
        }
        Path dir = fetch(version, uri);
        try {
            String actual = ModelFiles.sha256(dir.resolve(OnnxModel.readManifest(dir).onnxFile()));
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                throw new ModelLoadException("verify", "model " + version + ": ONNX file SHA-256 " + actual
                        + " differs from the event's " + expectedSha256, null);
            }
        } catch (IOException e) {
            throw new ModelLoadException("verify", "model " + version + ": " + e.getMessage(), e);
        }
        OnnxModel model;
        try {
            model = OnnxModel.load(dir, session);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("load", "model " + version + ": " + e.getMessage(), e);
        }
        OnnxAffinityModel affinity = null;
        if (refine.mode().needsAffinity()) {
            try {
                affinity = OnnxAffinityModel.loadShipped(dir, model.manifest(), session);
            } catch (IOException | RuntimeException e) {
                model.close();
                throw new ModelLoadException("load", "model " + version + ": seam.labeler.refine=" + refine.mode()
                        + " needs the model's affinity network: " + e.getMessage(), e);
            }
        }
        try {
            var pipeline = new OnnxPseudoMasks(model, OnnxPseudoMasks.Options.of(model.manifest()).withMaxBatch(inferenceBatch));
            var refiner = new Refiner(refine, affinity);
            long t0 = System.nanoTime();
            selfTest(version, model.manifest(), pipeline, refiner);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            return new ServingModel(version, expectedSha256.toLowerCase(java.util.Locale.ROOT), model, pipeline, refiner, ms);
        } catch (ModelLoadException | RuntimeException e) {
            model.close();
            if (affinity != null) {
                affinity.close();
            }
            if (e instanceof ModelLoadException m) {
                throw m;
            }
            throw new ModelLoadException("self-test", "model " + version + ": " + e, e);
        }
    }

    /**
     * Warm-up and self-test: a synthetic image (a colour gradient with a bright square) through the whole pipeline,
     * once with predicted tags and once tagged with the first class; the mask must have the image's size and only
     * known labels, the probabilities and the uncertainty must be finite and in [0, 1]; with refinement on, the
     * refined masks are checked the same way.
     */
    void selfTest(String version, ModelManifest m, OnnxPseudoMasks pipeline, Refiner refiner) throws ModelLoadException {
        int s = selfTestSize;
        RgbImage img = RgbImage.blank(s, s + s / 4);
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                boolean square = x > s / 4 && x < 3 * s / 4 && y > s / 4 && y < 3 * s / 4;
                img.set(x, y, 0, square ? 230 : (x * 255) / s);
                img.set(x, y, 1, square ? 40 : (y * 255) / img.height());
                img.set(x, y, 2, square ? 40 : 128);
            }
        }
        int fg = m.classes().size() - 1;
        boolean[] first = new boolean[fg];
        first[0] = true;
        List<PseudoMaskResult> out;
        try {
            out = pipeline.run(List.of(new OnnxPseudoMasks.Request(img, null), new OnnxPseudoMasks.Request(img, first)));
        } catch (Exception e) {
            throw new ModelLoadException("self-test", "model " + version + ": the pipeline failed on the test image: " + e, e);
        }
        for (PseudoMaskResult r : out) {
            List<LabelMask> masks = new java.util.ArrayList<>(List.of(r.mask()));
            if (refiner.active()) {
                try {
                    masks.add(refiner.refine(img, r).mask());
                } catch (Exception e) {
                    throw new ModelLoadException("self-test", "model " + version + ": refinement " + refiner.options().mode()
                            + " failed on the test image: " + e, e);
                }
            }
            for (LabelMask mask : masks) {
                checkMask(version, img, mask, fg);
            }
            for (float p : r.classProbabilities()) {
                if (!(p >= 0f && p <= 1f)) {
                    throw new ModelLoadException("self-test", "model " + version + ": class probability " + p + " is not in [0, 1]", null);
                }
            }
            for (float u : r.uncertainty()) {
                if (!(u >= 0f && u <= 1f)) {
                    throw new ModelLoadException("self-test", "model " + version + ": uncertainty " + u + " is not in [0, 1]", null);
                }
            }
        }
    }

    private static void checkMask(String version, RgbImage img, LabelMask mask, int fg) throws ModelLoadException {
        if (mask.width() != img.width() || mask.height() != img.height()) {
            throw new ModelLoadException("self-test", "model " + version + ": mask is " + mask.width() + "x"
                    + mask.height() + " for a " + img.width() + "x" + img.height() + " image", null);
        }
        for (byte b : mask.labels()) {
            int v = b & 0xff;
            if (v > fg && v != 255) {
                throw new ModelLoadException("self-test", "model " + version + ": mask label " + v + " outside 0.." + fg, null);
            }
        }
    }

    /** Copies the model directory named by {@code uri} into {@code cache/<version>} (replacing an older copy). */
    Path fetch(String version, URI uri) throws ModelLoadException {
        if (uri == null || uri.getScheme() == null) {
            throw new ModelLoadException("fetch", "model " + version + ": no URI", null);
        }
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        String text = uri.toString();
        String base = text.endsWith("/" + ModelManifest.FILE) ? text.substring(0, text.length() - ModelManifest.FILE.length())
                : text.endsWith("/") ? text : text + "/";
        Path target = cache.resolve(version);
        Path tmp = cache.resolve(version + ".part");
        try {
            Files.createDirectories(cache);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            switch (scheme) {
                case "file", "http", "https" -> {
                    copy(scheme, URI.create(base + ModelManifest.FILE), tmp.resolve(ModelManifest.FILE));
                    ModelManifest m = OnnxModel.readManifest(tmp);
                    copy(scheme, URI.create(base + m.onnxFile()), tmp.resolve(m.onnxFile()));
                    if (refine.mode().needsAffinity() && m.affinity() != null) {
                        // the affinity network's folder (a plain name, checked by readManifest), fetched only when used
                        String sub = m.affinity().directory();
                        Path to = Files.createDirectories(tmp.resolve(sub));
                        copy(scheme, URI.create(base + sub + "/" + AffinityManifest.FILE), to.resolve(AffinityManifest.FILE));
                        String onnx = OnnxAffinityModel.readManifest(to).onnxFile();
                        copy(scheme, URI.create(base + sub + "/" + onnx), to.resolve(onnx));
                    }
                }
                default -> throw new ModelLoadException("fetch", "model " + version + ": URI scheme '" + scheme
                        + "' is not supported (file:, http:, https:)", null);
            }
            deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelLoadException("fetch", "model " + version + " from " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("fetch", "model " + version + ": interrupted", e);
        }
    }

    private void copy(String scheme, URI from, Path to) throws IOException, InterruptedException {
        if (scheme.equals("file")) {
            Path p = Path.of(from);
            if (!Files.isRegularFile(p)) {
                throw new IOException(p + " does not exist");
            }
            Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(from).timeout(Duration.ofMinutes(5)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("GET " + from + " answered " + r.statusCode());
            }
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
