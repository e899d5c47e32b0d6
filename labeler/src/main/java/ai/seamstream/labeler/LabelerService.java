package ai.seamstream.labeler;

import ai.seamstream.labeler.work.MaskView;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Starts the labeler and the mask view with the service, stops them with it. */
@ApplicationScoped
public class LabelerService {
    private static final Logger LOG = Logger.getLogger(LabelerService.class);

    private final LabelerSettings settings;
    private final MeterRegistry registry;
    private Labeler labeler;
    private MaskView view;

    public LabelerService(LabelerSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.registry = registry;
    }

    /** The plain configuration of these settings. */
    public static LabelerConfig config(LabelerSettings s) {
        var l = s.labeler();
        String instance = l.instance().orElseGet(LabelerService::hostName);
        String prefix = l.topicPrefix().orElse("");
        Path cache = Path.of(l.modelCache().orElse(Path.of(System.getProperty("java.io.tmpdir"), "seam-labeler-models", instance).toString()));
        var r = l.review();
        return new LabelerConfig(s.kafka().bootstrapServers(), l.groupId(), l.groupId() + "-" + instance, instance,
                LabelerConfig.Topics.prefixed(prefix),
                new LabelerConfig.Batching(l.batchMaxSize(), l.batchMaxWait(), l.inferenceBatch()), cache, l.threads(),
                l.selfTestSize(), l.maxPixels(),
                new LabelerConfig.Review(r.budget(), r.window(), r.minScore(), r.uncertaintyWeight(), r.disagreementWeight(),
                        r.predictedWeight()),
                s.kafka().client(), l.cuda(), l.cudaDevice(),
                LabelerConfig.refinement(l.refine(), l.refineCrfAlpha(), l.refineCrfIterations()));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (Exception e) {
            return "labeler";
        }
    }

    void onStart(@Observes StartupEvent e) {
        LabelerConfig c = config(settings);
        labeler = new Labeler(c, registry).start();
        view = new MaskView(c.bootstrapServers(), c.topics().masks(), c.kafkaOverrides(), settings.labeler().maskViewCapacity());
        view.start();
        LOG.infof("labeler %s started: group %s, topics %s", c.instance(), c.groupId(), c.topics());
    }

    void onStop(@Observes ShutdownEvent e) throws InterruptedException {
        if (view != null) {
            view.close();
        }
        if (labeler != null) {
            labeler.close();
        }
    }

    public Labeler labeler() {
        return labeler;
    }

    public MaskView view() {
        return view;
    }
}
