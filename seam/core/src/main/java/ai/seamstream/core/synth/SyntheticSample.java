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
 */
public record SyntheticSample(String id, RgbImage image, LabelMask mask, boolean[] labels, List<String> objectNames,
        List<String> contexts) {

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
    }
}
