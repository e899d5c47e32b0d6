package ai.seamstream.trainer.service;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.image.ImageFetcher;
import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.trainer.cycle.TrainingCycle;
import ai.seamstream.trainer.dataset.TrainingSetStore;
import ai.seamstream.trainer.job.JobProgress;
import ai.seamstream.trainer.job.JobState;
import ai.seamstream.trainer.policy.RetrainDecision;
import ai.seamstream.trainer.policy.RetrainPolicy;
import ai.seamstream.trainer.registry.ModelExporter;
import ai.seamstream.trainer.registry.ModelManifest;
import ai.seamstream.trainer.registry.ModelRegistry;
import ai.seamstream.trainer.registry.ModelStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer service without HTTP: the store kept by the {@link LabelledMaterialiser}, the registry, leadership
 * ({@link KafkaLeaderGuard}), the {@link TrainingCycle}, model events, and a scheduler that asks the retraining policy
 * every {@code check-interval}. Jobs run one at a time in a single worker thread. The Quarkus beans wrap one of these.
 */
public final class TrainerRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerRuntime.class);

    /** The answer to a training request: a job id, or why no job starts. */
    public record Submission(boolean accepted, String jobId, Refusal refusal, String reason) {
    }

    /** Why no job started. */
    public enum Refusal {
        /** The store has not caught up with the topic yet. */
        NOT_READY,
        /** Another instance leads. */
        NOT_LEADER,
        /** A job runs already. */
        BUSY,
        /** The policy (or the never-twice rule) says no. */
        POLICY
    }

    /** One job's record: the decision that started it, its progress, and what it published. */
    public static final class JobRecord {
        private final String id;
        private final String reason;
        private final boolean demanded;
        private final Instant requestedAt;
        private volatile JobProgress progress;
        private volatile ModelManifest published;
        private volatile String gate;
        private volatile String error;
        private volatile boolean cancelRequested;

        JobRecord(String id, String reason, boolean demanded, Instant requestedAt) {
            this.id = id;
            this.reason = reason;
            this.demanded = demanded;
            this.requestedAt = requestedAt;
        }

        public String id() {
            return id;
        }

        /** The policy's reason for starting it. */
        public String reason() {
            return reason;
        }

        public boolean demanded() {
            return demanded;
        }

        public Instant requestedAt() {
            return requestedAt;
        }

        /** The final progress, or null while it has not ended. */
        public JobProgress finalProgress() {
            return progress;
        }

        /** The version it published: CANDIDATE while the gate judges it, then PROMOTED or REJECTED; null before. */
        public ModelManifest published() {
            return published;
        }

        /** The gate's verdict reason, or null. */
        public String gate() {
            return gate;
        }

        /** An error outside the job itself (registry, events), or null. */
        public String error() {
            return error;
        }

        public boolean cancelRequested() {
            return cancelRequested;
        }
    }

    private final TrainerSettings.Trainer settings;
    private final String bootstrap;
    private final ModelExporter exporter;
    private final Clock clock;
    private final String instanceId;
    private final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();
    private final Map<JobState, AtomicLong> finished = new EnumMap<>(JobState.class);
    private final ConcurrentLinkedQueue<ModelManifest> unsentEvents = new ConcurrentLinkedQueue<>();
    private final Object submitLock = new Object();
    private volatile Map<String, Double> lastGateFigures = Map.of();
    private volatile String activeJob;
    private TrainingSetStore store;
    private LabelledMaterialiser materialiser;
    private ModelRegistry registry;
    private KafkaLeaderGuard guard;
    private ModelEvents events;
    private TrainingCycle cycle;
    private RetrainPolicy policy;
    private ExecutorService worker;
    private ScheduledExecutorService scheduler;

    /** @param exporter fills each version's export slot; null leaves it empty */
    public TrainerRuntime(TrainerSettings.Trainer settings, String bootstrapServers, ModelExporter exporter, Clock clock) {
        this.settings = settings;
        this.bootstrap = bootstrapServers;
        this.exporter = exporter;
        this.clock = clock;
        this.instanceId = settings.instanceId().orElseGet(TrainerRuntime::hostName);
        for (JobState s : JobState.values()) {
            finished.put(s, new AtomicLong());
        }
    }

    /** Opens the store and the registry, creates missing topics, and starts the reader, leadership and scheduler. */
    public TrainerRuntime start() throws IOException {
        TrainingCycle.Config cycleConfig = ServiceConfig.cycle(settings);
        policy = ServiceConfig.policy(settings.policy());
        if (settings.createTopics()) {
            createMissingTopics();
        }
        store = TrainingSetStore.open(Path.of(settings.storeDir()));
        registry = ModelRegistry.open(Path.of(settings.registryDir()), settings.keepVersions(), exporter);
        materialiser = new LabelledMaterialiser(store, bootstrap, settings.topics().labelled(), instanceId + "-materialiser",
                new ImageFetcher(settings.imageFetchMaxBytes(), settings.imageFetchTimeout()))
                .start();
        guard = new KafkaLeaderGuard(bootstrap, settings.leader().topic(), settings.leader().group(), instanceId,
                settings.leader().sessionTimeout(), this::cancelOnLostLeadership).start();
        events = new ModelEvents(bootstrap, settings.topics().models(), instanceId + "-models", this::manifestUri);
        cycle = new TrainingCycle(store, registry, guard, cycleConfig, clock);
        worker = Executors.newSingleThreadExecutor(r -> daemon(r, "trainer-job"));
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "trainer-policy"));
        long every = settings.policy().checkInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::watchCancellations, 50, 50, TimeUnit.MILLISECONDS);
        LOG.info("trainer {} started: store {}, registry {}, policy every {} labels / {} (min {}) / on demand {}",
                instanceId, store.root(), registry.root(), settings.policy().everyNewLabels(),
                settings.policy().every().map(Duration::toString).orElse("-"), settings.policy().everyMinChanges(),
                settings.policy().onDemand());
        return this;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "trainer-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }

    private void createMissingTopics() {
        var p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        var catalog = TopicCatalog.withPartitions(settings.partitions());
        var wanted = new ArrayList<NewTopic>();
        wanted.add(new NewTopic(settings.topics().labelled(), Optional.of(settings.partitions()), Optional.empty())
                .configs(catalog.get(TopicCatalog.LABELLED).configs()));
        wanted.add(new NewTopic(settings.topics().models(), Optional.of(1), Optional.empty())
                .configs(catalog.get(TopicCatalog.MODELS).configs()));
        wanted.add(new NewTopic(settings.leader().topic(), Optional.of(1), Optional.empty()));
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            var missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the trainer's topics on Kafka at " + bootstrap + ": " + e, e);
        }
    }

    /**
     * Where a version's model is reached, over this service's HTTP API when advertised, else in the registry: the
     * exported model's manifest ({@code onnx/model.json}, which the labeler loads) when the version has an export,
     * otherwise the version's own {@code model.json}.
     */
    URI manifestUri(ModelManifest m) {
        String file = m.onnx() == null ? ModelRegistry.MODEL_JSON
                : ModelRegistry.ONNX + "/" + m.onnx().details().getOrDefault("manifest", ModelRegistry.MODEL_JSON);
        String version = m.version();
        return settings.advertisedUrl()
                .map(u -> URI.create(u.replaceAll("/+$", "") + "/v1/models/" + version + "/files/" + file))
                .orElseGet(() -> registry.versionDir(version).resolve(file).toUri());
    }

    /** The scheduler's turn: retries unsent events, then asks the policy (not on demand). */
    void tick() {
        try {
            flushUnsentEvents();
            Submission s = requestTraining(false);
            if (s.accepted()) {
                LOG.info("policy started job {}: {}", s.jobId(), s.reason());
            } else {
                LOG.debug("policy: no job ({}: {})", s.refusal(), s.reason());
            }
        } catch (RuntimeException e) {
            LOG.warn("policy check failed", e);
        }
    }

    /**
     * Asks for a job: {@code demanded} is {@code POST /v1/train}. Starts it in the worker thread when this instance
     * leads, the store is materialised, no job runs, and the policy agrees.
     */
    public Submission requestTraining(boolean demanded) {
        synchronized (submitLock) {
            if (!materialiser.isMaterialised()) {
                return new Submission(false, null, Refusal.NOT_READY, "the training set is not materialised yet");
            }
            if (!guard.isLeader()) {
                return new Submission(false, null, Refusal.NOT_LEADER,
                        "this instance (" + instanceId + ") is not the trainer leader");
            }
            if (activeJob != null) {
                return new Submission(false, activeJob, Refusal.BUSY, "job " + activeJob + " is running");
            }
            RetrainDecision d;
            try {
                d = RetrainDecision.decide(policy, cycle.state(demanded));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the store or registry: " + e.getMessage(), e);
            }
            if (!d.train()) {
                return new Submission(false, null, Refusal.POLICY, d.reason());
            }
            String id = "job-" + UUID.randomUUID().toString().substring(0, 8);
            var rec = new JobRecord(id, d.reason(), demanded, clock.instant());
            jobs.put(id, rec);
            activeJob = id;
            worker.submit(() -> runJob(rec));
            return new Submission(true, id, null, d.reason());
        }
    }

    private void runJob(JobRecord rec) {
        try (NDManager manager = NDManager.newBaseManager()) {
            TrainingCycle.Outcome o = cycle.run(rec.id, manager, m -> {
                if (m.status() == ModelStatus.CANDIDATE) {
                    rec.published = m;
                }
                sendEvent(m);
            });
            rec.progress = o.job();
            if (o.gate() != null) {
                rec.gate = o.gate().verdict().reason();
                lastGateFigures = Map.copyOf(o.gate().figures());
            }
            if (o.published() != null) {
                rec.published = o.published();
            }
            finished.get(o.job().state()).incrementAndGet();
        } catch (Throwable e) {
            LOG.error("job {} failed outside training", rec.id, e);
            rec.error = e.getClass().getSimpleName() + ": " + e.getMessage();
            finished.get(JobState.FAILED).incrementAndGet();
        } finally {
            synchronized (submitLock) {
                activeJob = null;
            }
        }
    }

    private void sendEvent(ModelManifest m) {
        try {
            events.publish(m, m.reason());
        } catch (RuntimeException e) {
            LOG.warn("{}; will retry", e.getMessage());
            unsentEvents.add(m);
        }
    }

    private void flushUnsentEvents() {
        ModelManifest m;
        int n = unsentEvents.size();
        while (n-- > 0 && (m = unsentEvents.poll()) != null) {
            sendEvent(m);
        }
    }

    private void watchCancellations() {
        String id = activeJob;
        if (id == null) {
            return;
        }
        JobRecord rec = jobs.get(id);
        if (rec != null && rec.cancelRequested) {
            cycle.current().filter(j -> j.id().equals(id)).ifPresent(j -> j.cancel());
        }
    }

    private void cancelOnLostLeadership() {
        String id = activeJob;
        if (id != null) {
            LOG.warn("leadership lost: cancelling job {}", id);
            cancel(id);
        }
    }

    /** A job's record. */
    public Optional<JobRecord> job(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** All jobs this instance ran since it started, newest first. */
    public List<JobRecord> jobs() {
        var all = new ArrayList<>(jobs.values());
        all.sort((a, b) -> b.requestedAt.compareTo(a.requestedAt));
        return all;
    }

    /** The job's live progress while it runs, its final progress once ended, or null before its training starts. */
    public JobProgress progress(JobRecord rec) {
        if (rec.progress != null) {
            return rec.progress;
        }
        return cycle.current().filter(j -> j.id().equals(rec.id)).map(j -> j.progress()).orElse(null);
    }

    /** Whether the job is still running (or about to). */
    public boolean active(JobRecord rec) {
        return rec.id.equals(activeJob);
    }

    /**
     * Asks a running job to stop after the step in progress.
     *
     * @return false if the job already ended
     */
    public boolean cancel(String id) {
        JobRecord rec = jobs.get(id);
        if (rec == null) {
            throw new IllegalArgumentException("no job " + id);
        }
        if (!active(rec)) {
            return false;
        }
        rec.cancelRequested = true;
        watchCancellations();
        return true;
    }

    /**
     * Makes an earlier, once-promoted version PROMOTED again and publishes ROLLED_BACK for the one it replaces and
     * PROMOTED for {@code version}.
     *
     * @throws IllegalArgumentException if the version is unknown, promoted already, or was never promoted
     */
    public ModelManifest rollback(String version) throws IOException {
        Optional<String> before = registry.promotedVersion();
        ModelManifest m = registry.rollback(version);
        if (before.isPresent()) {
            registry.manifest(before.get()).ifPresent(old -> sendEvent(old));
        }
        sendEvent(m);
        return m;
    }

    public TrainingSetStore store() {
        return store;
    }

    public ModelRegistry registry() {
        return registry;
    }

    public LabelledMaterialiser materialiser() {
        return materialiser;
    }

    public KafkaLeaderGuard guard() {
        return guard;
    }

    public String instanceId() {
        return instanceId;
    }

    /** Jobs that ended in {@code state} since start. */
    public long finishedJobs(JobState state) {
        return finished.get(state).get();
    }

    /** The last gate's figures (candidate, {@code current.*}, agreement); empty before the first. */
    public Map<String, Double> lastGateFigures() {
        return lastGateFigures;
    }

    public boolean jobRunning() {
        return activeJob != null;
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        String id = activeJob;
        if (id != null) {
            cancel(id);
        }
        if (worker != null) {
            worker.shutdown();
            try {
                if (!worker.awaitTermination(60, TimeUnit.SECONDS)) {
                    LOG.warn("job {} did not stop within 60 s", id);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly(guard);
        closeQuietly(materialiser);
        closeQuietly(events);
        if (store != null) {
            try {
                store.close();
            } catch (IOException e) {
                LOG.warn("training-set store did not close cleanly", e);
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("{} did not close cleanly", c.getClass().getSimpleName(), e);
        }
    }
}
