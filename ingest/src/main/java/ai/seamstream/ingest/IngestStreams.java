package ai.seamstream.ingest;

import ai.seamstream.ingest.streams.CrashSafeStreams;
import ai.seamstream.ingest.streams.ImageStateQuery;
import ai.seamstream.ingest.streams.StreamsSettings;
import ai.seamstream.ingest.topology.IngestConfig;
import ai.seamstream.ingest.topology.IngestTopology;
import ai.seamstream.schemas.TopicCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/** Runs the ingest topology with Kafka Streams from application start to shutdown. */
@ApplicationScoped
public class IngestStreams {
    private static final Logger LOG = Logger.getLogger(IngestStreams.class);

    private final IngestSettings settings;
    private final IngestConfig config;
    private final MeterRegistry registry;
    private KafkaStreams streams;
    private StreamsSettings current;
    private KafkaStreamsMetrics metrics;

    public IngestStreams(IngestSettings settings, IngestConfig config, MeterRegistry registry) {
        this.settings = settings;
        this.config = config;
        this.registry = registry;
    }

    /** The Streams settings of this service. */
    StreamsSettings streamsSettings() {
        var in = settings.ingest();
        Path stateDir = Path.of(in.stateDir().orElse(System.getProperty("java.io.tmpdir") + "/" + in.applicationId()));
        Map<String, String> extra = in.advertisedAddress()
                .map(a -> Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, self().host() + ":" + self().port()))
                .orElse(Map.of());
        return new StreamsSettings(settings.kafka().bootstrapServers(), in.applicationId(), stateDir, in.streamThreads(),
                in.cacheMaxBytes(), in.commitIntervalMs(), extra);
    }

    /** This instance's advertised address, or null when it runs alone. */
    HostInfo self() {
        return settings.ingest().advertisedAddress().map(a -> {
            try {
                return HostInfo.buildFromEndpoint(a.strip());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("seam.ingest.advertised-address must be host:port, got '" + a + "'", e);
            }
        }).orElse(null);
    }

    void onStart(@Observes StartupEvent ev) throws Exception {
        StreamsSettings s = streamsSettings();
        if (settings.ingest().createTopics()) {
            try {
                createMissingTopics(s.bootstrapServers(), settings.ingest().partitions());
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("cannot create the Seamstream topics on Kafka at " + s.bootstrapServers()
                        + " (is it running? seam.kafka.bootstrap-servers): " + e, e);
            }
        }
        streams = CrashSafeStreams.create(IngestTopology.build(config), s);
        current = s;
        // a failed thread is replaced: exactly_once_v2 aborts its open transaction, so nothing half-done is visible
        streams.setUncaughtExceptionHandler(e -> {
            LOG.errorf(e, "stream thread failed, replacing it");
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.infof("Kafka Streams %s -> %s", before, now));
        metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        streams.start();
        LOG.infof("ingest topology started: application %s on %s, consensus %s", s.applicationId(),
                s.bootstrapServers(), config.rule().describe());
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (streams != null) {
            CrashSafeStreams.close(streams, current, Duration.ofSeconds(30));
            metrics.close();
            streams = null;
        }
    }

    private void createMissingTopics(String bootstrap, int partitions) throws Exception {
        var p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            var missing = new ArrayList<NewTopic>();
            for (var spec : TopicCatalog.withPartitions(partitions).all()) {
                if (!existing.contains(spec.name())) {
                    missing.add(new NewTopic(spec.name(), java.util.Optional.of(spec.partitions()),
                            java.util.Optional.empty()).configs(spec.configs()));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
            }
        }
    }

    /** The Streams state, or null before start. */
    public KafkaStreams.State state() {
        return streams == null ? null : streams.state();
    }

    /** Where an image's state is: here (with it), on another instance, or unavailable now. */
    public ImageStateQuery.Answer lookup(String id) {
        KafkaStreams s = streams;
        if (s == null) {
            return new ImageStateQuery.Unavailable("the ingest streams are not started");
        }
        return new ImageStateQuery(s, self()).lookup(id);
    }
}
