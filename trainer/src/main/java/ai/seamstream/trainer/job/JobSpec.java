package ai.seamstream.trainer.job;

import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.train.SeamTrainer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a training job trains: the network, the trainer settings (steps, batch, augmentation, optimiser, seed, loss
 * weights), where it starts, and the inference settings written into the checkpoint's manifest.
 */
public record JobSpec(NetConfig net, SeamTrainer.Config trainer, Start start, double[] inferenceScales,
                      float backgroundThreshold) {

    /** Where the weights start. */
    public record Start(Kind kind, Path path) {
        public enum Kind {
            /** The registry's promoted version's checkpoint. */
            PROMOTED,
            /** A pretrained weight file (.params, .pth, .safetensors) or any checkpoint directory. */
            PRETRAINED,
            /** Fresh initialisation (the demo). */
            SCRATCH
        }

        public Start {
            Objects.requireNonNull(kind, "kind");
            if ((kind == Kind.SCRATCH) != (path == null)) {
                throw new IllegalArgumentException(kind + " start " + (path == null ? "needs a path" : "takes no path"));
            }
        }

        public static Start promoted(Path checkpointDir) {
            return new Start(Kind.PROMOTED, checkpointDir);
        }

        public static Start pretrained(Path fileOrCheckpoint) {
            return new Start(Kind.PRETRAINED, fileOrCheckpoint);
        }

        public static Start scratch() {
            return new Start(Kind.SCRATCH, null);
        }
    }

    public JobSpec {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(start, "start");
        if (inferenceScales == null || inferenceScales.length == 0) {
            throw new IllegalArgumentException("at least one inference scale is needed");
        }
        inferenceScales = inferenceScales.clone();
    }

    /** This spec starting elsewhere. */
    public JobSpec withStart(Start newStart) {
        return new JobSpec(net, trainer, newStart, inferenceScales, backgroundThreshold);
    }

    @Override
    public double[] inferenceScales() {
        return inferenceScales.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobSpec s && net.equals(s.net) && trainer.equals(s.trainer) && start.equals(s.start)
                && Arrays.equals(inferenceScales, s.inferenceScales) && backgroundThreshold == s.backgroundThreshold;
    }

    @Override
    public int hashCode() {
        return Objects.hash(net, trainer, start, Arrays.hashCode(inferenceScales), backgroundThreshold);
    }

    @Override
    public String toString() {
        return "JobSpec[" + net + ", " + trainer + ", " + start + ", scales " + Arrays.toString(inferenceScales)
                + ", background " + backgroundThreshold + "]";
    }
}
