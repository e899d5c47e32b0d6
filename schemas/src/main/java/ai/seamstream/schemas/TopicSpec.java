package ai.seamstream.schemas;

import com.google.protobuf.Descriptors.Descriptor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One Kafka topic of the system: its name, partition count, retention kind, largest record, and value contract.
 *
 * @param name            the topic name, e.g. {@code seam.images.v1}
 * @param partitions      partition count (records are keyed by image id, so this bounds a consumer group's width)
 * @param compacted       true for {@code cleanup.policy=compact} (latest value per key), false for delete
 * @param maxMessageBytes largest record batch the topic accepts ({@code max.message.bytes})
 * @param value           the protobuf message type of the values
 */
public record TopicSpec(String name, int partitions, boolean compacted, int maxMessageBytes, Descriptor value) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!name.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("not a valid Kafka topic name: '" + name + "'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be at least 1, got " + partitions);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("topic " + name + ": max message size must be at least 1024 bytes, got "
                    + maxMessageBytes);
        }
    }

    /** The same topic with another partition count. */
    public TopicSpec withPartitions(int n) {
        return new TopicSpec(name, n, compacted, maxMessageBytes, value);
    }

    /** The topic-level configuration to create the topic with ({@code cleanup.policy}, {@code max.message.bytes}). */
    public Map<String, String> configs() {
        var m = new LinkedHashMap<String, String>();
        m.put("cleanup.policy", compacted ? "compact" : "delete");
        m.put("max.message.bytes", Integer.toString(maxMessageBytes));
        return m;
    }
}
