package ai.seamstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassVocabularyTest {

    @Test
    void vocPresetHasTwentyForegroundClassesInOfficialOrder() {
        assertEquals(21, ClassVocabulary.VOC2012.size());
        assertEquals("aeroplane", ClassVocabulary.VOC2012.name(1));
        assertEquals("tvmonitor", ClassVocabulary.VOC2012.name(20));
        assertEquals(15, ClassVocabulary.VOC2012.indexOf("person"));
    }

    @Test
    void unknownClassListsTheValidOnes() {
        var v = ClassVocabulary.ofForeground(List.of("cat", "dog"));
        var e = assertThrows(IllegalArgumentException.class, () -> v.indexOf("cow"));
        assertTrue(e.getMessage().contains("cat, dog"), e.getMessage());
    }

    @Test
    void rejectsDuplicatesBlanksAndEmpty() {
        assertThrows(IllegalArgumentException.class, () -> ClassVocabulary.of(List.of("background")));
        assertThrows(IllegalArgumentException.class, () -> ClassVocabulary.ofForeground(List.of("cat", "cat")));
        assertThrows(IllegalArgumentException.class, () -> ClassVocabulary.ofForeground(List.of("two words")));
    }

    @Test
    void fileRoundTrip(@TempDir Path dir) throws Exception {
        var v = ClassVocabulary.ofForeground(List.of("a", "b", "c"));
        Path f = dir.resolve("classes.txt");
        v.write(f);
        Files.writeString(f, "# comment\n" + Files.readString(f) + "\n\n");
        assertEquals(v, ClassVocabulary.read(f));
        assertEquals(3, ClassVocabulary.read(f).foregroundCount());
    }

    @Test
    void badFileNamesTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("classes.txt");
        Files.writeString(f, "background\n");
        var e = assertThrows(IllegalArgumentException.class, () -> ClassVocabulary.read(f));
        assertTrue(e.getMessage().contains("classes.txt"), e.getMessage());
    }

    @Test
    void parsesTheConfigurationForms(@TempDir Path dir) throws Exception {
        assertEquals(ClassVocabulary.VOC2012, ClassVocabulary.parse(" VOC2012 "));
        assertEquals(List.of("background", "cat", "dog"), ClassVocabulary.parse("cat, dog").names());
        Path f = dir.resolve("classes.txt");
        ClassVocabulary.ofForeground(List.of("x", "y")).write(f);
        assertEquals(List.of("background", "x", "y"), ClassVocabulary.parse("file:" + f).names());
        assertThrows(java.io.IOException.class, () -> ClassVocabulary.parse("file:" + dir.resolve("missing.txt")));
        assertThrows(IllegalArgumentException.class, () -> ClassVocabulary.parse("cat,,cat"));
    }
}
