package ai.seamstream.trainer.service;

import ai.seamstream.trainer.job.JobState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Prometheus figures of the trainer: jobs ended by state, whether a job runs, the last gate's figures, the store's
 * size and materialisation, leadership, and the records the materialiser skipped.
 */
@ApplicationScoped
public class TrainerMetrics {
    /** The gate figures exported as {@code seam_trainer_gate_figure{figure=...}} (NaN until measured). */
    static final List<String> GATE_FIGURES = List.of("meanIou", "tagMap", "tagF1", "equivariance", "agreement",
            "current.meanIou", "current.tagMap", "current.tagF1", "current.equivariance", "finalLoss", "trainImages",
            "skippedImages");

    @Inject
    MeterRegistry meters;

    private boolean bound;

    synchronized void bind(TrainerRuntime rt) {
        if (bound) {
            return;
        }
        bound = true;
        for (JobState s : JobState.values()) {
            if (s.finished()) {
                FunctionCounter.builder("seam.trainer.jobs", rt, r -> r.finishedJobs(s))
                        .description("training jobs ended, by final state").tag("state", s.name()).register(meters);
            }
        }
        Gauge.builder("seam.trainer.job.running", rt, r -> r.jobRunning() ? 1 : 0)
                .description("1 while a training job runs").register(meters);
        for (String f : GATE_FIGURES) {
            Gauge.builder("seam.trainer.gate.figure", rt, r -> r.lastGateFigures().getOrDefault(f, Double.NaN))
                    .description("the last promotion gate's figures").tag("figure", f).register(meters);
        }
        Gauge.builder("seam.trainer.store.images", rt, r -> r.store().size())
                .description("images in the training-set store").register(meters);
        Gauge.builder("seam.trainer.store.materialised", rt, r -> r.materialiser().isMaterialised() ? 1 : 0)
                .description("1 once the store caught up with seam.labelled.v1").register(meters);
        FunctionCounter.builder("seam.trainer.labelled.skipped", rt, r -> r.materialiser().skipped())
                .description("labelled records that could not be stored").register(meters);
        Gauge.builder("seam.trainer.leader", rt, r -> r.guard().isLeader() ? 1 : 0)
                .description("1 while this instance is the trainer leader").register(meters);
    }
}
