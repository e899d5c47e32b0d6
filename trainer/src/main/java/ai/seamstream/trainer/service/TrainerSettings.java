package ai.seamstream.trainer.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The trainer service's configuration ({@code seam.*} in {@code application.properties} or the environment, e.g.
 * {@code SEAM_TRAINER_POLICY_EVERY_NEW_LABELS}). Every key is listed in {@code docs/trainer.md}.
 */
@ConfigMapping(prefix = "seam")
public interface TrainerSettings {
    Kafka kafka();

    Trainer trainer();

    /** Where the Kafka cluster is. */
    interface Kafka {
        @WithDefault("127.0.0.1:9092")
        String bootstrapServers();
    }

    /** The trainer's own knobs. */
    interface Trainer {
        /** Name of this instance in logs, client ids and the leadership group; default the host name. */
        Optional<String> instanceId();

        /** Folder of the training-set store (a copy of {@code seam.labelled.v1}, rebuilt from it when lost). */
        @WithDefault("target/trainer/store")
        String storeDir();

        /** Folder of the model registry (version folders, PROMOTED pointer). */
        @WithDefault("target/trainer/registry")
        String registryDir();

        /** Where jobs write checkpoints before the registry copies them. */
        @WithDefault("target/trainer/work")
        String workDir();

        /** Versions the registry keeps (the promoted one and the newest always stay). */
        @WithDefault("10")
        int keepVersions();

        /** Class vocabulary: {@code voc2012}, {@code file:PATH} (a classes.txt) or a comma list of foreground names. */
        @WithDefault("voc2012")
        String classes();

        /**
         * The {@code ModelExporter} bean (by {@code @Named} name) that fills each version's export slot: {@code onnx}
         * (the default: the ONNX model and manifest the labeler serves), or {@code none} to leave it empty.
         */
        @WithDefault("onnx")
        String exporter();

        /**
         * Base URL where this service's HTTP API is reached ({@code http://host:port}); model events then carry
         * {@code http:} URIs of the manifest, otherwise {@code file:} URIs into the registry.
         */
        Optional<String> advertisedUrl();

        /** Images given by URI ({@code file:}, {@code http(s):}) are fetched when stored: the longest wait for one. */
        @WithDefault("30s")
        Duration imageFetchTimeout();

        /** The largest image fetched by URI, in bytes; a larger one is skipped and reported. */
        @WithDefault("67108864")
        long imageFetchMaxBytes();

        /** Create the labelled, models and leadership topics when missing (local runs). */
        @WithDefault("true")
        boolean createTopics();

        /** Partitions of {@code seam.labelled.v1} when this service creates it. */
        @WithDefault("6")
        int partitions();

        Topics topics();

        Leader leader();

        Policy policy();

        Job job();

        HoldOut holdOut();

        Evaluation evaluation();

        Gate gate();
    }

    interface Topics {
        @WithDefault("seam.labelled.v1")
        String labelled();

        @WithDefault("seam.models.v1")
        String models();
    }

    /** Leadership: the one member of the consumer group that owns the single partition of {@code topic} trains. */
    interface Leader {
        @WithDefault("seam.trainer.leader.v1")
        String topic();

        @WithDefault("seam-trainer-leader")
        String group();

        /** How soon a crashed leader's partition moves to another instance. */
        @WithDefault("10s")
        Duration sessionTimeout();
    }

    /** Retraining policy: the enabled rules are combined with "or"; a snapshot is never trained on twice. */
    interface Policy {
        /** Train after this many new, relabelled or removed images; 0 disables the rule. */
        @WithDefault("500")
        long everyNewLabels();

        /** Train when this long has passed since the last job ... (absent disables the rule). */
        Optional<Duration> every();

        /** ... and at least this many images changed. */
        @WithDefault("1")
        long everyMinChanges();

        /** Whether {@code POST /v1/train} may start a job. */
        @WithDefault("true")
        boolean onDemand();

        /** How often the scheduler evaluates the policy. */
        @WithDefault("30s")
        Duration checkInterval();
    }

    /** The fine-tuning job (a SEAM network, the full siamese objective). */
    interface Job {
        /** {@code full} (ResNet-38) or {@code small}: {@code width} and {@code units-per-stage}. */
        @WithDefault("small")
        String backbone();

        @WithDefault("0.125")
        double width();

        @WithDefault("1")
        int unitsPerStage();

        /**
         * Channels of the PCM heads f8_3, f8_4, f9 as a fraction of the reference's 64/128/192: 1 keeps them whatever
         * the backbone, 0 scales them with {@code width}. 0 by default: on the demo's from-scratch recipe 1 did worse
         * (docs/trainer.md). A job continuing from a promoted checkpoint keeps that checkpoint's width, so its weights
         * fit.
         */
        @WithDefault("0")
        double headWidth();

        /** BatchNorm while training: TRAIN or FROZEN. */
        @WithDefault("TRAIN")
        String batchNorm();

        @WithDefault("false")
        boolean freezeEarly();

        @WithDefault("200")
        long steps();

        @WithDefault("8")
        int batch();

        @WithDefault("0.01")
        double learningRate();

        @WithDefault("10")
        double headLrMultiplier();

        @WithDefault("0.0005")
        double weightDecay();

        /** SGD momentum; the reference uses none. */
        @WithDefault("0")
        double momentum();

        @WithDefault("0.9")
        double power();

        @WithDefault("96")
        int crop();

        @WithDefault("96")
        int longMin();

        @WithDefault("128")
        int longMax();

        @WithDefault("0.3")
        double transformScale();

        @WithDefault("1")
        long seed();

        /** Progress is logged (and the job's images/s and ETA refreshed) every this many steps. */
        @WithDefault("10")
        int logEvery();

        /** Where the first model starts: {@code scratch} or a pretrained file/checkpoint path. */
        @WithDefault("scratch")
        String start();

        /** Later models start from the promoted version's checkpoint. */
        @WithDefault("true")
        boolean continueFromPromoted();

        /** Inference scales and background threshold written into each checkpoint's manifest. */
        @WithDefault("1.0,0.5,1.5")
        List<Double> inferenceScales();

        @WithDefault("0.26")
        float background();
    }

    interface HoldOut {
        @WithDefault("0.1")
        double fraction();

        /** Salt of the split's hash; absent = the empty salt. */
        Optional<String> salt();
    }

    /** Hold-out scoring (the candidate and the promoted model, same code). */
    interface Evaluation {
        @WithDefault("1.0,0.5,1.5")
        List<Double> scales();

        @WithDefault("true")
        boolean flip();

        @WithDefault("0.5")
        double equivarianceScale();

        @WithDefault("0.5")
        double tagThreshold();
    }

    /** The promotion gate: not worse than the promoted model beyond {@code tolerance}, plus optional floors. */
    interface Gate {
        @WithDefault("0.01")
        double tolerance();

        /**
         * The figures the candidate must not be worse on (beyond {@code tolerance}): {@code meanIou}, {@code tagMap},
         * {@code tagF1}, {@code equivariance}. Each passes when measured for neither model (mIoU without masks).
         */
        @WithDefault("meanIou,tagMap,equivariance")
        List<String> metrics();

        /** Floors on the candidate's figures (absent = none). */
        Optional<Double> minMeanIou();

        Optional<Double> minTagMap();

        Optional<Double> minAgreement();
    }
}
