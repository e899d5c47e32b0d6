package ai.seamstream.trainer.dataset;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One labelled image as the trainer keeps it: the encoded image bytes, the consensus class names, the label version
 * they came with and, when a person verified one, a ground-truth mask (palette PNG, pixel value = class index).
 *
 * @param imageId      the contract's image id (client-given or the hex SHA-256 of the bytes)
 * @param image        the encoded image (PNG, JPEG, ...), not copied
 * @param classes      foreground class names, sorted and without duplicates after construction
 * @param labelVersion increases with every change of the image's consensus labels
 * @param groundTruth  a palette-PNG mask, or null
 */
public record LabelledImage(String imageId, byte[] image, List<String> classes, long labelVersion, byte[] groundTruth) {

    /** Longest image id accepted (ids become file-name hashes, not names, so this only bounds the index). */
    public static final int MAX_ID_LENGTH = 1024;

    public LabelledImage {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(classes, "classes");
        if (imageId == null || imageId.isBlank() || imageId.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("image id must be 1.." + MAX_ID_LENGTH + " characters, got "
                    + (imageId == null ? "null" : imageId.length() + " characters"));
        }
        if (labelVersion < 0) {
            throw new IllegalArgumentException("image " + imageId + ": label version must be >= 0, got " + labelVersion);
        }
        if (image.length == 0) {
            throw new IllegalArgumentException("image " + imageId + ": no image bytes");
        }
        for (String c : classes) {
            if (c == null || c.isBlank()) {
                throw new IllegalArgumentException("image " + imageId + ": blank class name in " + classes);
            }
        }
        classes = classes.stream().distinct().sorted().toList();
    }

    /** This record under another image id. */
    public LabelledImage withId(String newId) {
        return new LabelledImage(newId, image, classes, labelVersion, groundTruth);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelledImage l && imageId.equals(l.imageId) && labelVersion == l.labelVersion
                && classes.equals(l.classes) && Arrays.equals(image, l.image) && Arrays.equals(groundTruth, l.groundTruth);
    }

    @Override
    public int hashCode() {
        return Objects.hash(imageId, labelVersion, classes, Arrays.hashCode(image), Arrays.hashCode(groundTruth));
    }

    @Override
    public String toString() {
        return "LabelledImage[" + imageId + " v" + labelVersion + " " + classes + ", " + image.length + " bytes"
                + (groundTruth == null ? "" : ", mask") + "]";
    }
}
