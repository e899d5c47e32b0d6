package ai.seamstream.labeler;

import ai.seamstream.labeler.model.ModelLoader;
import ai.seamstream.labeler.model.ModelManager;
import ai.seamstream.labeler.model.ModelWatcher;
import ai.seamstream.labeler.review.DefaultReviewStrategy;
import ai.seamstream.labeler.review.ReviewStrategy;
import ai.seamstream.labeler.work.LabelerWorker;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One labeler instance without the HTTP layer: the model watcher and manager, and the exactly-once worker. The
 * Quarkus service wraps it; tests, the crash test's child process and the benchmark run it directly.
 */
public final class Labeler implements AutoCloseable {
    private final LabelerConfig config;
    private final LabelerMetrics metrics;
    private final ModelManager models;
    private final ModelWatcher watcher;
    private final LabelerWorker worker;

    public Labeler(LabelerConfig config, MeterRegistry registry) {
        this(config, registry, new DefaultReviewStrategy(config.review().uncertaintyWeight(),
                config.review().disagreementWeight(), config.review().predictedWeight()));
    }

    public Labeler(LabelerConfig config, MeterRegistry registry, ReviewStrategy strategy) {
        this.config = config;
        this.metrics = new LabelerMetrics(registry);
        var loader = new ModelLoader(config.modelCache(), config.sessionSettings(),
                config.batch().inferenceBatch(), config.selfTestSize(), config.refine());
        this.models = new ModelManager(loader, metrics);
        this.watcher = new ModelWatcher(config.bootstrapServers(), config.topics().models(), config.kafkaOverrides(), models);
        this.worker = new LabelerWorker(config, models, strategy, metrics, System::currentTimeMillis);
    }

    public Labeler start() {
        watcher.start();
        worker.start();
        return this;
    }

    public LabelerConfig config() {
        return config;
    }

    public ModelManager models() {
        return models;
    }

    public LabelerWorker worker() {
        return worker;
    }

    public LabelerMetrics metrics() {
        return metrics;
    }

    /** Ready: a model serves and the worker runs. */
    public boolean ready() {
        return models.ready() && worker.alive() && worker.stopReason() == null;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            worker.close();
        } finally {
            try {
                watcher.close();
            } finally {
                models.close();
            }
        }
    }
}
