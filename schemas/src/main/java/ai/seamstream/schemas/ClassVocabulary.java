package ai.seamstream.schemas;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The ordered class names of a model or data set: index 0 is background, 1..C the foreground classes.
 *
 * <p>Mask pixel values and CAM channels are indices into this list, so every count of classes in the code comes
 * from here rather than from a literal.
 */
public final class ClassVocabulary {
    /** Conventional name of class 0. */
    public static final String BACKGROUND = "background";

    /** The PASCAL VOC 2012 classes in their official order (a preset for data sets that do not name their classes). */
    public static final ClassVocabulary VOC2012 = new ClassVocabulary(List.of(BACKGROUND,
            "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
            "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
            "tvmonitor"));

    private final List<String> names;
    private final Map<String, Integer> index;

    private ClassVocabulary(List<String> names) {
        this.names = List.copyOf(names);
        this.index = new HashMap<>();
        for (int i = 0; i < this.names.size(); i++) {
            index.put(this.names.get(i), i);
        }
    }

    /**
     * Builds a vocabulary from all class names, background first.
     *
     * @throws IllegalArgumentException if there is no foreground class, a name is blank, repeated, or not a single token
     */
    public static ClassVocabulary of(List<String> namesWithBackground) {
        Objects.requireNonNull(namesWithBackground, "names");
        if (namesWithBackground.size() < 2) {
            throw new IllegalArgumentException("a class vocabulary needs background and at least one foreground class, got "
                    + namesWithBackground);
        }
        var seen = new HashMap<String, Integer>();
        for (int i = 0; i < namesWithBackground.size(); i++) {
            String n = namesWithBackground.get(i);
            if (n == null || n.isBlank() || !n.equals(n.strip()) || n.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("class name " + i + " is not a single non-blank token: '" + n + "'");
            }
            Integer prev = seen.put(n, i);
            if (prev != null) {
                throw new IllegalArgumentException("class name '" + n + "' appears twice (indices " + prev + " and " + i + ")");
            }
        }
        if (namesWithBackground.size() > 255) {
            throw new IllegalArgumentException("at most 255 classes fit a palette mask (255 means ignore), got "
                    + namesWithBackground.size());
        }
        return new ClassVocabulary(namesWithBackground);
    }

    /** Builds a vocabulary from the foreground names, adding {@link #BACKGROUND} as class 0. */
    public static ClassVocabulary ofForeground(List<String> foreground) {
        var all = new ArrayList<String>(foreground.size() + 1);
        all.add(BACKGROUND);
        all.addAll(foreground);
        return of(all);
    }

    /**
     * Reads a {@code classes.txt}: one name a line, background first; blank lines and lines starting with '#' are skipped.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file if its content is not a valid vocabulary
     */
    public static ClassVocabulary read(Path file) throws IOException {
        var names = new ArrayList<String>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                names.add(s);
            }
        }
        try {
            return of(names);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A vocabulary from a configuration value: {@code voc2012} (the preset), {@code file:PATH} (a {@code classes.txt},
     * see {@link #read(Path)}) or a comma list of foreground names (background is added first).
     *
     * @throws IOException              if the named file cannot be read
     * @throws IllegalArgumentException if the names do not form a vocabulary
     */
    public static ClassVocabulary parse(String spec) throws IOException {
        String s = spec.strip();
        if (s.equalsIgnoreCase("voc2012")) {
            return VOC2012;
        }
        if (s.startsWith("file:")) {
            return read(Path.of(s.substring(5)));
        }
        return ofForeground(java.util.Arrays.stream(s.split(",")).map(String::strip).toList());
    }

    /** Writes the vocabulary in the format {@link #read(Path)} reads. */
    public void write(Path file) throws IOException {
        Files.write(file, names, StandardCharsets.UTF_8);
    }

    /** All names, background first. */
    public List<String> names() {
        return names;
    }

    /** Foreground names, in index order 1..C. */
    public List<String> foreground() {
        return names.subList(1, names.size());
    }

    /** Number of classes including background (C+1): the channel count of a CAM. */
    public int size() {
        return names.size();
    }

    /** Number of foreground classes C: the length of an image-level label vector. */
    public int foregroundCount() {
        return names.size() - 1;
    }

    public String name(int classIndex) {
        if (classIndex < 0 || classIndex >= names.size()) {
            throw new IllegalArgumentException("class index " + classIndex + " is outside 0.." + (names.size() - 1));
        }
        return names.get(classIndex);
    }

    /** True if the name is a class of this vocabulary (background included). */
    public boolean contains(String name) {
        return index.containsKey(name);
    }

    /**
     * The index of a class name.
     *
     * @throws IllegalArgumentException listing the valid names if the name is unknown
     */
    public int indexOf(String name) {
        Integer i = index.get(name);
        if (i == null) {
            throw new IllegalArgumentException("unknown class '" + name + "'; valid classes: " + String.join(", ", foreground()));
        }
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassVocabulary v && v.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return "ClassVocabulary" + names;
    }
}
