package ai.seamstream.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** The service's configuration ({@code seam.*} in {@code application.properties} or the environment). */
@ConfigMapping(prefix = "seam")
public interface IngestSettings {
    Kafka kafka();

    Ingest ingest();

    /** Where the Kafka cluster is. */
    interface Kafka {
        @WithDefault("127.0.0.1:9092")
        String bootstrapServers();
    }

    /** The ingest's own knobs. */
    interface Ingest {
        /** Kafka Streams application id: instances with the same id share the partitions. */
        @WithDefault("seam-ingest")
        String applicationId();

        /** State store directory; default a folder under java.io.tmpdir named after the application id. */
        Optional<String> stateDir();

        @WithDefault("1")
        int streamThreads();

        /** Streams record cache; 0 forwards every update at once. */
        @WithDefault("0")
        long cacheMaxBytes();

        /** Transaction commit interval (exactly_once_v2): read-committed consumers see results this late at most. */
        @WithDefault("100")
        long commitIntervalMs();

        /** Class vocabulary: {@code voc2012}, {@code file:PATH} (a classes.txt) or a comma list of foreground names. */
        @WithDefault("voc2012")
        String classes();

        /** The consensus rule, {@code min-votes=N,min-fraction=F,min-confidence=C}. */
        @WithDefault("min-votes=1,min-fraction=0.5,min-confidence=0")
        String consensus();

        @WithDefault("16777216")
        long maxImageBytes();

        @WithDefault("40000000")
        long maxPixels();

        @WithDefault("file,http,https,s3")
        List<String> uriSchemes();

        /** Create missing catalog topics at start (local runs); a managed cluster creates them itself. */
        @WithDefault("true")
        boolean createTopics();

        /** Partitions of topics created at start. */
        @WithDefault("6")
        int partitions();

        /**
         * {@code host:port} where other instances reach this instance's HTTP API; set it when several instances run,
         * so {@code GET /v1/images/{id}} is answered by the instance that owns the id.
         */
        Optional<String> advertisedAddress();

        /** Annotator name of tags sent over HTTP without one. */
        @WithDefault("http")
        String defaultAnnotator();
    }
}
