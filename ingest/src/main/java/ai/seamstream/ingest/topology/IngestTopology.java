package ai.seamstream.ingest.topology;

import ai.seamstream.ingest.topology.Rejection.Code;
import ai.seamstream.schemas.v1.DeadLetter;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelState;
import ai.seamstream.schemas.v1.LabelledImage;
import ai.seamstream.schemas.v1.TagEvent;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The ingest topology of {@code ARCHITECTURE.md}: validates images and tags from their topics (bad records go to the
 * dead-letter topic with their source coordinates), folds tags into consensus label state, and joins images with
 * their labels into labelled images, each (image bytes, label version) emitted once.
 *
 * <p>Images: a record whose bytes equal the stored image of its id is a re-send and changes nothing; a tombstone
 * deletes the image (and its labelled record). Tags for an image not seen yet are kept in the label state and join
 * when the image arrives.
 */
public final class IngestTopology {
    /** Image id → SHA-256 of the current image, for recognising re-sent images. */
    public static final String IMAGE_DIGESTS_STORE = "image-digests";
    /** Image id → current image (queryable). */
    public static final String IMAGES_STORE = "images";
    /** Image id → label state (queryable). */
    public static final String LABELS_STORE = "label-state";
    /** Image id → "sha256:labelVersion" of the labelled record last emitted. */
    public static final String EMITTED_STORE = "labelled-emitted";

    private IngestTopology() {
    }

    /** A validated record, or the dead letter that replaces it. */
    record Checked<T>(T value, DeadLetter deadLetter) {
    }

