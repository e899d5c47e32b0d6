package ai.seamstream.core.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.MaskFormatException;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.schemas.ClassVocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads folders built by hand (not by {@link VocWriter}) so the reader is checked against the layout itself. */
class VocDatasetTest {
    @TempDir
    Path tmp;

    private static final String CAT_DOG_XML = """
            <annotation>
            \t<folder>VOC2012</folder>
            \t<filename>a.jpg</filename>
            \t<object><name>dog</name><difficult>1</difficult></object>
            \t<object>
            \t\t<name> person </name>
            \t\t<part><name>head</name></part>
            \t\t<part><name>hand</name></part>
            \t</object>
            \t<object><name>dog</name></object>
            </annotation>
            """;

    private Path mkdirs(Path root, String... dirs) throws IOException {
        for (String d : dirs) {
            Files.createDirectories(root.resolve(d));
        }
        return root;
    }

    private void image(Path root, String file, String format, int w, int h) throws IOException {
        Files.write(root.resolve("JPEGImages").resolve(file), TestImages.encoded(format, w, h));
    }

    private void mask(Path root, String id, int w, int h, int... values) throws IOException {
        var labels = new byte[w * h];
        for (int i = 0; i < values.length; i++) {
            labels[i] = (byte) values[i];
        }
        PaletteMaskCodec.write(new LabelMask(w, h, labels), root.resolve("SegmentationClass").resolve(id + ".png"));
    }

