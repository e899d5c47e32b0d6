package ai.seamstream.torch.pretrained;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.weights.WeightFile;
import ai.seamstream.core.weights.WeightFormat;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Turns a pretrained weight file into a project checkpoint ({@code seam import}). */
public final class WeightImport {
    private WeightImport() {
    }

    /**
     * One import.
     *
     * @param file               the weight file
     * @param format             its format, or null to recognise it from its bytes
     * @param backbone           the backbone the weights are for ({@link BackboneConfig#FULL} for the released files)
     * @param method             the network to build, or null: SEAM when the file holds the PCM heads, else CAM
     * @param classes            the class vocabulary (background first); must match the file's fc8 when it has one
     * @param strict             fail on any missing or unexpected tensor, not only on wrong shapes
     * @param inferenceScales    the scales the checkpoint's manifest recommends for inference
     * @param backgroundThreshold the background threshold the manifest recommends
     * @param out                the checkpoint directory to write
     */
    public record Request(Path file, WeightFormat format, BackboneConfig backbone, NetConfig.Method method,
                          ClassVocabulary classes, boolean strict, List<Double> inferenceScales, double backgroundThreshold,
                          Path out) {
        public Request {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(backbone, "backbone");
            Objects.requireNonNull(classes, "classes");
            Objects.requireNonNull(out, "out");
            inferenceScales = List.copyOf(inferenceScales);
        }
    }

    /** The checkpoint written and what the import loaded. */
    public record Outcome(CheckpointManifest manifest, PretrainedImport.Report report) {
    }

    /**
     * Reads the file, builds the network, loads it and writes the checkpoint (BatchNorm frozen and conv1a/b2 frozen,
     * the reference's fine-tuning set-up for pretrained weights).
     *
     * @throws IOException              if the file cannot be read or is malformed, or the checkpoint cannot be written
     * @throws IllegalArgumentException if the weights do not fit the network (the message lists what)
     */
    public static Outcome toCheckpoint(Request r, NDManager manager) throws IOException {
        WeightFile wf = WeightFormat.read(r.file(), r.format());
        NameMapping.Mapped mapped = NameMapping.map(wf);
        boolean hasPcm = mapped.tensors().stream().anyMatch(t -> t.name().equals("f9.weight"));
        NetConfig.Method method = r.method() != null ? r.method() : hasPcm ? NetConfig.Method.SEAM : NetConfig.Method.CAM;
        for (NamedTensor t : mapped.tensors()) {
            if (t.name().equals("fc8.weight") && t.shape().length >= 1 && t.shape()[0] != r.classes().size()) {
                throw new IllegalArgumentException(r.file() + ": fc8 scores " + t.shape()[0] + " classes (background"
                        + " included), the vocabulary has " + r.classes().size() + " " + r.classes().names()
                        + "; give the file's classes");
            }
        }
        var config = new NetConfig(r.backbone(), r.classes().size(), method, NetConfig.BatchNormMode.FROZEN, true,
                NetConfig.DEFAULT_PCM_CHUNK);
        try (SeamNetwork net = new SeamNetwork(config, manager, 0L)) {
            PretrainedImport.Report report;
            try {
                report = PretrainedImport.load(net.params(), wf, r.strict());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(r.file() + ": " + e.getMessage(), e);
            }
            String sha = Checkpoint.sha256(r.file());
            String stem = r.file().getFileName().toString().replaceAll("\\.[A-Za-z]+$", "")
                    .replaceAll("[^A-Za-z0-9_.-]", "_");
            String format = wf.format().word();
            var imported = new CheckpointManifest.ImportSpec(r.file().getFileName().toString(), format,
                    report.scheme().name().toLowerCase(Locale.ROOT), sha, report.loaded(), report.kept());
            Normalization norm = Normalization.IMAGENET;
            var manifest = new CheckpointManifest(CheckpointManifest.FORMAT, "import-" + stem + "-" + sha.substring(0, 12),
                    r.classes().names(), CheckpointManifest.NetworkSpec.of(config),
                    new CheckpointManifest.InferenceSpec(r.inferenceScales(), true, r.backgroundThreshold(),
                            toList(norm.mean()), toList(norm.std())),
                    null, null, java.util.Map.of(), null, Instant.now().toString(), TrainingRun.codeVersion(), null, null,
                    imported);
            return new Outcome(Checkpoint.save(r.out(), net, manifest), report);
        }
    }

    private static List<Double> toList(float[] v) {
        var out = new ArrayList<Double>(v.length);
        for (float x : v) {
            out.add((double) x);
        }
        return out;
    }
}
