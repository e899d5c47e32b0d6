package ai.seamstream.core.dataset;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.schemas.ClassVocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilder;

/**
 * A read-only view of a data set in the PASCAL VOC folder layout.
 *
 * <pre>
 * root/
 *   JPEGImages/&lt;id&gt;.jpg|.jpeg|.png         every image (required)
 *   SegmentationClass/&lt;id&gt;.png             class-index mask, optional per image (palette or 8-bit grey PNG)
 *   ImageSets/Segmentation/&lt;split&gt;.txt     ids, one a line (optional)
 *   Annotations/&lt;id&gt;.xml                   VOC XML, one &lt;object&gt;&lt;name&gt; per instance (optional)
 *   classes.txt                            class names, background first (optional)
 * </pre>
 *
 * <p>The class vocabulary comes from the data, never from a built-in list, in this order of preference:
 * <ol>
 *   <li>{@code classes.txt} in the root, read with {@link ClassVocabulary#read(Path)};
 *   <li>otherwise background followed by the sorted unique object names of all {@code Annotations/*.xml} (for VOC
 *       this is the official class order, which is alphabetical);
 *   <li>otherwise derived from the masks: with K the largest class index in any {@code SegmentationClass/*.png}
 *       (255 excluded), {@link ClassVocabulary#VOC2012} if K &le; 20 and the root folder's name contains "VOC"
 *       (any case), else the names {@code class1..classK}. Every mask is decoded for this, so it is slow for large
 *       sets, and the names say nothing: write a {@code classes.txt} to name the classes.
 * </ol>
 * A folder with none of the three cannot be opened.
 *
 * <p>Splits are the {@code .txt} files of {@code ImageSets/Segmentation}; if that folder is absent or holds none,
 * the only split is {@link #ALL}, every image of {@code JPEGImages} sorted by id.
 *
 * <p>Errors about the data are {@link DatasetException}s (and {@link ai.seamstream.core.mask.MaskFormatException}s
 * for damaged masks) whose one-line messages name the files; asking about an id that has no image is a caller bug
 * and throws {@link IllegalArgumentException}. Instances are immutable after {@link #open(Path)} and thread-safe;
 * the image list is taken when opening, everything else is read from disk on each call.
 */
public final class VocDataset {
    /** The split holding every image, offered when the data set defines no splits of its own. */
    public static final String ALL = "all";

    private static final int VOC_FOREGROUND = 20;

    private final Path root;
    private final Path imagesDir;
    private final Path masksDir;
    private final Path annotationsDir;
    private final Path splitsDir;
    private final Map<String, Path> images;
    private final ClassVocabulary classes;
    private final String classesOrigin;

    private VocDataset(Path root, Map<String, Path> images) throws IOException {
        this.root = root;
        this.imagesDir = root.resolve("JPEGImages");
        this.masksDir = root.resolve("SegmentationClass");
        this.annotationsDir = root.resolve("Annotations");
        this.splitsDir = root.resolve("ImageSets").resolve("Segmentation");
        this.images = images;
        Path classesFile = root.resolve("classes.txt");
        if (Files.isRegularFile(classesFile)) {
            this.classes = readClassesFile(classesFile);
            this.classesOrigin = classesFile.toString();
        } else {
            List<Path> annotations = filesWithExtension(annotationsDir, "xml");
            if (!annotations.isEmpty()) {
                this.classes = classesFromAnnotations(annotations);
                this.classesOrigin = "object names of " + annotations.size() + " files in " + annotationsDir;
            } else {
                List<Path> masks = filesWithExtension(masksDir, "png");
                if (masks.isEmpty()) {
                    throw new DatasetException(root + ": cannot tell the classes: no classes.txt, no Annotations/*.xml"
                            + " and no SegmentationClass/*.png; write a classes.txt (background first, one name a"
                            + " line)");
                }
                int k = maxClassIndex(masks);
                Path name = root.toAbsolutePath().normalize().getFileName();
                boolean looksLikeVoc = name != null && name.toString().toUpperCase(Locale.ROOT).contains("VOC");
                if (looksLikeVoc && k <= VOC_FOREGROUND) {
                    this.classes = ClassVocabulary.VOC2012;
                    this.classesOrigin = "VOC2012 preset (largest mask index " + k + " in " + masksDir + ")";
                } else if (k == 0) {
                    throw new DatasetException(masksDir + ": masks hold only background, so the classes cannot be"
                            + " derived; write a classes.txt (background first, one name a line)");
                } else {
                    var names = new ArrayList<String>();
                    for (int i = 1; i <= k; i++) {
                        names.add("class" + i);
                    }
                    this.classes = ClassVocabulary.ofForeground(names);
                    this.classesOrigin = "class1..class" + k + " (largest mask index in " + masksDir + ")";
                }
            }
        }
    }

