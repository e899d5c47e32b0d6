package ai.seamstream.core.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.schemas.ClassVocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocWriterTest {
    @TempDir
    Path tmp;

    private static final ClassVocabulary CLASSES = ClassVocabulary.ofForeground(List.of("cat", "dog", "r&d<x>"));

    private static LabelMask mask(int w, int h, int... values) {
        var labels = new byte[w * h];
        for (int i = 0; i < values.length; i++) {
            labels[i] = (byte) values[i];
        }
        return new LabelMask(w, h, labels);
    }

    @Test
    void writtenDataSetReadsBackEqual() throws Exception {
        Path root = tmp.resolve("synthetic");
        VocWriter w = VocWriter.create(root, CLASSES);
        LabelMask m1 = mask(3, 2, 0, 1, 1, 255, 3, 0);
        LabelMask m2 = mask(2, 2, 2, 2, 0, 0);
        w.add("img_1", TestImages.encoded("png", 3, 2), "png", m1, List.of("cat", "r&d<x>", "cat"), 3, 2);
        w.add("img_2", TestImages.encoded("jpg", 2, 2), "jpg", m2, null, 2, 2);
        w.add("img_3", TestImages.encoded("jpg", 5, 4), "JPEG", null, List.of("dog"), 5, 4);
        w.add("img_4", TestImages.encoded("png", 1, 1), "png", null, null, 1, 1);
        w.add("img_5", TestImages.encoded("png", 1, 1), "png", null, List.of(), 1, 1);
        w.writeSplit("train", List.of("img_3", "img_1", "img_4"));
        w.writeSplit("val", List.of("img_2", "img_5"));

        assertEquals("background\ncat\ndog\nr&d<x>\n", Files.readString(root.resolve("classes.txt")));
        VocDataset ds = VocDataset.open(root);
        assertEquals(CLASSES, ds.classes());
        assertEquals(List.of("train", "val"), ds.splits());
        assertEquals(List.of("img_3", "img_1", "img_4"), ds.ids("train"));
        assertEquals(List.of("img_2", "img_5"), ds.ids("val"));
        assertEquals(root.resolve("JPEGImages/img_3.jpeg"), ds.imageFile("img_3"));
        assertArrayEquals(m1.labels(), ds.mask("img_1").labels());
        assertArrayEquals(m2.labels(), ds.mask("img_2").labels());
        assertFalse(ds.hasMask("img_3"));
        // From the XML (escaping survives), from the mask, from the XML, unknown, explicitly none.
        assertArrayEquals(new boolean[] {true, false, true}, ds.labels("img_1").orElseThrow());
        assertArrayEquals(new boolean[] {false, true, false}, ds.labels("img_2").orElseThrow());
        assertArrayEquals(new boolean[] {false, true, false}, ds.labels("img_3").orElseThrow());
        assertEquals(Optional.empty(), ds.labels("img_4"));
        assertArrayEquals(new boolean[] {false, false, false}, ds.labels("img_5").orElseThrow());

        String xml = Files.readString(root.resolve("Annotations/img_1.xml"));
        assertTrue(xml.contains("<filename>img_1.png</filename>"), xml);
        assertTrue(xml.contains("<width>3</width>") && xml.contains("<height>2</height>"), xml);
        assertTrue(xml.contains("<depth>3</depth>"), xml);
        assertTrue(xml.contains("<segmented>1</segmented>"), xml);
        assertTrue(xml.contains("<name>r&amp;d&lt;x&gt;</name>"), xml);
        assertEquals(3, xml.split("<object>").length - 1);
        assertTrue(Files.readString(root.resolve("Annotations/img_3.xml")).contains("<segmented>0</segmented>"));
    }

    @Test
    void refusesNonEmptyImagesFolderUnlessOverwriting() throws Exception {
        Path root = tmp.resolve("ds");
        VocWriter.create(root, CLASSES).add("a", TestImages.encoded("png", 2, 2), "png", mask(2, 2, 1), null, 2, 2);
        var e = assertThrows(DatasetException.class, () -> VocWriter.create(root, CLASSES));
        assertTrue(e.getMessage().startsWith(root.resolve("JPEGImages") + ": already holds files"), e.getMessage());

        // Overwriting: the id's old PNG, mask and missing XML give way to exactly the new files.
        var other = ClassVocabulary.ofForeground(List.of("cat", "dog", "cow"));
        VocWriter w = VocWriter.create(root, other, true);
        w.add("a", TestImages.encoded("jpg", 2, 2), "jpg", null, List.of("cow"), 2, 2);
        assertFalse(Files.exists(root.resolve("JPEGImages/a.png")));
        assertFalse(Files.exists(root.resolve("SegmentationClass/a.png")));
        VocDataset ds = VocDataset.open(root);
        assertEquals(other, ds.classes());
        assertEquals(root.resolve("JPEGImages/a.jpg"), ds.imageFile("a"));
        assertArrayEquals(new boolean[] {false, false, true}, ds.labels("a").orElseThrow());
        w.writeSplit("all", List.of("a"));
        assertEquals(List.of("a"), VocDataset.open(root).ids("all"));

        Path file = Files.writeString(tmp.resolve("plain"), "x");
        assertThrows(DatasetException.class, () -> VocWriter.create(file, CLASSES));
    }

    @Test
    void addRejectsBadInputWithClearMessages() throws Exception {
        VocWriter w = VocWriter.create(tmp.resolve("ds"), CLASSES);
        byte[] png = TestImages.encoded("png", 3, 2);
        for (String bad : new String[] {"", "a/b", "a\\b", "..", ".", "a b", "x\ty"}) {
            assertThrows(IllegalArgumentException.class, () -> w.add(bad, png, "png", null, null, 3, 2), bad);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> w.add("a", png, "gif", null, null, 3, 2));
        assertEquals("image extension must be png, jpg or jpeg, got 'gif'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> w.add("a", png, "jpg", null, null, 3, 2));
        assertEquals("image 'a' is png but the extension is jpg", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> w.add("a", png, "png", null, null, 2, 3));
        assertEquals("image 'a' is 3x2 but 2x3 was given", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> w.add("a", new byte[] {1, 2, 3}, "png", null, null, 3, 2));
        assertTrue(e.getMessage().startsWith("image 'a': "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> w.add("a", png, "png", mask(2, 2), null, 3, 2));
        assertEquals("image 'a' is 3x2 but its mask is 2x2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> w.add("a", png, "png", mask(3, 2, 0, 255, 3, 0, 4), null, 3, 2));
        assertEquals("image 'a': mask pixel (1,1) has class index 4 outside 0..3 and 255", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> w.add("a", png, "png", null, List.of("cow"), 3, 2));
        assertEquals("image 'a': unknown class 'cow'; valid classes: cat, dog, r&d<x>", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.add("a", png, "png", null, List.of("background"), 3, 2));
        // Nothing was written by the rejected calls.
        try (var files = Files.list(w.root().resolve("JPEGImages"))) {
            assertEquals(0, files.count());
        }

        w.add("a", png, "png", null, null, 3, 2);
        e = assertThrows(IllegalArgumentException.class,
                () -> w.add("a", TestImages.encoded("jpg", 3, 2), "jpg", null, null, 3, 2));
        assertTrue(e.getMessage().startsWith("image 'a' was already written: "), e.getMessage());
    }

    @Test
    void writeSplitRejectsUnknownRepeatedAndInvalidIds() throws Exception {
        VocWriter w = VocWriter.create(tmp.resolve("ds"), CLASSES);
        w.add("a", TestImages.encoded("png", 2, 2), "png", null, null, 2, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> w.writeSplit("train", List.of("a", "b")));
        assertTrue(e.getMessage().startsWith("split 'train': id 'b' has no image in "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> w.writeSplit("train", List.of("a", "a")));
        assertEquals("split 'train': id 'a' is listed twice", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.writeSplit("../train", List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> w.writeSplit("train", List.of("x/y")));
        assertFalse(Files.exists(w.root().resolve("ImageSets/Segmentation/train.txt")));
    }
}
