package ai.seamstream.labeler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The service's configuration ({@code seam.*} in {@code application.properties} or the environment; docs/labeler.md). */
@ConfigMapping(prefix = "seam")
public interface LabelerSettings {
    Kafka kafka();

    Labeler labeler();

    interface Kafka {
        @WithDefault("127.0.0.1:9092")
        String bootstrapServers();

        /** Extra client properties for every Kafka client (security ...). */
        Map<String, String> client();
    }

    interface Labeler {
        @WithDefault("seam-labeler")
        String groupId();

        /** This instance's name: lineage, dead letters, and (with the group id) the transactional id. Default: the host name. */
        Optional<String> instance();

        /** Prefix of every topic name (tests, shared clusters); empty for the catalog's names. */
        @WithDefault("")
        Optional<String> topicPrefix();

        @WithDefault("8")
        int batchMaxSize();

        @WithDefault("50ms")
        Duration batchMaxWait();

        /** Views per ONNX Runtime run. */
        @WithDefault("8")
        int inferenceBatch();

        /** ONNX Runtime intra-op threads; 0 = one per core. */
        @WithDefault("0")
        int threads();

        /** Ask ONNX Runtime for CUDA (needs the GPU build, -Pgpu); without a CUDA provider the labeler runs on CPU and logs why. */
        @WithDefault("false")
        boolean cuda();

        /** The CUDA device index when {@code cuda} is set. */
        @WithDefault("0")
        int cudaDevice();

        /** Where fetched models are kept; default a folder under java.io.tmpdir. */
        Optional<String> modelCache();

        @WithDefault("48")
        int selfTestSize();

        @WithDefault("40000000")
        long maxPixels();

        /**
         * Mask refinement of every emitted mask: none, crf, rw or rw+crf (SEAM-METHOD §5; rw needs the affinity network
         * the model directory ships). Off by default: it costs far more than the network on CPU (docs/labeler.md).
         */
        @WithDefault("none")
        String refine();

        /** The CRF's background power α (SEAM-METHOD §5: 4). */
        @WithDefault("4")
        double refineCrfAlpha();

        /** Mean-field iterations of the CRF (SEAM-METHOD §5: 10). */
        @WithDefault("10")
        int refineCrfIterations();

        /** Images whose latest mask GET /v1/masks/{id} can answer. */
        @WithDefault("100000")
        int maskViewCapacity();

        Review review();
    }

    interface Review {
        @WithDefault("100")
        int budget();

        @WithDefault("1m")
        Duration window();

        @WithDefault("0.2")
        double minScore();

        @WithDefault("1.0")
        double uncertaintyWeight();

        @WithDefault("1.0")
        double disagreementWeight();

        @WithDefault("0.5")
        double predictedWeight();
    }
}