    private void text(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** A VOC-like folder: a.jpg with mask and XML, b.png with XML only, c.jpeg with nothing. */
    private Path vocLike() throws IOException {
        Path root = mkdirs(tmp.resolve("VOCmini"), "JPEGImages", "SegmentationClass", "Annotations");
        image(root, "a.jpg", "jpg", 4, 3);
        image(root, "b.png", "png", 2, 2);
        image(root, "c.jpeg", "jpg", 3, 3);
        Files.writeString(root.resolve("JPEGImages/notes.txt"), "not an image");
        mask(root, "a", 4, 3, 0, 0, 2, 2, 255, 3, 3, 0);
        text(root.resolve("Annotations/a.xml"), CAT_DOG_XML);
        text(root.resolve("Annotations/b.xml"), "<annotation><object><name>cat</name></object></annotation>");
        return root;
    }

    @Test
    void classesFromAnnotationsAreSortedUniqueObjectNames() throws Exception {
        VocDataset ds = VocDataset.open(vocLike());
        // Part names (head, hand) are not objects; order is alphabetical like VOC's official list.
        assertEquals(ClassVocabulary.ofForeground(List.of("cat", "dog", "person")), ds.classes());
        assertTrue(ds.classesOrigin().contains("Annotations"), ds.classesOrigin());
        assertEquals(List.of("a", "b", "c"), ds.imageIds());
    }

    @Test
    void labelsComeFromXmlThenMaskElseUnknown() throws Exception {
        Path root = vocLike();
        Files.delete(root.resolve("Annotations/a.xml"));
        text(root.resolve("classes.txt"), "background\ncat\ndog\nperson\n");
        VocDataset ds = VocDataset.open(root);
        // a: no XML now, mask holds 0, 2, 3 and 255 -> dog, person.
        assertArrayEquals(new boolean[] {false, true, true}, ds.labels("a").orElseThrow());
        assertArrayEquals(new boolean[] {true, false, false}, ds.labels("b").orElseThrow());
        assertEquals(Optional.empty(), ds.labels("c"));
        text(root.resolve("Annotations/a.xml"), CAT_DOG_XML);
        // The XML wins over the mask: dog (twice, one difficult) and person.
        assertArrayEquals(new boolean[] {false, true, true}, ds.labels("a").orElseThrow());
        text(root.resolve("Annotations/c.xml"), "<annotation><filename>c.jpeg</filename></annotation>");
        assertArrayEquals(new boolean[] {false, false, false}, ds.labels("c").orElseThrow());
    }

    @Test
    void maskIsReadAndCheckedAgainstTheImageHeader() throws Exception {
        VocDataset ds = VocDataset.open(vocLike());
        assertTrue(ds.hasMask("a"));
        assertFalse(ds.hasMask("b"));
        assertFalse(ds.hasMask("../a"));
        LabelMask m = ds.mask("a");
        assertEquals(4, m.width());
        assertEquals(3, m.height());
        assertEquals(2, m.get(2, 0));
        assertEquals(255, m.get(0, 1));
        assertEquals(ds.root().resolve("JPEGImages/a.jpg"), ds.imageFile("a"));
        assertEquals(ds.root().resolve("JPEGImages/c.jpeg"), ds.imageFile("c"));
    }

    @Test
    void maskSizeMismatchNamesBothFilesAndSizes() throws Exception {
        Path root = vocLike();
        mask(root, "b", 3, 2);
        VocDataset ds = VocDataset.open(root);
        var e = assertThrows(DatasetException.class, () -> ds.mask("b"));
        assertEquals(root.resolve("SegmentationClass/b.png") + " is 3x2 but its image "
                + root.resolve("JPEGImages/b.png") + " is 2x2", e.getMessage());
    }

    @Test
    void maskIndexOutsideTheVocabularyIsAnError() throws Exception {
        Path root = vocLike();
        mask(root, "b", 2, 2, 0, 0, 0, 4);
        VocDataset ds = VocDataset.open(root);
        var e = assertThrows(DatasetException.class, () -> ds.mask("b"));
        assertTrue(e.getMessage().contains("b.png: pixel (1,1) has class index 4 but the data set has classes 0..3"),
                e.getMessage());
        // Labels derived from such a mask fail the same way once no XML takes precedence.
        Files.delete(root.resolve("Annotations/b.xml"));
        var l = assertThrows(DatasetException.class, () -> ds.labels("b"));
        assertEquals(e.getMessage(), l.getMessage());
    }

    @Test
    void missingMaskAndUnknownIdAreReported() throws Exception {
        VocDataset ds = VocDataset.open(vocLike());
        var e = assertThrows(DatasetException.class, () -> ds.mask("c"));
        assertTrue(e.getMessage().endsWith("c.png: no mask for image 'c'"), e.getMessage());
        var u = assertThrows(IllegalArgumentException.class, () -> ds.imageFile("zzz"));
        assertTrue(u.getMessage().startsWith("no image 'zzz' in "), u.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ds.labels("zzz"));
        assertThrows(IllegalArgumentException.class, () -> ds.mask("../b"));
    }

    @Test
    void corruptMaskIsAMaskFormatError() throws Exception {
        Path root = vocLike();
        Files.write(root.resolve("SegmentationClass/b.png"), TestImages.encoded("png", 2, 2));
        text(root.resolve("classes.txt"), "background\ncat\ndog\nperson\n");
        VocDataset ds = VocDataset.open(root);
        var e = assertThrows(MaskFormatException.class, () -> ds.mask("b"));
        assertTrue(e.getMessage().endsWith("this is 8-bit RGB"), e.getMessage());
    }

    @Test
    void unknownClassInXmlNamesTheFileAndListsValidClasses() throws Exception {
        Path root = vocLike();
        text(root.resolve("classes.txt"), "background\ncat\ndog\n");
        VocDataset ds = VocDataset.open(root);
        var e = assertThrows(DatasetException.class, () -> ds.labels("a"));
        assertEquals(root.resolve("Annotations/a.xml") + ": unknown class 'person'; valid classes: cat, dog (from "
                + root.resolve("classes.txt") + ")", e.getMessage());
        text(root.resolve("Annotations/b.xml"), "<annotation><object><name>background</name></object></annotation>");
        e = assertThrows(DatasetException.class, () -> ds.labels("b"));
        assertTrue(e.getMessage().contains("unknown class 'background'"), e.getMessage());
    }

    @Test
    void classesTxtWinsOverAnnotations() throws Exception {
        Path root = vocLike();
        text(root.resolve("classes.txt"), "# mine\nbackground\nperson\ndog\ncat\nbird\n");
        VocDataset ds = VocDataset.open(root);
        assertEquals(ClassVocabulary.ofForeground(List.of("person", "dog", "cat", "bird")), ds.classes());
        assertArrayEquals(new boolean[] {true, true, false, false}, ds.labels("a").orElseThrow());
        text(root.resolve("classes.txt"), "background\n");
        var e = assertThrows(DatasetException.class, () -> VocDataset.open(root));
        assertTrue(e.getMessage().startsWith(root.resolve("classes.txt").toString()), e.getMessage());
    }

    @Test
    void classesFromMasksFollowTheDocumentedRule() throws Exception {
        Path plain = mkdirs(tmp.resolve("mine"), "JPEGImages", "SegmentationClass");
        image(plain, "x.png", "png", 2, 2);
        mask(plain, "x", 2, 2, 0, 3, 255, 1);
        VocDataset ds = VocDataset.open(plain);
        assertEquals(ClassVocabulary.ofForeground(List.of("class1", "class2", "class3")), ds.classes());

        Path voc = mkdirs(tmp.resolve("voc2012_aug"), "JPEGImages", "SegmentationClass");
        image(voc, "x.png", "png", 2, 2);
        mask(voc, "x", 2, 2, 0, 20, 255, 1);
        assertEquals(ClassVocabulary.VOC2012, VocDataset.open(voc).classes());
        mask(voc, "y", 2, 2, 21);
        assertEquals(21, VocDataset.open(voc).classes().foregroundCount());
        assertEquals("class21", VocDataset.open(voc).classes().name(21));

        Path bgOnly = mkdirs(tmp.resolve("bg"), "JPEGImages", "SegmentationClass");
        image(bgOnly, "x.png", "png", 2, 2);
        mask(bgOnly, "x", 2, 2, 0, 255);
        var e = assertThrows(DatasetException.class, () -> VocDataset.open(bgOnly));
        assertTrue(e.getMessage().contains("masks hold only background"), e.getMessage());
    }

    @Test
    void folderWithoutAnyClassSourceCannotBeOpened() throws Exception {
        Path root = mkdirs(tmp.resolve("bare"), "JPEGImages");
        image(root, "x.png", "png", 2, 2);
        var e = assertThrows(DatasetException.class, () -> VocDataset.open(root));
        assertTrue(e.getMessage().contains("cannot tell the classes"), e.getMessage());
        assertTrue(e.getMessage().contains("classes.txt"), e.getMessage());
    }

    @Test
    void splitAllIsEveryImageWhenNoSplitFiles() throws Exception {
        Path root = vocLike();
        VocDataset ds = VocDataset.open(root);
        assertEquals(List.of("all"), ds.splits());
        assertEquals(List.of("a", "b", "c"), ds.ids("all"));
        Files.createDirectories(root.resolve("ImageSets/Segmentation"));
        // An empty ImageSets/Segmentation counts as absent.
        assertEquals(List.of("a", "b", "c"), ds.ids(VocDataset.ALL));
    }

    @Test
    void splitFilesAreListedAndRead() throws Exception {
        Path root = vocLike();
        text(root.resolve("ImageSets/Segmentation/val.txt"), "c\n\n a \n");
        text(root.resolve("ImageSets/Segmentation/train.txt"), "b\n");
        VocDataset ds = VocDataset.open(root);
        assertEquals(List.of("train", "val"), ds.splits());
        assertEquals(List.of("c", "a"), ds.ids("val"));
        assertEquals(List.of("b"), ds.ids("train"));
        var e = assertThrows(DatasetException.class, () -> ds.ids("all"));
        assertEquals(root + ": unknown split 'all'; available: train, val", e.getMessage());
    }

    @Test
    void listedIdWithoutImageNamesListFileAndId() throws Exception {
        Path root = vocLike();
        Path list = root.resolve("ImageSets/Segmentation/train.txt");
        text(list, "a\nmissing_01\n");
        VocDataset ds = VocDataset.open(root);
        var e = assertThrows(DatasetException.class, () -> ds.ids("train"));
        assertEquals(list + " line 2: id 'missing_01' has no image in " + root.resolve("JPEGImages"), e.getMessage());
        text(list, "a\n../../etc/passwd\n");
        e = assertThrows(DatasetException.class, () -> ds.ids("train"));
        assertTrue(e.getMessage().contains("path separator"), e.getMessage());
        text(list, "a\nb\na\n");
        e = assertThrows(DatasetException.class, () -> ds.ids("train"));
        assertEquals(list + " line 3: id 'a' is listed twice", e.getMessage());
        text(list, "2008_000002 -1\n");
        e = assertThrows(DatasetException.class, () -> ds.ids("train"));
        assertTrue(e.getMessage().contains("whitespace"), e.getMessage());
    }

    @Test
    void missingRootOrImagesFolderIsAOneLineError() throws Exception {
        Path nowhere = tmp.resolve("nowhere");
        var e = assertThrows(DatasetException.class, () -> VocDataset.open(nowhere));
        assertEquals(nowhere + ": data set folder does not exist", e.getMessage());
        Path file = Files.writeString(tmp.resolve("file"), "x");
        e = assertThrows(DatasetException.class, () -> VocDataset.open(file));
        assertTrue(e.getMessage().startsWith(file + ": not a folder"), e.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        e = assertThrows(DatasetException.class, () -> VocDataset.open(empty));
        assertTrue(e.getMessage().startsWith(empty + ": no JPEGImages folder"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void twoImagesWithOneIdAreRejected() throws Exception {
        Path root = vocLike();
        image(root, "a.png", "png", 4, 3);
        var e = assertThrows(DatasetException.class, () -> VocDataset.open(root));
        assertEquals(root.resolve("JPEGImages") + ": two images for id 'a': a.jpg and a.png", e.getMessage());
    }

    @Test
    void malformedXmlNamesTheFile() throws Exception {
        Path root = vocLike();
        text(root.resolve("Annotations/b.xml"), "<annotation><object><name>cat</name></annotation>");
        var e = assertThrows(DatasetException.class, () -> VocDataset.open(root));
        assertTrue(e.getMessage().startsWith(root.resolve("Annotations/b.xml") + ": not a valid annotation XML"),
                e.getMessage());
        text(root.resolve("Annotations/b.xml"), "<annotation><object><difficult>0</difficult></object></annotation>");
        e = assertThrows(DatasetException.class, () -> VocDataset.open(root));
        assertEquals(root.resolve("Annotations/b.xml") + ": <object> number 1 has no <name>", e.getMessage());
    }

    @Test
    void xxePayloadIsNotResolved() throws Exception {
        Path root = vocLike();
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "cat");
        text(root.resolve("classes.txt"), "background\ncat\ndog\nperson\n");
        // If the entity were resolved the object would be a valid "cat" and labels would succeed.
        String external = "<?xml version=\"1.0\"?>\n<!DOCTYPE annotation [<!ENTITY xxe SYSTEM \"" + secret.toUri()
                + "\">]>\n<annotation><object><name>&xxe;</name></object></annotation>\n";
        text(root.resolve("Annotations/b.xml"), external);
        VocDataset ds = VocDataset.open(root);
        var e = assertThrows(DatasetException.class, () -> ds.labels("b"));
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        String parameter = "<?xml version=\"1.0\"?>\n<!DOCTYPE annotation [<!ENTITY % p SYSTEM \"" + secret.toUri()
                + "\"> %p;]>\n<annotation/>\n";
        text(root.resolve("Annotations/b.xml"), parameter);
        assertThrows(DatasetException.class, () -> ds.labels("b"));
        // The same holds while deriving the classes at open time.
        Files.delete(root.resolve("classes.txt"));
        text(root.resolve("Annotations/b.xml"), external);
        e = assertThrows(DatasetException.class, () -> VocDataset.open(root));
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    }
}
