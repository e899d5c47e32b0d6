package ai.seamstream.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingSetStoreTest {
    @TempDir
    Path dir;

    static LabelledImage img(String id, long version, String... classes) {
        return new LabelledImage(id, ("bytes of " + id).getBytes(StandardCharsets.UTF_8), List.of(classes), version, null);
    }

    private long recordFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve(TrainingSetStore.RECORDS))) {
            return s.filter(p -> p.toString().endsWith(".rec")).count();
        }
    }

    @Test
    void contentSurvivesARestartWithoutARebuild() throws Exception {
        byte[] mask = {1, 2, 3};
        try (var s = TrainingSetStore.open(dir)) {
            s.upsert(img("a", 1, "cat"));
            s.upsert(new LabelledImage("b", "png".getBytes(StandardCharsets.UTF_8), List.of("dog", "cat"), 4, mask));
        }
        try (var s = TrainingSetStore.open(dir)) {
            assertFalse(s.rebuiltIndex());
            assertEquals(2, s.size());
            LabelledImage b = s.get("b").orElseThrow();
            assertEquals(List.of("cat", "dog"), b.classes());
            assertEquals(4, b.labelVersion());
            assertArrayEquals(mask, b.groundTruth());
            assertEquals(img("a", 1, "cat"), s.get("a").orElseThrow());
        }
    }

    @Test
    void olderLabelVersionsNeverOverwriteNewerOnes() throws Exception {
        try (var s = TrainingSetStore.open(dir)) {
            assertEquals(TrainingSetStore.Upsert.APPLIED, s.upsert(img("a", 5, "cat")));
            assertEquals(TrainingSetStore.Upsert.STALE, s.upsert(img("a", 4, "dog")));
            assertEquals(TrainingSetStore.Upsert.UNCHANGED, s.upsert(img("a", 5, "cat")));
            assertEquals(List.of("cat"), s.get("a").orElseThrow().classes());
            assertEquals(TrainingSetStore.Upsert.APPLIED, s.upsert(img("a", 6, "dog")));
            assertEquals(List.of("dog"), s.get("a").orElseThrow().classes());
            assertEquals(1, recordFiles(), "the replaced version's file is removed");
            assertTrue(s.remove("a"));
            assertFalse(s.remove("a"));
            assertEquals(0, recordFiles());
        }
    }

    @Test
    void aLostOrCorruptIndexIsRebuiltFromTheRecords() throws Exception {
        String id;
        try (var s = TrainingSetStore.open(dir)) {
            s.upsert(img("a", 1, "cat"));
            s.upsert(img("b", 2, "dog"));
            id = s.snapshotId();
        }
        Files.delete(dir.resolve(TrainingSetStore.INDEX));
        try (var s = TrainingSetStore.open(dir)) {
            assertTrue(s.rebuiltIndex());
            assertEquals(2, s.size());
            assertEquals(id, s.snapshotId());
        }
        Files.writeString(dir.resolve(TrainingSetStore.INDEX), "{not json");
        try (var s = TrainingSetStore.open(dir)) {
            assertTrue(s.rebuiltIndex());
            assertEquals(id, s.snapshotId());
        }
        try (var s = TrainingSetStore.open(dir)) {
            assertFalse(s.rebuiltIndex(), "the rebuilt index was written back");
        }
    }

    @Test
    void anIndexThatMissedAnUpsertIsDetectedAndRebuilt() throws Exception {
        try (var s = TrainingSetStore.open(dir)) {
            s.upsert(img("a", 1, "cat"));
        }
        byte[] before = Files.readAllBytes(dir.resolve(TrainingSetStore.INDEX));
        try (var s = TrainingSetStore.open(dir)) {
            s.upsert(img("a", 2, "dog")); // relabelled; the crash below loses the index write
            s.upsert(img("c", 1, "cat"));
            s.flush();
        }
        Files.write(dir.resolve(TrainingSetStore.INDEX), before);
        try (var s = TrainingSetStore.open(dir)) {
            assertTrue(s.rebuiltIndex());
            assertEquals(2, s.size());
            assertEquals(List.of("dog"), s.get("a").orElseThrow().classes());
        }
    }

    @Test
    void interruptedWritesAndDuplicateVersionsAreCleanedUpOnOpen() throws Exception {
        try (var s = TrainingSetStore.open(dir)) {
            s.upsert(img("a", 3, "cat"));
        }
        Path records = dir.resolve(TrainingSetStore.RECORDS);
        // A crash between writing v2's record and deleting v1's, and one inside a write.
        Files.write(records.resolve(TrainingSetStore.fileName("a", 1)), RecordFile.encode(img("a", 1, "dog")));
        Files.writeString(records.resolve("junk.rec.tmp"), "half");
        try (var s = TrainingSetStore.open(dir)) {
            assertTrue(s.rebuiltIndex());
            assertEquals(3, s.get("a").orElseThrow().labelVersion());
            assertEquals(1, recordFiles());
            assertFalse(Files.exists(records.resolve("junk.rec.tmp")));
        }
    }

    @Test
    void aDamagedRecordIsSetAsideAndReportedNotFatal() throws Exception {
        try (var s = TrainingSetStore.open(dir)) {
            s.upsert(img("a", 1, "cat"));
            s.upsert(img("b", 1, "dog"));
        }
        Path rec = dir.resolve(TrainingSetStore.RECORDS).resolve(TrainingSetStore.fileName("b", 1));
        byte[] b = Files.readAllBytes(rec);
        b[20] ^= 0x55;
        Files.write(rec, b);
        // With a valid index the damage shows when reading: reported in the snapshot.
        try (var s = TrainingSetStore.open(dir)) {
            var snap = s.snapshot();
            assertEquals(1, snap.size());
            assertEquals("b", snap.unreadable().get(0).imageId());
            assertTrue(snap.unreadable().get(0).reason().contains("checksum"), snap.unreadable().get(0).reason());
            var e = assertThrows(StoreException.class, () -> s.get("b"));
            assertTrue(e.getMessage().contains(rec.getFileName().toString()), e.getMessage());
        }
        // On a rebuild it is set aside.
        Files.delete(dir.resolve(TrainingSetStore.INDEX));
        try (var s = TrainingSetStore.open(dir)) {
            assertEquals(1, s.size());
            assertTrue(Files.exists(rec.resolveSibling(rec.getFileName() + ".damaged")));
        }
    }

    @Test
    void snapshotIdIsContentDerivedAndStable() throws Exception {
        String first;
        try (var s = TrainingSetStore.open(dir.resolve("one"))) {
            s.upsert(img("a", 1, "cat"));
            s.upsert(img("b", 1, "dog", "cat"));
            first = s.snapshotId();
            assertEquals(first, s.snapshot().id());
            assertEquals(64, first.length());
        }
        try (var s = TrainingSetStore.open(dir.resolve("two"))) {
            s.upsert(img("b", 1, "cat", "dog")); // other insertion order, other class order
            s.upsert(img("a", 1, "cat"));
            assertEquals(first, s.snapshotId());
            s.upsert(img("a", 2, "cat")); // only the label version changes
            String second = s.snapshotId();
            assertNotEquals(first, second);
            s.upsert(new LabelledImage("a", ("bytes of a").getBytes(StandardCharsets.UTF_8), List.of("cat"), 2, new byte[] {1}));
            assertNotEquals(second, s.snapshotId(), "a ground-truth mask changes the snapshot");
        }
        try (var s = TrainingSetStore.open(dir.resolve("one"))) {
            assertEquals(first, s.snapshotId(), "same id after a restart");
        }
    }

    @Test
    void snapshotIdMatchesItsDocumentedFormula() throws Exception {
        // SHA-256 of one JSON line per image, computed here by hand for one image.
        var e = new TrainingSetStore.Entry("x", 7, List.of("cat"), "ab", null, "f");
        String line = "[\"x\",7,[\"cat\"],\"ab\",\"\"]\n";
        assertEquals(Digests.hex(line), Snapshot.idOf(List.of(e)));
    }

    @Test
    void changesAreCountedAgainstARecordedSnapshotAcrossRestarts() throws Exception {
        String snap;
        try (var s = TrainingSetStore.open(dir)) {
            s.upsert(img("a", 1, "cat"));
            s.upsert(img("b", 1, "dog"));
            s.upsert(img("c", 1, "dog"));
            assertEquals(3, s.changesSince(null));
            Snapshot sn = s.snapshot();
            s.recordSnapshot(sn);
            snap = sn.id();
            assertEquals(0, s.changesSince(snap));
        }
        try (var s = TrainingSetStore.open(dir)) {
            s.upsert(img("a", 2, "cat")); // relabelled
            s.upsert(img("d", 1, "cat")); // new
            s.remove("c");                // removed
            assertEquals(3, s.changesSince(snap));
            assertEquals(s.size(), s.changesSince("never-recorded"));
        }
    }

    @Test
    void badRecordsAreRefusedWithAClearMessage() {
        var e = assertThrows(IllegalArgumentException.class, () -> img("", 1, "cat"));
        assertTrue(e.getMessage().contains("image id"));
        assertThrows(IllegalArgumentException.class, () -> img("a", -1, "cat"));
        assertThrows(IllegalArgumentException.class, () -> new LabelledImage("a", new byte[0], List.of(), 1, null));
        assertThrows(IllegalArgumentException.class, () -> img("a", 1, " "));
    }
}
