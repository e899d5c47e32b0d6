package ai.seamstream.labeler.model;

import ai.seamstream.labeler.LabelerMetrics;
import ai.seamstream.schemas.v1.ModelEvent;
import ai.seamstream.schemas.v1.ModelStatus;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which model serves. Model events are folded in order ({@link #apply}); the wanted version is the newest PROMOTED
 * one that was neither ROLLED_BACK since nor failed to load. When it changes, the new model is loaded, verified and
 * self-tested on the caller's (the watcher's) thread and handed over; the worker takes it at its next batch
 * ({@link #forBatch}) and closes the previous one then, after its last batch. A model that fails is never handed
 * over: the failure is logged, counted and kept for the health check, and the old model keeps serving.
 */
public final class ModelManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelManager.class);

    /** The last refused model: version, step and message. */
    public record Failure(String version, String step, String message, long timeMs) {
    }

    private record Handover(ServingModel next) {
    }

    private final ModelLoader loader;
    private final LabelerMetrics metrics;
    /** Promoted versions, oldest promotion first (a re-promotion moves a version to the end). */
    private final LinkedHashMap<String, ModelEvent> promoted = new LinkedHashMap<>();
    private final Set<String> rolledBack = new HashSet<>();
    private final Map<String, Failure> failed = new LinkedHashMap<>();
    private final AtomicReference<Handover> pending = new AtomicReference<>();
    /** The version handed over last (serving or about to), only touched by the watcher thread. */
    private String target;
    private volatile ServingModel current;
    private volatile String announced;
    private volatile Failure lastFailure;
    private volatile boolean closed;

    public ModelManager(ModelLoader loader, LabelerMetrics metrics) {
        this.loader = loader;
        this.metrics = metrics;
    }

    /** Folds one model event in (without acting on it; call {@link #reconcile()} after a run of events). */
    public synchronized void apply(ModelEvent e) {
        String v = e.getModelVersion();
        if (e.getStatus() == ModelStatus.MODEL_STATUS_PROMOTED) {
            promoted.remove(v);
            promoted.put(v, e);
            rolledBack.remove(v);
            failed.remove(v);
        } else if (e.getStatus() == ModelStatus.MODEL_STATUS_ROLLED_BACK) {
            rolledBack.add(v);
        }
    }

    /** The version that should serve now, or null. */
    public synchronized String wanted() {
        List<String> order = new ArrayList<>(promoted.keySet());
        for (int i = order.size() - 1; i >= 0; i--) {
            String v = order.get(i);
            if (!rolledBack.contains(v) && !failed.containsKey(v)) {
                return v;
            }
        }
        return null;
    }

    /**
     * Loads the wanted model if it is not the one serving; on failure marks it failed and tries the next one down,
     * except that a model already serving is never replaced by an older one because a newer failed.
     */
    public void reconcile() {
        while (!closed) {
            String want = wanted();
            if (java.util.Objects.equals(want, target)) {
                return;
            }
            if (want == null) {
                LOG.warn("labeler: no promoted model is left (version {} rolled back); not consuming until one is promoted", target);
                handOver(null);
                return;
            }
            ModelEvent e;
            synchronized (this) {
                e = promoted.get(want);
            }
            if (target != null && !rolledBack(target) && olderThan(want, target)) {
                // the newer version failed; the serving one stays
                return;
            }
            try {
                LOG.info("labeler: loading model {} from {}", want, e.getUri());
                ServingModel m = loader.load(want, URI.create(e.getUri()), e.getSha256());
                LOG.info("labeler: model {} verified and self-tested in {} ms; it serves from the next batch", m, m.warmUpMs());
                handOver(m);
            } catch (ModelLoader.ModelLoadException | IllegalArgumentException ex) {
                String step = ex instanceof ModelLoader.ModelLoadException le ? le.step() : "fetch";
                var f = new Failure(want, step, ex.getMessage(), System.currentTimeMillis());
                synchronized (this) {
                    failed.put(want, f);
                }
                lastFailure = f;
                metrics.modelFailure(step);
                LOG.error("labeler: model {} refused at {}: {}; {} keeps serving", want, step, ex.getMessage(),
                        target == null ? "no model" : target);
            }
        }
    }

    private synchronized boolean rolledBack(String v) {
        return rolledBack.contains(v);
    }

    private synchronized boolean olderThan(String a, String b) {
        List<String> order = new ArrayList<>(promoted.keySet());
        return order.indexOf(a) < order.indexOf(b);
    }

    private void handOver(ServingModel next) {
        target = next == null ? null : next.version();
        Handover old = pending.getAndSet(new Handover(next));
        if (old != null && old.next() != null) {
            old.next().close(); // never served
        }
        if (current == null && next != null) {
            forBatch(); // nothing serves yet: take it now so the service becomes ready
        }
    }

    /**
     * The model for the next batch (worker thread only): takes a handed-over model and closes the one it replaces,
     * whose last batch is done. Null while no model serves.
     */
    public synchronized ServingModel forBatch() {
        Handover h = pending.getAndSet(null);
        if (h != null) {
            ServingModel old = current;
            current = h.next();
            announced = current == null ? null : current.version();
            metrics.serving(announced);
            if (old != null) {
                LOG.info("labeler: model {} replaced by {}; closing it", old, current);
                old.close();
            }
        }
        return current;
    }

    /**
     * The version the next batch will use: the one handed over for the next batch boundary, else the one serving
     * (null: none).
     */
    public synchronized String nextVersion() {
        return pending.get() != null ? target : announced;
    }

    /** Whether a model serves or is handed over. */
    public boolean ready() {
        Handover h = pending.get();
        return h != null ? h.next() != null : current != null;
    }

    /** The version serving now (null: none). */
    public String servingVersion() {
        return announced;
    }

    public Failure lastFailure() {
        return lastFailure;
    }

    public synchronized Map<String, Failure> failures() {
        return Map.copyOf(failed);
    }

    @Override
    public synchronized void close() {
        closed = true;
        Handover h = pending.getAndSet(null);
        if (h != null && h.next() != null) {
            h.next().close();
        }
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
