package ai.seamstream.trainer.service;

import ai.seamstream.core.augment.AugmentConfig;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.infer.MultiScaleInference;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.train.PolySgd;
import ai.seamstream.torch.train.SeamTrainer;
import ai.seamstream.trainer.cycle.TrainingCycle;
import ai.seamstream.trainer.dataset.HoldOutSplit;
import ai.seamstream.trainer.gate.HoldOutEvaluator;
import ai.seamstream.trainer.gate.Metric;
import ai.seamstream.trainer.gate.PromotionGate;
import ai.seamstream.trainer.job.JobSpec;
import ai.seamstream.trainer.policy.RetrainPolicy;
import ai.seamstream.trainer.registry.CodeVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Turns {@link TrainerSettings} into the core's objects: policy, gate, job spec, cycle configuration. */
public final class ServiceConfig {
    private ServiceConfig() {
    }

    /** {@code voc2012}, {@code file:PATH} or a comma list of foreground names. */
    public static ClassVocabulary vocabulary(String spec) {
        try {
            return ClassVocabulary.parse(spec);
        } catch (IOException e) {
            throw new UncheckedIOException("seam.trainer.classes: cannot read " + spec.strip().substring(5), e);
        }
    }

    /**
     * The enabled rules joined with "or": every N changes ({@code every-new-labels > 0}), every T with at least M
     * changes ({@code every} set), on demand ({@code on-demand}); none enabled = never.
     */
    public static RetrainPolicy policy(TrainerSettings.Policy p) {
        if (p.everyNewLabels() < 0) {
            throw new IllegalArgumentException("seam.trainer.policy.every-new-labels must be >= 0 (0 = off), got "
                    + p.everyNewLabels());
        }
        RetrainPolicy policy = RetrainPolicy.never();
        if (p.everyNewLabels() > 0) {
            policy = policy.or(RetrainPolicy.everyNewLabels(p.everyNewLabels()));
        }
        if (p.every().isPresent()) {
            policy = policy.or(RetrainPolicy.every(p.every().get(), p.everyMinChanges()));
        }
        if (p.onDemand()) {
            policy = policy.or(RetrainPolicy.onDemand());
        }
        return policy;
    }

    /** Not worse (within the tolerance) on each configured metric, and the configured floors. */
    public static PromotionGate gate(TrainerSettings.Gate g) {
        if (!(g.tolerance() >= 0)) {
            throw new IllegalArgumentException("seam.trainer.gate.tolerance must be >= 0, got " + g.tolerance());
        }
        PromotionGate gate = null;
        var seen = new java.util.HashSet<Metric>();
        for (String name : g.metrics()) {
            Metric m = Metric.byKey(name.strip());
            if (seen.add(m)) {
                PromotionGate one = PromotionGate.notWorse(m, g.tolerance());
                gate = gate == null ? one : gate.and(one);
            }
        }
        if (gate == null) {
            throw new IllegalArgumentException("seam.trainer.gate.metrics names no metric; use "
                    + Arrays.stream(Metric.values()).map(Metric::key).toList());
        }
        if (g.minMeanIou().isPresent()) {
            gate = gate.and(PromotionGate.atLeast(Metric.MEAN_IOU, g.minMeanIou().get()));
        }
        if (g.minTagMap().isPresent()) {
            gate = gate.and(PromotionGate.atLeast(Metric.TAG_MAP, g.minTagMap().get()));
        }
        if (g.minAgreement().isPresent()) {
            gate = gate.and(PromotionGate.minAgreement(g.minAgreement().get()));
        }
        return gate;
    }

    /** The job's network, trainer settings and start weights. */
    public static JobSpec jobSpec(TrainerSettings.Job j, ClassVocabulary v) {
        BackboneConfig backbone = switch (j.backbone().strip().toLowerCase(Locale.ROOT)) {
            case "full" -> BackboneConfig.FULL;
            case "small" -> BackboneConfig.small(j.width(), j.unitsPerStage());
            default -> throw new IllegalArgumentException("seam.trainer.job.backbone must be full or small, got '"
                    + j.backbone() + "'");
        };
        NetConfig.BatchNormMode bn;
        try {
            bn = NetConfig.BatchNormMode.valueOf(j.batchNorm().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("seam.trainer.job.batch-norm must be one of "
                    + Arrays.toString(NetConfig.BatchNormMode.values()) + ", got '" + j.batchNorm() + "'");
        }
        if (!NetConfig.validHeadWidth(j.headWidth())) {
            throw new IllegalArgumentException("seam.trainer.job.head-width must be 0 (follow the backbone) or in (0, 1], got "
                    + j.headWidth());
        }
        var net = new NetConfig(backbone, v.size(), NetConfig.Method.SEAM, bn, j.freezeEarly(), NetConfig.DEFAULT_PCM_CHUNK,
                j.headWidth());
        var augment = AugmentConfig.reference().withSizes(j.crop(), j.longMin(), j.longMax());
        var opt = new PolySgd.Config(j.learningRate(), j.headLrMultiplier(), j.weightDecay(), j.momentum(), j.power(),
                j.steps());
        var trainer = new SeamTrainer.Config(j.steps(), j.batch(), augment, opt, j.transformScale(), j.seed(), j.logEvery());
        JobSpec.Start start = j.start().strip().equalsIgnoreCase("scratch") ? JobSpec.Start.scratch()
                : JobSpec.Start.pretrained(Path.of(j.start().strip()));
        return new JobSpec(net, trainer, start, doubles(j.inferenceScales(), "seam.trainer.job.inference-scales"),
                j.background());
    }

    /** The cycle's configuration. */
    public static TrainingCycle.Config cycle(TrainerSettings.Trainer t) {
        ClassVocabulary v = vocabulary(t.classes());
        var ref = MultiScaleInference.Options.reference();
        var inference = new MultiScaleInference.Options(doubles(t.evaluation().scales(), "seam.trainer.evaluation.scales"),
                t.evaluation().flip(), t.job().background(), Normalization.IMAGENET, ref.uncertainThreshold(), ref.source());
        var eval = new HoldOutEvaluator.Options(inference, t.evaluation().equivarianceScale(), t.evaluation().tagThreshold());
        return new TrainingCycle.Config(v, new HoldOutSplit(t.holdOut().fraction(), t.holdOut().salt().orElse("")),
                jobSpec(t.job(), v), t.job().continueFromPromoted(), eval, gate(t.gate()), CodeVersion.detect(),
                Path.of(t.workDir()));
    }

    private static double[] doubles(List<Double> values, String key) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException(key + " must list at least one scale");
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
