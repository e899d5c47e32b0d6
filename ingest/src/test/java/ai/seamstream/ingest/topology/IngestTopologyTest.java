package ai.seamstream.ingest.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.schemas.TopicCatalog;
import ai.seamstream.schemas.v1.DeadLetter;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelState;
import ai.seamstream.schemas.v1.LabelledImage;
import ai.seamstream.schemas.v1.TagAction;
import ai.seamstream.schemas.v1.TagEvent;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IngestTopologyTest {
    static final ClassVocabulary VOCAB = ClassVocabulary.ofForeground(List.of("cat", "dog", "person"));

    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> images;
    TestInputTopic<String, byte[]> tags;
    TestOutputTopic<String, LabelState> labels;
    TestOutputTopic<String, LabelledImage> labelled;
    TestOutputTopic<String, DeadLetter> dead;

    void start(ConsensusRule rule, ImageLimits limits) {
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ingest-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/kafka-streams-ttd");
        driver = new TopologyTestDriver(IngestTopology.build(IngestConfig.of(VOCAB, rule, limits)), props);
        images = driver.createInputTopic(TopicCatalog.IMAGES, new StringSerializer(), new ByteArraySerializer());
        tags = driver.createInputTopic(TopicCatalog.TAGS, new StringSerializer(), new ByteArraySerializer());
        labels = driver.createOutputTopic(TopicCatalog.LABELS, new StringDeserializer(), ProtoSerde.labels().deserializer());
        labelled = driver.createOutputTopic(TopicCatalog.LABELLED, new StringDeserializer(),
                ProtoSerde.labelled().deserializer());
        dead = driver.createOutputTopic(TopicCatalog.DEAD_LETTER, new StringDeserializer(),
                ProtoSerde.deadLetters().deserializer());
    }

    @BeforeEach
    void setUp() {
        start(ConsensusRule.DEFAULT, ImageLimits.DEFAULTS);
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    static byte[] image(String id, byte[] data) {
        return Image.newBuilder().setImageId(id).setData(ByteString.copyFrom(data)).setSource("test").build()
                .toByteArray();
    }

    static byte[] tag(String id, TagAction action, String annotator, String... classes) {
        return TagEvent.newBuilder().setImageId(id).setAction(action).setAnnotator(annotator)
                .addAllClasses(List.of(classes)).setTimeMs(5).build().toByteArray();
    }

    @Test
    void untaggedImageIsLabelledWithoutLabelsAndItsIdIsTheSha256() throws Exception {
        byte[] png = TestImages.png(12, 8, 1);
        String sha = TestImages.sha256Hex(png);
        // a producer may leave the id empty: the topology fills in the SHA-256, but the key must already be it
        images.pipeInput(sha, image("", png));
        var out = labelled.readKeyValuesToList();
        assertEquals(1, out.size());
        LabelledImage li = out.get(0).value;
        assertEquals(sha, out.get(0).key);
        assertEquals(sha, li.getImageId());
        assertEquals(sha, li.getImage().getSha256());
        assertEquals(12, li.getImage().getWidth());
        assertEquals(8, li.getImage().getHeight());
        assertEquals("image/png", li.getImage().getContentType());
        assertEquals(png.length, li.getImage().getSizeBytes());
        assertFalse(li.hasLabels());
        assertEquals(0, li.getLabelVersion());
        assertTrue(dead.isEmpty());
    }

    @Test
    void identicalReSendIsOneImageAndChangedBytesAreANewVersion() {
        byte[] a = TestImages.png(10, 10, 1);
        byte[] b = TestImages.png(10, 10, 2);
        images.pipeInput("img-1", image("img-1", a));
        images.pipeInput("img-1", image("img-1", a));
        images.pipeInput("img-1", image("img-1", a));
        assertEquals(1, labelled.readRecordsToList().size());
        images.pipeInput("img-1", image("img-1", b));
        var out = labelled.readValuesToList();
        assertEquals(1, out.size());
        assertEquals(ByteString.copyFrom(b), out.get(0).getImage().getData());
        KeyValueStore<String, Image> store = driver.getKeyValueStore(IngestTopology.IMAGES_STORE);
        assertEquals(ByteString.copyFrom(b), store.get("img-1").getData());
    }

    @Test
    void tagsBeforeTheImageAreKeptAndJoinWhenItArrives() {
        tags.pipeInput("img-2", tag("img-2", TagAction.TAG_ACTION_ADD, "alice", "dog"));
        assertTrue(labelled.isEmpty(), "no image yet");
        LabelState st = labels.readValue();
        assertEquals(List.of("dog"), st.getClassesList());
        assertEquals(1, st.getLabelVersion());
        images.pipeInput("img-2", image("img-2", TestImages.png(9, 9, 3)));
        LabelledImage li = labelled.readValue();
        assertEquals(List.of("dog"), li.getLabels().getClassesList());
        assertEquals(1, li.getLabelVersion());
        assertTrue(labelled.isEmpty());
    }

    @Test
    void consensusChangesMakeNewLabelledVersionsAndVoteOnlyChangesDoNot() {
        images.pipeInput("img-3", image("img-3", TestImages.png(9, 9, 4)));
        assertEquals(0, labelled.readValue().getLabelVersion());
        tags.pipeInput("img-3", tag("img-3", TagAction.TAG_ACTION_ADD, "alice", "cat", "person"));
        tags.pipeInput("img-3", tag("img-3", TagAction.TAG_ACTION_ADD, "bob", "cat", "person")); // same consensus
        tags.pipeInput("img-3", tag("img-3", TagAction.TAG_ACTION_REMOVE, "alice", "person")); // person 1 of 2 stays
        tags.pipeInput("img-3", tag("img-3", TagAction.TAG_ACTION_REMOVE, "bob", "person")); // person 0 of 2: out
        var ls = labels.readValuesToList();
        assertEquals(4, ls.size(), "every tag event updates the label state");
        assertEquals(List.of(1L, 1L, 1L, 2L), ls.stream().map(LabelState::getLabelVersion).toList());
        var li = labelled.readValuesToList();
        assertEquals(List.of(1L, 2L), li.stream().map(LabelledImage::getLabelVersion).toList());
        assertEquals(List.of("cat", "person"), li.get(0).getLabels().getClassesList());
        assertEquals(List.of("cat"), li.get(1).getLabels().getClassesList());
        assertEquals(List.of("alice", "bob"), li.get(1).getLabels().getAnnotatorsList());
        LabelState stored = driver.<String, LabelState>getKeyValueStore(IngestTopology.LABELS_STORE).get("img-3");
        assertEquals(2, stored.getLabelVersion());
    }

    @Test
    void configurableRuleNeedsTwoAnnotators() {
        driver.close();
        start(new ConsensusRule(2, 0.5, 0), ImageLimits.DEFAULTS);
        images.pipeInput("img-4", image("img-4", TestImages.png(9, 9, 5)));
        tags.pipeInput("img-4", tag("img-4", TagAction.TAG_ACTION_ADD, "alice", "cat"));
        tags.pipeInput("img-4", tag("img-4", TagAction.TAG_ACTION_ADD, "bob", "cat"));
        var li = labelled.readValuesToList();
        assertEquals(List.of(0L, 1L), li.stream().map(LabelledImage::getLabelVersion).toList());
        assertEquals("min-votes=2,min-fraction=0.5,min-confidence=0", li.get(1).getLabels().getRule());
    }

    @Test
    void tombstoneDeletesTheImageAndItsLabelledRecord() {
        byte[] png = TestImages.png(9, 9, 6);
        images.pipeInput("img-5", image("img-5", png));
        images.pipeInput("img-5", (byte[]) null);
        var out = labelled.readKeyValuesToList();
        assertEquals(2, out.size());
        assertNull(out.get(1).value);
        assertNull(driver.<String, Image>getKeyValueStore(IngestTopology.IMAGES_STORE).get("img-5"));
        // the same bytes again after a deletion are a new image
        images.pipeInput("img-5", image("img-5", png));
        assertEquals(1, labelled.readValuesToList().size());
    }

    @Test
    void tombstoneForAnUnknownImageEmitsNothing() {
        images.pipeInput("never-seen", (byte[]) null);
        assertTrue(labelled.isEmpty());
        assertTrue(dead.isEmpty(), "a delete of nothing is not an error");
    }

    @Test
    void uriImagesPassAndBadSchemesAreDeadLetters() {
        images.pipeInput("img-6", Image.newBuilder().setImageId("img-6").setUri("s3://bucket/a.png").build().toByteArray());
        assertEquals("s3://bucket/a.png", labelled.readValue().getImage().getUri());
        images.pipeInput("img-7", Image.newBuilder().setImageId("img-7").setUri("gopher://x").build().toByteArray());
        DeadLetter d = dead.readValue();
        assertEquals("bad-uri", d.getErrorCode());
        assertTrue(d.getError().contains("file, http, https, s3"), d.getError());
    }

    @Test
    void badImagesGoToTheDeadLetterTopicWithTheirSourceAndBytes() {
        driver.close();
        start(ConsensusRule.DEFAULT, new ImageLimits(2000, 300, Set.of("file")));
        byte[] png = TestImages.png(10, 10, 7);
        byte[] truncated = Arrays.copyOf(png, png.length / 2);
        byte[] bigPixels = TestImages.png(20, 20, 8); // 400 pixels > 300
        byte[] noise = new byte[2500];
        new java.util.Random(1).nextBytes(noise);
        List<KeyValue<String, byte[]>> bad = List.of(
                KeyValue.pair("k1", "not protobuf at all \u00ff\u00ff".getBytes(StandardCharsets.ISO_8859_1)),
                KeyValue.pair("k2", image("k2", "hello, not an image".getBytes(StandardCharsets.UTF_8))),
                KeyValue.pair("k3", image("k3", truncated)),
                KeyValue.pair("k4", image("k4", bigPixels)),
                KeyValue.pair("k5", image("k5", new byte[0])),
                KeyValue.pair("other", image("k6", png)),
                KeyValue.pair(null, image("k7", png)),
                KeyValue.pair("k8", image("k8", noise)),
                KeyValue.pair("bad id!", image("bad id!", png)));
        for (var kv : bad) {
            images.pipeInput(kv.key, kv.value);
        }
        var letters = dead.readValuesToList();
        assertEquals(List.of("unparseable", "not-an-image", "truncated-image", "too-many-pixels", "empty", "key-mismatch",
                "key-mismatch", "too-large", "bad-id"), letters.stream().map(DeadLetter::getErrorCode).toList(),
                letters.toString());
        for (int i = 0; i < letters.size(); i++) {
            DeadLetter d = letters.get(i);
            assertEquals(TopicCatalog.IMAGES, d.getSourceTopic());
            assertEquals(i, d.getSourceOffset(), "offsets follow the input order");
            assertEquals(0, d.getSourcePartition());
            assertEquals(ByteString.copyFrom(bad.get(i).value), d.getOriginalValue());
            assertEquals("ingest", d.getService());
            assertFalse(d.getError().isBlank());
        }
        assertEquals("k3", letters.get(2).getOriginalKey().toStringUtf8());
        assertTrue(letters.get(3).getError().contains("400 pixels, over the limit of 300"), letters.get(3).getError());
        assertTrue(letters.get(7).getError().contains("2500 bytes, over the limit of 2000"), letters.get(7).getError());
        assertTrue(labelled.isEmpty());
    }

    @Test
    void badTagsGoToTheDeadLetterTopicAndValidOnesStillCount() {
        tags.pipeInput("img-8", tag("img-8", TagAction.TAG_ACTION_ADD, "alice", "cat", "unicorn"));
        tags.pipeInput("img-8", tag("img-8", TagAction.TAG_ACTION_ADD, "alice", "background"));
        tags.pipeInput("img-8", tag("img-8", TagAction.TAG_ACTION_UNSPECIFIED, "alice", "cat"));
        tags.pipeInput("img-8", tag("img-8", TagAction.TAG_ACTION_ADD, "alice"));
        tags.pipeInput("img-8", tag("img-8", TagAction.TAG_ACTION_ADD, "", "cat"));
        tags.pipeInput("img-9", tag("img-8", TagAction.TAG_ACTION_ADD, "alice", "cat"));
        tags.pipeInput("img-8", new byte[] {(byte) 0xff, 0x01});
        tags.pipeInput("img-8", (byte[]) null);
        tags.pipeInput("img-8", TagEvent.newBuilder().setImageId("img-8").setAction(TagAction.TAG_ACTION_ADD)
                .setAnnotator("a").addClasses("cat").setConfidence(1.5f).build().toByteArray());
        tags.pipeInput("img-8", tag("img-8", TagAction.TAG_ACTION_ADD, "alice", "cat"));
        var letters = dead.readValuesToList();
        assertEquals(List.of("unknown-class", "unknown-class", "bad-action", "no-classes", "bad-annotator",
                "key-mismatch", "unparseable", "empty", "bad-confidence"),
                letters.stream().map(DeadLetter::getErrorCode).toList());
        assertTrue(letters.get(0).getError().contains("'unicorn'; valid classes: cat, dog, person"),
                letters.get(0).getError());
        assertEquals(TopicCatalog.TAGS, letters.get(6).getSourceTopic());
        assertEquals(6, letters.get(6).getSourceOffset());
        var st = labels.readValuesToList();
        assertEquals(1, st.size(), "only the valid event reached the consensus");
        assertEquals(List.of("cat"), st.get(0).getClassesList());
    }
}
