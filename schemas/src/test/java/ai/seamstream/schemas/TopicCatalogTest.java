package ai.seamstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.TagAction;
import ai.seamstream.schemas.v1.TagEvent;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicCatalogTest {

    @Test
    void catalogHasEveryTopicOfTheArchitectureInDataFlowOrder() {
        var names = TopicCatalog.defaults().all().stream().map(TopicSpec::name).toList();
        assertEquals(List.of("seam.images.v1", "seam.tags.v1", "seam.labels.v1", "seam.labelled.v1", "seam.masks.v1",
                "seam.review.v1", "seam.models.v1", "seam.deadletter.v1"), names);
    }

    @Test
    void keyedStateTopicsAreCompactedAndEventTopicsAreNot() {
        var c = TopicCatalog.defaults();
        for (String t : List.of(TopicCatalog.IMAGES, TopicCatalog.LABELS, TopicCatalog.LABELLED, TopicCatalog.MASKS,
                TopicCatalog.MODELS)) {
            assertTrue(c.get(t).compacted(), t);
            assertEquals("compact", c.get(t).configs().get("cleanup.policy"));
        }
        for (String t : List.of(TopicCatalog.TAGS, TopicCatalog.REVIEW, TopicCatalog.DEAD_LETTER)) {
            assertFalse(c.get(t).compacted(), t);
            assertEquals("delete", c.get(t).configs().get("cleanup.policy"));
        }
    }

    @Test
    void sizesAndPartitions() {
        var c = TopicCatalog.withPartitions(3);
        assertEquals(3, c.get(TopicCatalog.IMAGES).partitions());
        assertEquals(1, c.get(TopicCatalog.MODELS).partitions(), "model events stay in one ordered partition");
        assertEquals(Map.of("cleanup.policy", "compact", "max.message.bytes", Integer.toString(16 * 1024 * 1024 + 65536)),
                c.get(TopicCatalog.IMAGES).configs());
        // the dead letter wraps the largest record, so it is the largest topic
        assertEquals(c.get(TopicCatalog.DEAD_LETTER).maxMessageBytes(), c.maxMessageBytes());
        assertTrue(c.maxMessageBytes() > c.get(TopicCatalog.LABELLED).maxMessageBytes());
        assertEquals(TopicCatalog.DEFAULT_PARTITIONS, TopicCatalog.defaults().get(TopicCatalog.TAGS).partitions());
        assertEquals(5, c.get(TopicCatalog.TAGS).withPartitions(5).partitions());
    }

    @Test
    void valueContractsAreTheProtobufTypes() {
        var c = TopicCatalog.defaults();
        assertEquals(Image.getDescriptor(), c.get(TopicCatalog.IMAGES).value());
        assertEquals(TagEvent.getDescriptor(), c.get(TopicCatalog.TAGS).value());
    }

    @Test
    void badInputIsRefusedWithAReason() {
        var e = assertThrows(IllegalArgumentException.class, () -> TopicCatalog.defaults().get("seam.nope"));
        assertTrue(e.getMessage().contains("seam.images.v1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TopicCatalog.withPartitions(0));
        assertThrows(IllegalArgumentException.class,
                () -> new TopicSpec("bad name", 1, false, 4096, Image.getDescriptor()));
        assertThrows(IllegalArgumentException.class,
                () -> new TopicSpec("ok", 1, false, 10, Image.getDescriptor()));
    }

    @Test
    void messagesRoundTripOnTheWire() throws InvalidProtocolBufferException {
        var img = Image.newBuilder().setImageId("abc").setData(ByteString.copyFrom(new byte[] {1, 2, 3}))
                .setContentType("image/png").setSizeBytes(3).build();
        assertEquals(img, Image.parseFrom(img.toByteArray()));
        assertEquals(Image.ContentCase.DATA, Image.parseFrom(img.toByteArray()).getContentCase());
        var tag = TagEvent.newBuilder().setImageId("abc").setAction(TagAction.TAG_ACTION_REMOVE).addClasses("cat").build();
        // field 2 (action) is a varint: tag byte (2 << 3 | 0) = 0x10, then the enum number 2
        byte[] wire = tag.toByteArray();
        int i = 0;
        while (wire[i] != 0x10) {
            i += 2 + wire[i + 1];
        }
        assertEquals(2, wire[i + 1]);
    }
}
