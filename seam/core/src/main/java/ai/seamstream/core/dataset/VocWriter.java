package ai.seamstream.core.dataset;

import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.schemas.ClassVocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Writes a data set in the VOC folder layout that {@link VocDataset} reads: {@code classes.txt}, images, palette
 * masks, annotation XMLs and split lists.
 *
 * <p>Every call writes its files at once; there is nothing to close. Not thread-safe.
 */
public final class VocWriter {
    private final Path root;
    private final ClassVocabulary classes;
    private final Path imagesDir;
    private final Path masksDir;
    private final Path annotationsDir;
    private final Path splitsDir;
    private final boolean overwrite;
    /** Image files per id in JPEGImages (any extension case), kept current so adds and splits need no listing. */
    private final Map<String, List<Path>> images = new HashMap<>();

    private VocWriter(Path root, ClassVocabulary classes, boolean overwrite) {
        this.root = root;
        this.classes = classes;
        this.overwrite = overwrite;
        this.imagesDir = root.resolve("JPEGImages");
        this.masksDir = root.resolve("SegmentationClass");
        this.annotationsDir = root.resolve("Annotations");
        this.splitsDir = root.resolve("ImageSets").resolve("Segmentation");
    }

    /**
     * Starts a new data set: creates the folders and writes {@code classes.txt}, refusing a non-empty
     * {@code JPEGImages}.
     *
     * @throws DatasetException if {@code root/JPEGImages} already holds files, or root is a file
     */
    public static VocWriter create(Path root, ClassVocabulary classes) throws IOException {
        return create(root, classes, false);
    }