    /** Builds the topology for the given configuration. */
    public static Topology build(IngestConfig cfg) {
        var sb = new StreamsBuilder();
        sb.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IMAGE_DIGESTS_STORE),
                Serdes.String(), Serdes.String()));
        sb.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EMITTED_STORE),
                Serdes.String(), Serdes.String()));
        var imageCheck = new ImageCheck(cfg.limits());
        var tagCheck = new TagCheck(cfg.vocabulary());
        var aggregator = new LabelAggregator(cfg.vocabulary(), cfg.rule());

        KStream<String, Checked<Image>> images = sb
                .stream(cfg.imagesTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("images-in"))
                .processValues(() -> new ImageValidation(imageCheck, cfg.service()), Named.as("validate-images"),
                        IMAGE_DIGESTS_STORE);
        var imageBranches = images.split(Named.as("images-"))
                .branch((k, v) -> v.deadLetter() != null, Branched.as("bad"))
                .defaultBranch(Branched.as("ok"));

        KStream<String, Checked<TagEvent>> tags = sb
                .stream(cfg.tagsTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("tags-in"))
                .processValues(() -> new TagValidation(tagCheck, cfg.service()), Named.as("validate-tags"));
        var tagBranches = tags.split(Named.as("tags-"))
                .branch((k, v) -> v.deadLetter() != null, Branched.as("bad"))
                .defaultBranch(Branched.as("ok"));

        KStream<String, DeadLetter> badImages = imageBranches.get("images-bad")
                .mapValues(Checked::deadLetter, Named.as("bad-images"));
        KStream<String, DeadLetter> badTags = tagBranches.get("tags-bad")
                .mapValues(Checked::deadLetter, Named.as("bad-tags"));
        badImages.merge(badTags, Named.as("dead-letters"))
                .to(cfg.deadLetterTopic(), Produced.with(Serdes.String(), ProtoSerde.deadLetters()).withName("dead-letters-out"));

        KTable<String, Image> imageTable = imageBranches.get("images-ok")
                .mapValues(Checked::value, Named.as("valid-images"))
                .toTable(Named.as("image-table"), Materialized.<String, Image, KeyValueStore<Bytes, byte[]>>as(IMAGES_STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(ProtoSerde.images()));

        KTable<String, LabelState> labels = tagBranches.get("tags-ok")
                .mapValues(Checked::value, Named.as("valid-tags"))
                .groupByKey(Grouped.with("tags-by-image", Serdes.String(), ProtoSerde.tags()))
                .aggregate(LabelState::getDefaultInstance, (id, event, state) -> aggregator.apply(state, event),
                        Named.as("consensus"),
                        Materialized.<String, LabelState, KeyValueStore<Bytes, byte[]>>as(LABELS_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(ProtoSerde.labels()));
        labels.toStream(Named.as("label-changes"))
                .to(cfg.labelsTopic(), Produced.with(Serdes.String(), ProtoSerde.labels()).withName("labels-out"));

        imageTable.leftJoin(labels, IngestTopology::labelled, Named.as("image-join-labels"))
                .toStream(Named.as("labelled-changes"))
                .processValues(EmitOnce::new, Named.as("emit-once"), EMITTED_STORE)
                .to(cfg.labelledTopic(), Produced.with(Serdes.String(), ProtoSerde.labelled()).withName("labelled-out"));
        return sb.build();
    }

    static LabelledImage labelled(Image image, LabelState labels) {
        var b = LabelledImage.newBuilder().setImageId(image.getImageId()).setImage(image);
        if (labels != null) {
            b.setLabels(labels).setLabelVersion(labels.getLabelVersion());
        }
        return b.build();
    }

    static DeadLetter deadLetter(FixedKeyProcessorContext<?, ?> ctx, String key, byte[] value, Rejection r,
                                 String service) {
        var b = DeadLetter.newBuilder().setError(r.message()).setErrorCode(r.code().id()).setService(service)
                .setTimeMs(ctx.currentSystemTimeMs());
        ctx.recordMetadata().ifPresent((RecordMetadata m) -> b.setSourceTopic(m.topic()).setSourcePartition(m.partition())
                .setSourceOffset(m.offset()));
        if (key != null) {
            b.setOriginalKey(ByteString.copyFrom(key, StandardCharsets.UTF_8));
        }
        if (value != null) {
            b.setOriginalValue(ByteString.copyFrom(value));
        }
        return b.build();
    }

    /** Parses and checks image records; drops re-sends of the stored image; passes tombstones on as deletions. */
    static final class ImageValidation implements FixedKeyProcessor<String, byte[], Checked<Image>> {
        private final ImageCheck check;
        private final String service;
        private FixedKeyProcessorContext<String, Checked<Image>> ctx;
        private KeyValueStore<String, String> digests;

        ImageValidation(ImageCheck check, String service) {
            this.check = check;
            this.service = service;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Checked<Image>> context) {
            this.ctx = context;
            this.digests = context.getStateStore(IMAGE_DIGESTS_STORE);
        }

        @Override
        public void process(FixedKeyRecord<String, byte[]> rec) {
            String key = rec.key();
            if (key == null || key.isEmpty()) {
                reject(rec, new Rejection(Code.KEY_MISMATCH, "image record has no key (records are keyed by image id)"));
                return;
            }
            if (rec.value() == null) {
                // a tombstone on the compacted topic deletes the image
                digests.delete(key);
                ctx.forward(rec.withValue(new Checked<>(null, null)));
                return;
            }
            Image parsed;
            try {
                parsed = Image.parseFrom(rec.value());
            } catch (InvalidProtocolBufferException e) {
                reject(rec, new Rejection(Code.UNPARSEABLE, "not a seamstream.v1.Image protobuf: " + e.getMessage()));
                return;
            }
            ImageCheck.Result r = check.check(parsed, key);
            if (!r.ok()) {
                reject(rec, r.rejection());
                return;
            }
            String digest = r.image().getSha256().isEmpty() ? "uri:" + r.image().getUri() : r.image().getSha256();
            if (digest.equals(digests.get(key))) {
                return; // the same image again: one image
            }
            digests.put(key, digest);
            ctx.forward(rec.withValue(new Checked<>(r.image(), null)));
        }

        private void reject(FixedKeyRecord<String, byte[]> rec, Rejection r) {
            ctx.forward(rec.withValue(new Checked<>(null, deadLetter(ctx, rec.key(), rec.value(), r, service))));
        }
    }

    /** Parses and checks tag events. */
    static final class TagValidation implements FixedKeyProcessor<String, byte[], Checked<TagEvent>> {
        private final TagCheck check;
        private final String service;
        private FixedKeyProcessorContext<String, Checked<TagEvent>> ctx;

        TagValidation(TagCheck check, String service) {
            this.check = check;
            this.service = service;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Checked<TagEvent>> context) {
            this.ctx = context;
        }

        @Override
        public void process(FixedKeyRecord<String, byte[]> rec) {
            Rejection rejection;
            TagEvent parsed = null;
            if (rec.key() == null || rec.key().isEmpty()) {
                rejection = new Rejection(Code.KEY_MISMATCH, "tag record has no key (records are keyed by image id)");
            } else if (rec.value() == null) {
                rejection = new Rejection(Code.EMPTY, "tag record has no value");
            } else {
                try {
                    parsed = TagEvent.parseFrom(rec.value());
                    rejection = check.check(parsed, rec.key());
                } catch (InvalidProtocolBufferException e) {
                    rejection = new Rejection(Code.UNPARSEABLE, "not a seamstream.v1.TagEvent protobuf: " + e.getMessage());
                }
            }
            if (rejection != null) {
                ctx.forward(rec.withValue(new Checked<>(null,
                        deadLetter(ctx, rec.key(), rec.value(), rejection, service))));
            } else {
                ctx.forward(rec.withValue(new Checked<>(parsed, null)));
            }
        }
    }

    /** Emits a labelled image only when its image bytes or label version differ from the last one emitted. */
    static final class EmitOnce implements FixedKeyProcessor<String, LabelledImage, LabelledImage> {
        private FixedKeyProcessorContext<String, LabelledImage> ctx;
        private KeyValueStore<String, String> emitted;

        @Override
        public void init(FixedKeyProcessorContext<String, LabelledImage> context) {
            this.ctx = context;
            this.emitted = context.getStateStore(EMITTED_STORE);
        }

        @Override
        public void process(FixedKeyRecord<String, LabelledImage> rec) {
            if (rec.value() == null) {
                if (emitted.delete(rec.key()) != null) {
                    ctx.forward(rec);
                }
                return;
            }
            Image img = rec.value().getImage();
            String id = (img.getSha256().isEmpty() ? img.getUri() : img.getSha256()) + ":" + rec.value().getLabelVersion();
            if (id.equals(emitted.get(rec.key()))) {
                return;
            }
            emitted.put(rec.key(), id);
            ctx.forward(rec.withValue(rec.value().toBuilder().setJoinedAtMs(ctx.currentSystemTimeMs()).build()));
        }
    }
}
