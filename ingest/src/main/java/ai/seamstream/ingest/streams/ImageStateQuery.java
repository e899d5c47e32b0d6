package ai.seamstream.ingest.streams;

import ai.seamstream.ingest.topology.IngestTopology;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelState;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * Finds an image's state among the instances of one Streams application: here, on another instance (whose
 * {@code application.server} is returned), or not available now (starting, rebalancing).
 */
public final class ImageStateQuery {
    private final KafkaStreams streams;
    private final HostInfo self;

    /**
     * @param self this instance's {@code application.server}, or null when it runs alone (then every key is local)
     */
    public ImageStateQuery(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    /** The outcome of a lookup. */
    public sealed interface Answer permits Local, Remote, Unavailable {
    }

    /** The key lives here; either part may be null (image not yet sent, or no tags yet); both null = unknown id. */
    public record Local(Image image, LabelState labels) implements Answer {
    }

    /** The key lives on the instance at {@code host}. */
    public record Remote(HostInfo host) implements Answer {
    }

    /** No answer now; {@code reason} says why. */
    public record Unavailable(String reason) implements Answer {
    }

    public Answer lookup(String id) {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            return new Unavailable("the ingest streams are " + state);
        }
        if (self != null) {
            KeyQueryMetadata md = streams.queryMetadataForKey(IngestTopology.LABELS_STORE, id,
                    Serdes.String().serializer());
            if (md == null || KeyQueryMetadata.NOT_AVAILABLE.equals(md)) {
                return new Unavailable("no instance owns '" + id + "' right now (rebalancing)");
            }
            if (!self.equals(md.activeHost())) {
                return new Remote(md.activeHost());
            }
        }
        try {
            Image image = streams.store(StoreQueryParameters.fromNameAndType(IngestTopology.IMAGES_STORE,
                    QueryableStoreTypes.<String, Image>keyValueStore())).get(id);
            LabelState labels = streams.store(StoreQueryParameters.fromNameAndType(IngestTopology.LABELS_STORE,
                    QueryableStoreTypes.<String, LabelState>keyValueStore())).get(id);
            return new Local(image, labels);
        } catch (InvalidStateStoreException e) {
            return new Unavailable("the stores are moving: " + e.getMessage());
        }
    }
}