    /**
     * Starts a data set, or with {@code overwrite} adds to an existing one: {@code classes.txt} is replaced, and
     * {@link #add} replaces all files of an id it writes again; files of other ids are left as they are.
     *
     * @throws DatasetException if {@code overwrite} is false and {@code root/JPEGImages} already holds files, or root
     *     is a file
     */
    public static VocWriter create(Path root, ClassVocabulary classes, boolean overwrite) throws IOException {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(classes, "classes");
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new DatasetException(root + ": exists and is not a folder");
        }
        var writer = new VocWriter(root, classes, overwrite);
        if (Files.isDirectory(writer.imagesDir)) {
            List<Path> present;
            try (Stream<Path> s = Files.list(writer.imagesDir)) {
                present = s.toList();
            }
            if (!overwrite && !present.isEmpty()) {
                throw new DatasetException(writer.imagesDir + ": already holds files; refusing to mix data sets"
                        + " (create with overwrite=true to add to it)");
            }
            for (Path f : present) {
                String id = DatasetIds.idOfImageFile(f.getFileName().toString());
                if (id != null) {
                    writer.images.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
                }
            }
        }
        Files.createDirectories(writer.imagesDir);
        Files.createDirectories(writer.masksDir);
        Files.createDirectories(writer.annotationsDir);
        Files.createDirectories(writer.splitsDir);
        classes.write(root.resolve("classes.txt"));
        return writer;
    }

    /** The data set's root folder. */
    public Path root() {
        return root;
    }

    /** The class vocabulary written to {@code classes.txt}. */
    public ClassVocabulary classes() {
        return classes;
    }

    /**
     * Adds one image: writes {@code JPEGImages/<id>.<extension>}, the mask as a palette PNG if given, and an
     * annotation XML with one object per name if {@code objectNames} is not null.
     *
     * <p>A null {@code objectNames} writes no XML, so a reader derives the labels from the mask (or has none); an
     * empty list writes an XML without objects, meaning no foreground class is present.
     *
     * @param encodedImage the image file's bytes, already encoded as PNG or JPEG
     * @param extension "png", "jpg" or "jpeg" (any case), which must match the bytes' format
     * @param width the image width, which must match the encoded header (it also goes into the XML)
     * @param height the image height, which must match the encoded header
     * @throws IllegalArgumentException if the id is not a single token without path separators, the id was already
     *     written (unless overwriting), the bytes are not a readable image of the named format and size, the mask size
     *     differs or holds an index outside the vocabulary (other than 255), or a name is not a foreground class
     * @throws IOException if a file cannot be written
     */
    public void add(String id, byte[] encodedImage, String extension, LabelMask maskOrNull, List<String> objectNames,
            int width, int height) throws IOException {
        String problem = DatasetIds.problem(id);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        Objects.requireNonNull(encodedImage, "encodedImage");
        Objects.requireNonNull(extension, "extension");
        String ext = extension.toLowerCase(Locale.ROOT);
        if (!ext.equals("png") && !ext.equals("jpg") && !ext.equals("jpeg")) {
            throw new IllegalArgumentException("image extension must be png, jpg or jpeg, got '" + extension + "'");
        }
        ImageHeader header;
        try {
            header = ImageHeader.of(encodedImage, "image '" + id + "'");
        } catch (DatasetException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        String expectedFormat = ext.equals("png") ? "png" : "jpeg";
        if (!header.format().equals(expectedFormat)) {
            throw new IllegalArgumentException("image '" + id + "' is " + header.format() + " but the extension is "
                    + extension);
        }
        if (header.width() != width || header.height() != height) {
            throw new IllegalArgumentException("image '" + id + "' is " + header.width() + "x" + header.height()
                    + " but " + width + "x" + height + " was given");
        }
        if (maskOrNull != null) {
            checkMask(id, maskOrNull, width, height);
        }
        var names = objectNames == null ? null : List.copyOf(objectNames);
        if (names != null) {
            for (String name : names) {
                if (!classes.contains(name) || classes.indexOf(name) == 0) {
                    throw new IllegalArgumentException("image '" + id + "': unknown class '" + name
                            + "'; valid classes: " + String.join(", ", classes.foreground()));
                }
            }
        }
        List<Path> existing = images.getOrDefault(id, List.of());
        if (!existing.isEmpty() && !overwrite) {
            throw new IllegalArgumentException("image '" + id + "' was already written: " + existing.get(0));
        }
        // Replace every file of the id, so that none of an earlier version survives next to the new one.
        for (Path old : existing) {
            Files.delete(old);
        }
        Path maskFile = masksDir.resolve(id + ".png");
        Path xmlFile = annotationsDir.resolve(id + ".xml");
        Files.deleteIfExists(maskFile);
        Files.deleteIfExists(xmlFile);

        images.remove(id);
        String fileName = id + "." + ext;
        Path imageFile = imagesDir.resolve(fileName);
        Files.write(imageFile, encodedImage);
        images.put(id, List.of(imageFile));
        if (maskOrNull != null) {
            PaletteMaskCodec.write(maskOrNull, maskFile);
        }
        if (names != null) {
            String folder = root.getFileName() == null ? root.toString() : root.getFileName().toString();
            AnnotationXml.write(xmlFile, folder, fileName, width, height, header.bands(), maskOrNull != null, names);
        }
    }

    /**
     * Writes {@code ImageSets/Segmentation/<split>.txt}, one id a line, replacing an earlier list of that name.
     *
     * @throws IllegalArgumentException if the split name or an id is invalid, an id is repeated, or an id has no
     *     image in the data set
     */
    public void writeSplit(String split, List<String> ids) throws IOException {
        String problem = DatasetIds.problem(split);
        if (problem != null) {
            throw new IllegalArgumentException("split name: " + problem);
        }
        var seen = new HashSet<String>();
        var lines = new ArrayList<String>(ids.size());
        for (String id : ids) {
            String idProblem = DatasetIds.problem(id);
            if (idProblem != null) {
                throw new IllegalArgumentException("split '" + split + "': " + idProblem);
            }
            if (!seen.add(id)) {
                throw new IllegalArgumentException("split '" + split + "': id '" + id + "' is listed twice");
            }
            if (!images.containsKey(id)) {
                throw new IllegalArgumentException("split '" + split + "': id '" + id + "' has no image in "
                        + imagesDir);
            }
            lines.add(id);
        }
        Files.write(splitsDir.resolve(split + ".txt"), lines, StandardCharsets.UTF_8);
    }

    private void checkMask(String id, LabelMask mask, int width, int height) {
        if (mask.width() != width || mask.height() != height) {
            throw new IllegalArgumentException("image '" + id + "' is " + width + "x" + height + " but its mask is "
                    + mask.width() + "x" + mask.height());
        }
        byte[] labels = mask.labels();
        for (int i = 0; i < labels.length; i++) {
            int k = labels[i] & 0xFF;
            if (k >= classes.size() && k != LabelMask.IGNORE) {
                throw new IllegalArgumentException("image '" + id + "': mask pixel (" + (i % width) + "," + (i / width)
                        + ") has class index " + k + " outside 0.." + (classes.size() - 1) + " and 255");
            }
        }
    }
}
