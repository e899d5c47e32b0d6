package ai.seamstream.ingest.http;

import ai.seamstream.ingest.IngestStreams;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Health of the Kafka Streams runtime: ready while RUNNING, alive unless it failed for good. */
public final class StreamsReadiness {
    private StreamsReadiness() {
    }

    /** Ready when the topology is running (not while it starts or rebalances). */
    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final IngestStreams streams;

        public Ready(IngestStreams streams) {
            this.streams = streams;
        }

        @Override
        public HealthCheckResponse call() {
            KafkaStreams.State s = streams.state();
            return HealthCheckResponse.named("kafka-streams").status(s == KafkaStreams.State.RUNNING)
                    .withData("state", String.valueOf(s)).build();
        }
    }

    /** Alive unless the streams have stopped on an error. */
    @Liveness
    @ApplicationScoped
    public static class Alive implements HealthCheck {
        private final IngestStreams streams;

        public Alive(IngestStreams streams) {
            this.streams = streams;
        }

        @Override
        public HealthCheckResponse call() {
            KafkaStreams.State s = streams.state();
            boolean up = s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR;
            return HealthCheckResponse.named("kafka-streams").status(up).withData("state", String.valueOf(s)).build();
        }
    }
}
