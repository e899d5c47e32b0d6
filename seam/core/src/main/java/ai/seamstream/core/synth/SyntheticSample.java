package ai.seamstream.core.synth;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import java.util.List;
import java.util.Objects;

/**
 * One synthetic image with its ground truth: the image, the pixel mask (class indices of the generator's
 * vocabulary, 255 = ignore), the image-level labels, the class of every object instance and the contexts drawn.
 *
 * <p>The image, mask and label arrays are shared, not copied.
 *
 * @param id          {@code synth_} and the zero-padded index (six digits, more if the data set needs them)
 * @param labels      {@code labels[c-1]} is true iff class c has pixels in the mask; length C
 * @param objectNames the class name of each object instance in drawing order (earlier ones lie underneath)
 * @param contexts    the names of the context bands drawn (background in the mask), in drawing order
 * @param objectHues  the hue in degrees [0, 360) of each object's body colour (before shading), in drawing order;
 *                    it never depends on the class (for appearance tags, e.g. the quality bench's pre-training)
 */
public record SyntheticSample(String id, RgbImage image, LabelMask mask, boolean[] labels, List<String> objectNames,
        List<String> contexts, List<Double> objectHues) {

    public SyntheticSample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(labels, "labels");
        if (image.width() != mask.width() || image.height() != mask.height()) {
            throw new IllegalArgumentException("sample " + id + ": image is " + image.width() + "x" + image.height()
                    + " but mask is " + mask.width() + "x" + mask.height());
        }
        objectNames = List.copyOf(objectNames);
        contexts = List.copyOf(contexts);
        objectHues = List.copyOf(objectHues);
        if (objectHues.size() != objectNames.size()) {
            throw new IllegalArgumentException("sample " + id + ": " + objectNames.size() + " objects but "
                    + objectHues.size() + " body hues");
        }
    }

    /**
     * Appearance tags: {@code tags[b]} is true iff some object's body hue falls in bin b of {@code bins} equal bins
     * of the hue circle (bin b covers [b·360/bins, (b+1)·360/bins) degrees).
     *
     * @throws IllegalArgumentException if {@code bins} is not positive
     */
    public boolean[] hueTags(int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("hue bins must be at least 1, got " + bins);
        }
        var tags = new boolean[bins];
        for (double h : objectHues) {
            tags[Math.min(bins - 1, (int) Math.floor(h / (360.0 / bins)))] = true;
        }
        return tags;
    }
}