    /**
     * Opens a VOC-layout folder, listing its images and settling its class vocabulary.
     *
     * @throws DatasetException if the root or its {@code JPEGImages} folder is missing, two image files share an id,
     *     an image file name is not a valid id, or the classes cannot be determined (see the class comment)
     */
    public static VocDataset open(Path root) throws IOException {
        if (!Files.exists(root)) {
            throw new DatasetException(root + ": data set folder does not exist");
        }
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": not a folder; a data set is a folder holding JPEGImages/");
        }
        Path imagesDir = root.resolve("JPEGImages");
        if (!Files.isDirectory(imagesDir)) {
            throw new DatasetException(root + ": no JPEGImages folder; a VOC-layout data set keeps its images in"
                    + " JPEGImages/<id>.jpg, .jpeg or .png");
        }
        var images = new TreeMap<String, Path>();
        for (Path f : list(imagesDir)) {
            String id = DatasetIds.idOfImageFile(f.getFileName().toString());
            if (id == null || !Files.isRegularFile(f)) {
                continue;
            }
            String problem = DatasetIds.problem(id);
            if (problem != null) {
                throw new DatasetException(f + ": image file name is not a valid id: " + problem);
            }
            Path previous = images.put(id, f);
            if (previous != null) {
                throw new DatasetException(imagesDir + ": two images for id '" + id + "': " + previous.getFileName()
                        + " and " + f.getFileName());
            }
        }
        return new VocDataset(root, Collections.unmodifiableMap(images));
    }

    /** The data set's root folder. */
    public Path root() {
        return root;
    }

    /** The class vocabulary, settled when opening (see the class comment for where it comes from). */
    public ClassVocabulary classes() {
        return classes;
    }

    /** Where {@link #classes()} came from, in words, for logs: a file, the annotations, or the mask rule. */
    public String classesOrigin() {
        return classesOrigin;
    }

    /** The split names, sorted: the {@code .txt} files of {@code ImageSets/Segmentation}, or just {@link #ALL}. */
    public List<String> splits() throws IOException {
        Map<String, Path> files = splitFiles();
        return files.isEmpty() ? List.of(ALL) : List.copyOf(files.keySet());
    }

    /** Every image id in {@code JPEGImages}, sorted. */
    public List<String> imageIds() {
        return List.copyOf(images.keySet());
    }

    /**
     * The ids of a split in list-file order (blank lines skipped), each checked to have an image.
     *
     * @throws DatasetException if the split is unknown (listing the available ones), or the list file has an invalid
     *     or repeated id or an id without an image file (naming the list file, line and id)
     */
    public List<String> ids(String split) throws IOException {
        Map<String, Path> files = splitFiles();
        if (files.isEmpty() && ALL.equals(split)) {
            return imageIds();
        }
        Path listFile = files.get(split);
        if (listFile == null) {
            throw new DatasetException(root + ": unknown split '" + split + "'; available: "
                    + String.join(", ", files.isEmpty() ? List.of(ALL) : files.keySet()));
        }
        var ids = new ArrayList<String>();
        var seen = new HashSet<String>();
        List<String> lines = Files.readAllLines(listFile, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String id = lines.get(i).strip();
            if (id.isEmpty()) {
                continue;
            }
            String where = listFile + " line " + (i + 1);
            String problem = DatasetIds.problem(id);
            if (problem != null) {
                throw new DatasetException(where + ": " + problem);
            }
            if (!seen.add(id)) {
                throw new DatasetException(where + ": id '" + id + "' is listed twice");
            }
            if (!images.containsKey(id)) {
                throw new DatasetException(where + ": id '" + id + "' has no image in " + imagesDir);
            }
            ids.add(id);
        }
        return List.copyOf(ids);
    }

    /**
     * The image file of an id.
     *
     * @throws IllegalArgumentException if there is no image with that id
     */
    public Path imageFile(String id) {
        Path f = images.get(id);
        if (f == null) {
            throw new IllegalArgumentException("no image '" + id + "' in " + imagesDir);
        }
        return f;
    }

    /** True if {@code SegmentationClass/<id>.png} exists. */
    public boolean hasMask(String id) {
        return DatasetIds.problem(id) == null && Files.isRegularFile(maskFile(id));
    }

    /**
     * Reads the mask of an image, checking its size against the image file's header and its values against the
     * class vocabulary (0..C, or 255 for ignore).
     *
     * @throws IllegalArgumentException if there is no image with that id
     * @throws DatasetException if the image has no mask, the sizes differ (naming both files and sizes), or a pixel
     *     holds an index outside the vocabulary
     * @throws ai.seamstream.core.mask.MaskFormatException if the mask file is not a palette or 8-bit grey PNG
     */
    public LabelMask mask(String id) throws IOException {
        Path image = imageFile(id);
        Path file = maskFile(id);
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file + ": no mask for image '" + id + "'");
        }
        LabelMask mask = PaletteMaskCodec.read(file);
        ImageHeader header = ImageHeader.of(image);
        if (header.width() != mask.width() || header.height() != mask.height()) {
            throw new DatasetException(file + " is " + mask.width() + "x" + mask.height() + " but its image " + image
                    + " is " + header.width() + "x" + header.height());
        }
        checkIndices(mask, file);
        return mask;
    }

    /**
     * The image-level labels of an image, {@code labels[k-1]} true if foreground class k is present: from
     * {@code Annotations/<id>.xml} when it exists (every object counts, difficult ones included), otherwise from the
     * mask (every index present except 0 and 255), otherwise empty because the labels are unknown.
     *
     * @throws IllegalArgumentException if there is no image with that id
     * @throws DatasetException if the XML is malformed, has a DOCTYPE, or names a class outside the vocabulary
     *     (naming the file and listing the valid classes), or the mask is invalid as in {@link #mask(String)}
     */
    public Optional<boolean[]> labels(String id) throws IOException {
        imageFile(id);
        var labels = new boolean[classes.foregroundCount()];
        Path xml = annotationsDir.resolve(id + ".xml");
        if (Files.isRegularFile(xml)) {
            for (String name : AnnotationXml.objectNames(AnnotationXml.newParser(), xml)) {
                if (!classes.contains(name) || classes.indexOf(name) == 0) {
                    throw new DatasetException(xml + ": unknown class '" + name + "'; valid classes: "
                            + String.join(", ", classes.foreground()) + " (from " + classesOrigin + ")");
                }
                labels[classes.indexOf(name) - 1] = true;
            }
            return Optional.of(labels);
        }
        if (hasMask(id)) {
            LabelMask mask = mask(id);
            for (byte b : mask.labels()) {
                int k = b & 0xFF;
                if (k != 0 && k != LabelMask.IGNORE) {
                    labels[k - 1] = true;
                }
            }
            return Optional.of(labels);
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "VocDataset[" + root + ", " + images.size() + " images, " + classes.foregroundCount() + " classes]";
    }

    private Path maskFile(String id) {
        return masksDir.resolve(id + ".png");
    }

    private void checkIndices(LabelMask mask, Path file) throws DatasetException {
        byte[] labels = mask.labels();
        for (int i = 0; i < labels.length; i++) {
            int k = labels[i] & 0xFF;
            if (k >= classes.size() && k != LabelMask.IGNORE) {
                throw new DatasetException(file + ": pixel (" + (i % mask.width()) + "," + (i / mask.width())
                        + ") has class index " + k + " but the data set has classes 0.." + (classes.size() - 1)
                        + " and 255 for ignore (classes from " + classesOrigin + ")");
            }
        }
    }

    private Map<String, Path> splitFiles() throws DatasetException {
        var files = new TreeMap<String, Path>();
        for (Path f : filesWithExtension(splitsDir, "txt")) {
            String n = f.getFileName().toString();
            files.put(n.substring(0, n.length() - ".txt".length()), f);
        }
        return files;
    }

    private static ClassVocabulary readClassesFile(Path file) throws DatasetException {
        try {
            return ClassVocabulary.read(file);
        } catch (IllegalArgumentException e) {
            throw new DatasetException(e.getMessage(), e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read class list (" + e.getMessage() + ")", e);
        }
    }

    private static ClassVocabulary classesFromAnnotations(List<Path> annotations) throws DatasetException {
        var names = new TreeSet<String>();
        var firstSeenIn = new TreeMap<String, Path>();
        DocumentBuilder parser = AnnotationXml.newParser();
        for (Path f : annotations) {
            for (String n : AnnotationXml.objectNames(parser, f)) {
                if (names.add(n)) {
                    firstSeenIn.put(n, f);
                }
            }
        }
        if (names.isEmpty()) {
            throw new DatasetException(annotations.get(0).getParent() + ": the annotations name no objects, so the"
                    + " classes cannot be derived; write a classes.txt (background first, one name a line)");
        }
        try {
            return ClassVocabulary.ofForeground(List.copyOf(names));
        } catch (IllegalArgumentException e) {
            // A name such as "background" or one with spaces: say which file brought it in.
            String culprit = names.stream()
                    .filter(n -> n.equals(ClassVocabulary.BACKGROUND) || n.chars().anyMatch(Character::isWhitespace))
                    .findFirst().orElse(names.first());
            throw new DatasetException(firstSeenIn.get(culprit) + ": object name '" + culprit
                    + "' cannot be a foreground class (" + e.getMessage() + ")", e);
        }
    }

    private static int maxClassIndex(List<Path> masks) throws IOException {
        int max = 0;
        for (Path f : masks) {
            for (byte b : PaletteMaskCodec.read(f).labels()) {
                int k = b & 0xFF;
                if (k != LabelMask.IGNORE && k > max) {
                    max = k;
                }
            }
        }
        return max;
    }

    private static List<Path> filesWithExtension(Path dir, String extension) throws DatasetException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        String suffix = "." + extension;
        var out = new ArrayList<Path>();
        for (Path f : list(dir)) {
            if (f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(suffix) && Files.isRegularFile(f)) {
                out.add(f);
            }
        }
        return out;
    }

    private static List<Path> list(Path dir) throws DatasetException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot list folder (" + e.getMessage() + ")", e);
        }
    }
}
