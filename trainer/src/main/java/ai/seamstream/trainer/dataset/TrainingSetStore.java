package ai.seamstream.trainer.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's local copy of the labelled images, keyed by image id, that survives restarts.
 *
 * <p>Layout under the root: {@code records/<sha256(id)>-v<labelVersion>.rec} (one {@link RecordFile} per image,
 * written to a temporary file and renamed into place), {@code index.json} (a cache of every record's header) and
 * {@code snapshots/<snapshotId>.json} (the id → label version listing of snapshots that jobs trained on). The index is
 * only a cache: when it is missing, unreadable, or names other files than the folder holds, it is rebuilt from the
 * record headers on {@link #open}. Because a record's file name carries its label version, a replaced record can never
 * be mistaken for its predecessor. Upserts keep the newest label version: an older version never overwrites a newer.
 * All methods are thread-safe; {@link #snapshot()} reads a consistent view while upserts wait.
 */
public final class TrainingSetStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingSetStore.class);
    static final String RECORDS = "records";
    static final String INDEX = "index.json";
    static final String SNAPSHOTS = "snapshots";
    private static final String INDEX_FORMAT = "seamstream-trainingset-index/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the index knows of one record; enough for snapshot ids and policies without reading image bytes. */
    public record Entry(String imageId, long labelVersion, List<String> classes, String imageSha256, String maskSha256,
                        String file) {
    }

    record IndexFile(String format, List<Entry> entries) {
    }

    /** The outcome of an upsert. */
    public enum Upsert {
        /** Stored: a new image, a newer label version, or the same version with other content. */
        APPLIED,
        /** Ignored: the store holds a newer label version. */
        STALE,
        /** Ignored: the store already holds exactly this record. */
        UNCHANGED
    }

    private final Path root;
    private final Path records;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Entry> index = new TreeMap<>();
    private final boolean rebuilt;
    private boolean dirty;

    private TrainingSetStore(Path root, boolean rebuilt) {
        this.root = root;
        this.records = root.resolve(RECORDS);
        this.rebuilt = rebuilt;
    }

    /**
     * Opens (creating if needed) the store under {@code root}; leftovers of interrupted writes are removed and the
     * index is rebuilt from the records when it does not match them.
     *
     * @throws IOException if the folder cannot be created or listed
     */
    public static TrainingSetStore open(Path root) throws IOException {
        Path records = root.resolve(RECORDS);
        Files.createDirectories(records);
        Files.createDirectories(root.resolve(SNAPSHOTS));
        Set<String> files = new HashSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(records)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.endsWith(".tmp")) {
                    Files.deleteIfExists(p); // an upsert interrupted before its rename: never visible
                } else if (n.endsWith(".rec")) {
                    files.add(n);
                }
            }
        }
        Optional<List<Entry>> cached = readIndex(root.resolve(INDEX), files);
        var store = new TrainingSetStore(root, cached.isEmpty());
        if (cached.isPresent()) {
            cached.get().forEach(e -> store.index.put(e.imageId(), e));
        } else {
            store.rebuildFrom(files);
            store.dirty = true;
            store.flush();
        }
        return store;
    }

    private static Optional<List<Entry>> readIndex(Path file, Set<String> files) {
        if (!Files.isRegularFile(file)) {
            if (!files.isEmpty()) {
                LOG.warn("training-set index {} is missing; rebuilding it from {} records", file, files.size());
            }
            return files.isEmpty() ? Optional.of(List.of()) : Optional.empty();
        }
        try {
            IndexFile idx = JSON.readValue(file.toFile(), IndexFile.class);
            if (!INDEX_FORMAT.equals(idx.format()) || idx.entries() == null) {
                LOG.warn("training-set index {} has format '{}'; rebuilding it", file, idx.format());
                return Optional.empty();
            }
            Set<String> named = new HashSet<>();
            idx.entries().forEach(e -> named.add(e.file()));
            if (!named.equals(files) || named.size() != idx.entries().size()) {
                LOG.warn("training-set index {} lists {} records, the folder holds {}; rebuilding it", file,
                        idx.entries().size(), files.size());
                return Optional.empty();
            }
            return Optional.of(idx.entries());
        } catch (IOException e) {
            LOG.warn("training-set index {} is unreadable ({}); rebuilding it", file, e.getMessage());
            return Optional.empty();
        }
    }

    private void rebuildFrom(Set<String> files) throws IOException {
        int damaged = 0;
        for (String name : files.stream().sorted().toList()) {
            Path p = records.resolve(name);
            RecordFile.Header h;
            try {
                h = RecordFile.readHeader(p);
            } catch (StoreException e) {
                // A damaged record is moved aside, not deleted: the compacted topic will deliver the image again.
                LOG.warn("training-set record set aside: {}", e.getMessage());
                Files.move(p, p.resolveSibling(name + ".damaged"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                damaged++;
                continue;
            }
            if (!name.equals(fileName(h.imageId(), h.labelVersion()))) {
                LOG.warn("training-set record {} holds image {} v{}; set aside", name, h.imageId(), h.labelVersion());
                Files.move(p, p.resolveSibling(name + ".damaged"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                damaged++;
                continue;
            }
            Entry e = new Entry(h.imageId(), h.labelVersion(), h.classes(), h.imageSha256(), h.maskSha256(), name);
            Entry old = index.get(h.imageId());
            // Two versions of one image: an upsert was interrupted between writing the new and removing the old one.
            if (old == null || old.labelVersion() < e.labelVersion()) {
                index.put(h.imageId(), e);
                if (old != null) {
                    Files.deleteIfExists(records.resolve(old.file()));
                }
            } else {
                Files.deleteIfExists(p);
            }
        }
        LOG.info("training-set index rebuilt from {} records: {} images, {} set aside", files.size(), index.size(), damaged);
    }

    static String fileName(String imageId, long labelVersion) {
        return Digests.hex(imageId) + "-v" + labelVersion + ".rec";
    }

    /** Whether {@link #open} had to rebuild the index from the records. */
    public boolean rebuiltIndex() {
        return rebuilt;
    }

    public Path root() {
        return root;
    }

    /**
     * Stores {@code img} unless a newer label version (or this exact record) is already there.
     *
     * @throws IOException if the record cannot be written; the store then still holds the previous record
     */
    public Upsert upsert(LabelledImage img) throws IOException {
        lock.writeLock().lock();
        try {
            Entry old = index.get(img.imageId());
            if (old != null && old.labelVersion() > img.labelVersion()) {
                return Upsert.STALE;
            }
            String imageSha = Digests.hex(img.image());
            String maskSha = img.groundTruth() == null ? null : Digests.hex(img.groundTruth());
            var e = new Entry(img.imageId(), img.labelVersion(), img.classes(), imageSha, maskSha,
                    fileName(img.imageId(), img.labelVersion()));
            if (e.equals(old)) {
                return Upsert.UNCHANGED;
            }
            RecordFile.writeAtomically(records.resolve(e.file()), RecordFile.encode(img));
            if (old != null && !old.file().equals(e.file())) {
                Files.deleteIfExists(records.resolve(old.file()));
            }
            index.put(img.imageId(), e);
            dirty = true;
            return Upsert.APPLIED;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes an image (a tombstone on the compacted topic); true if it was there. */
    public boolean remove(String imageId) throws IOException {
        lock.writeLock().lock();
        try {
            Entry old = index.remove(imageId);
            if (old == null) {
                return false;
            }
            Files.deleteIfExists(records.resolve(old.file()));
            dirty = true;
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Reads one image back.
     *
     * @throws StoreException if its record file is damaged
     */
    public Optional<LabelledImage> get(String imageId) throws IOException {
        lock.readLock().lock();
        try {
            Entry e = index.get(imageId);
            return e == null ? Optional.empty() : Optional.of(RecordFile.read(records.resolve(e.file())));
        } finally {
            lock.readLock().unlock();
        }
    }

    public int size() {
        lock.readLock().lock();
        try {
            return index.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The index entries, sorted by image id. */
    public List<Entry> entries() {
        lock.readLock().lock();
        try {
            return List.copyOf(index.values());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The snapshot id of the store's current content (see {@link Snapshot#idOf}); reads no image bytes. */
    public String snapshotId() {
        return Snapshot.idOf(entries());
    }

    /**
     * Reads every record into memory under one consistent view: what a training job trains and evaluates on.
     * A damaged record is reported in {@link Snapshot#unreadable()} and left out, never fatal.
     */
    public Snapshot snapshot() {
        lock.readLock().lock();
        try {
            var images = new ArrayList<LabelledImage>(index.size());
            var entries = new ArrayList<Entry>(index.size());
            var unreadable = new ArrayList<Snapshot.Skipped>();
            for (Entry e : index.values()) {
                try {
                    images.add(RecordFile.read(records.resolve(e.file())));
                    entries.add(e);
                } catch (IOException ex) {
                    LOG.warn("training-set record of image {} unreadable, left out: {}", e.imageId(), ex.getMessage());
                    unreadable.add(new Snapshot.Skipped(e.imageId(), ex.getMessage()));
                }
            }
            return new Snapshot(Snapshot.idOf(entries), images, unreadable);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Remembers a snapshot's listing (image id → label version) so that {@link #changesSince} can count against it
     * after a restart.
     */
    public void recordSnapshot(Snapshot snapshot) throws IOException {
        var listing = new TreeMap<String, Long>();
        snapshot.images().forEach(i -> listing.put(i.imageId(), i.labelVersion()));
        RecordFile.writeAtomically(root.resolve(SNAPSHOTS).resolve(snapshot.id() + ".json"), JSON.writeValueAsBytes(listing));
    }

    /**
     * Images added, relabelled or removed since a recorded snapshot; every image counts when the snapshot is null or
     * was never recorded here.
     */
    public long changesSince(String snapshotId) throws IOException {
        List<Entry> now = entries();
        if (snapshotId == null) {
            return now.size();
        }
        Path file = root.resolve(SNAPSHOTS).resolve(snapshotId + ".json");
        Map<String, Long> then;
        try {
            then = new HashMap<>(JSON.readValue(Files.readAllBytes(file),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Long>>() { }));
        } catch (NoSuchFileException e) {
            return now.size();
        }
        long changed = 0;
        for (Entry e : now) {
            Long v = then.remove(e.imageId());
            if (v == null || v != e.labelVersion()) {
                changed++;
            }
        }
        return changed + then.size();
    }

    /** Writes the index if it changed since it was last written. */
    public void flush() throws IOException {
        lock.writeLock().lock();
        try {
            if (!dirty) {
                return;
            }
            byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                    new IndexFile(INDEX_FORMAT, List.copyOf(index.values()))).getBytes(StandardCharsets.UTF_8);
            RecordFile.writeAtomically(root.resolve(INDEX), json);
            dirty = false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
