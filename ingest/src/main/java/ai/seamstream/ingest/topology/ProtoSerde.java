package ai.seamstream.ingest.topology;

import ai.seamstream.schemas.v1.DeadLetter;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelState;
import ai.seamstream.schemas.v1.LabelledImage;
import ai.seamstream.schemas.v1.TagEvent;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde for one protobuf message type; null stays null (tombstones), bytes that do not parse throw. */
public final class ProtoSerde<T extends MessageLite> implements Serde<T> {
    private final Parser<T> parser;

    public ProtoSerde(Parser<T> parser) {
        this.parser = parser;
    }

    public static ProtoSerde<Image> images() {
        return new ProtoSerde<>(Image.parser());
    }

    public static ProtoSerde<TagEvent> tags() {
        return new ProtoSerde<>(TagEvent.parser());
    }

    public static ProtoSerde<LabelState> labels() {
        return new ProtoSerde<>(LabelState.parser());
    }

    public static ProtoSerde<LabelledImage> labelled() {
        return new ProtoSerde<>(LabelledImage.parser());
    }

    public static ProtoSerde<DeadLetter> deadLetters() {
        return new ProtoSerde<>(DeadLetter.parser());
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : value.toByteArray();
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return parser.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new SerializationException("record of " + topic + " is not a valid protobuf message: "
                        + e.getMessage(), e);
            }
        };
    }
}
