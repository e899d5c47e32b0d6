package ai.seamstream.torch.train;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.augment.AugmentConfig;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.net.WeightsIo;
import ai.seamstream.core.weights.WeightFile;
import ai.seamstream.core.weights.WeightFormat;
import ai.seamstream.torch.pretrained.PretrainedImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One complete training job: build (or inherit) the network, train it, save a checkpoint with its provenance. */
public final class TrainingRun {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    /**
     * Everything a job needs; {@code init} is an optional start: a parent checkpoint directory, or a pretrained
     * weight file (MXNet .params, PyTorch .pth, safetensors) read through {@link PretrainedImport}.
     */
    public record Request(NetConfig net, SeamTrainer.Config trainer, Path init, Path out, double[] inferenceScales,
                          float backgroundThreshold) {
    }

    /** The saved checkpoint's manifest and the training outcome. */
    public record Outcome(CheckpointManifest manifest, SeamTrainer.Result result) {
    }

    private TrainingRun() {
    }

    /**
     * Trains and saves; the network lives in {@code manager} only for the run.
     *
     * @throws IOException if the parent checkpoint cannot be read or the output cannot be written
     */
    public static Outcome execute(Request req, TrainingSet data, NDManager manager, BooleanSupplier cancelled) throws IOException {
        return execute(req, data, manager, cancelled, p -> { });
    }

    /**
     * Trains and saves like {@link #execute(Request, TrainingSet, NDManager, BooleanSupplier)}, also handing every
     * progress report (already logged) to {@code progress}, so that a service can expose it; {@code cancelled} is
     * polled once per step and a cancelled run stops after that step and still saves what it has.
     *
     * @throws SeamTrainer.DivergedException on a non-finite loss (nothing is saved)
     */
    public static Outcome execute(Request req, TrainingSet data, NDManager manager, BooleanSupplier cancelled,
                                  SeamTrainer.Listener progress) throws IOException {
        String parent = null;
        String initTag = "scratch";
        CheckpointManifest.ImportSpec imported = null;
        try (SeamNetwork net = new SeamNetwork(req.net(), manager, req.trainer().seed())) {
            if (req.init() != null && Files.isRegularFile(req.init())) {
                imported = importInto(net, req.init());
                initTag = "import:" + imported.format() + ":" + imported.file() + "@sha256:" + imported.sha256();
            } else if (req.init() != null) {
                try (Checkpoint.Loaded init = Checkpoint.load(req.init(), manager)) {
                    if (!init.manifest().vocabulary().equals(data.classes())) {
                        throw new IllegalArgumentException("checkpoint " + req.init() + " has classes " + init.manifest().classes()
                                + ", the data " + data.classes().names());
                    }
                    // A CAM checkpoint lacks the PCM heads (f8_3, f8_4, f9): a SEAM run from it starts them fresh, as the
                    // reference does from an ImageNet classifier. Anything else must match exactly.
                    boolean camToSeam = init.network().config().method() == NetConfig.Method.CAM
                            && req.net().method() == NetConfig.Method.SEAM;
                    if (camToSeam && !init.network().config().backbone().equals(req.net().backbone())) {
                        throw new IllegalArgumentException("checkpoint " + req.init() + " has backbone "
                                + init.network().config().backbone() + ", the run asks for " + req.net().backbone());
                    }
                    WeightsIo.load(net.params(), WeightsIo.export(init.network().params()), !camToSeam);
                    if (camToSeam) {
                        LOG.info("CAM checkpoint into a SEAM network: f8_3, f8_4 and f9 start from their initialisation");
                    }
                    parent = init.manifest().id();
                }
                LOG.info("starting from checkpoint {} ({})", req.init(), parent);
                initTag = "checkpoint:" + parent;
            }
            LOG.info("training {} on {} images of '{}' ({} classes), {} steps of batch {}, {} weights",
                    req.net().method(), data.size(), data.name(), data.classes().foregroundCount(), req.trainer().steps(),
                    req.trainer().batch(), net.params().weightCount());
            SeamTrainer.Result result = SeamTrainer.train(net, data, req.trainer(), p -> {
                LOG.info(p.line());
                progress.onProgress(p);
            }, cancelled);
            LOG.info("trained {} steps in {}s; loss {} -> {}", result.steps(), String.format("%.1f", result.seconds()),
                    result.first() == null ? "-" : String.format("%.4f", result.first().total()),
                    result.last() == null ? "-" : String.format("%.4f", result.last().total()));
            var t = req.trainer();
            AugmentConfig a = t.augment();
            var opt = t.optimizer();
            Normalization norm = a.norm();
            String id = req.net().method().name().toLowerCase() + "-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                    .withZone(ZoneOffset.UTC).format(Instant.now()) + "-s" + t.seed();
            var manifest = new CheckpointManifest(CheckpointManifest.FORMAT, id, data.classes().names(),
                    CheckpointManifest.NetworkSpec.of(req.net()),
                    new CheckpointManifest.InferenceSpec(Arrays.stream(req.inferenceScales()).boxed().toList(), true,
                            req.backgroundThreshold(), toList(norm.mean()), toList(norm.std())),
                    new CheckpointManifest.TrainingSpec(result.steps(), t.batch(), a.cropSize(), a.longMin(), a.longMax(),
                            opt.baseLr(), opt.headLrMultiplier(), opt.weightDecay(), opt.momentum(), opt.power(),
                            t.transformScale(), t.seed(), initTag, result.seconds()),
                    new CheckpointManifest.DatasetSpec(data.name(), data.split(), data.size(), data.idsSha256(), null),
                    result.last() == null ? Map.of() : Map.of("finalLoss", (double) result.last().total()),
                    parent, Instant.now().toString(), codeVersion(), null, null, imported);
            CheckpointManifest saved = Checkpoint.save(req.out(), net, manifest);
            LOG.info("checkpoint {} written to {}", saved.id(), req.out());
            return new Outcome(saved, result);
        }
    }

    /** Loads a pretrained weight file into the run's network (leniently: heads a file lacks keep their start). */
    private static CheckpointManifest.ImportSpec importInto(SeamNetwork net, Path file) throws IOException {
        WeightFile wf = WeightFormat.read(file, null);
        PretrainedImport.Report report;
        try {
            report = PretrainedImport.load(net.params(), wf, false);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        LOG.info("starting from weight file {} ({})", file, report.summary());
        return new CheckpointManifest.ImportSpec(file.getFileName().toString(), wf.format().word(),
                report.scheme().name().toLowerCase(java.util.Locale.ROOT), Checkpoint.sha256(file), report.loaded(),
                report.kept());
    }

    private static List<Double> toList(float[] v) {
        var out = new java.util.ArrayList<Double>(v.length);
        for (float x : v) {
            out.add((double) x);
        }
        return out;
    }

    /** The implementation version from the jar manifest, or "dev" when run from classes. */
    public static String codeVersion() {
        String v = TrainingRun.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
