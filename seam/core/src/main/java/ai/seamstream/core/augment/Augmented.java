package ai.seamstream.core.augment;

import java.util.Arrays;

/**
 * One augmented training input: a normalised {@code 3 × crop × crop} channel-major image, zero where the image did
 * not reach, and whether it was mirrored.
 *
 * @param chw     the normalised pixels; shared, not copied
 * @param crop    the side of the square
 * @param flipped whether the image was mirrored left to right
 */
public record Augmented(float[] chw, int crop, boolean flipped) {
    public Augmented {
        if (crop <= 0 || chw == null || chw.length != 3L * crop * crop) {
            throw new IllegalArgumentException("expected 3x" + crop + "x" + crop + " values, got "
                    + (chw == null ? "null" : chw.length));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Augmented a && crop == a.crop && flipped == a.flipped && Arrays.equals(chw, a.chw);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(chw) + crop) + Boolean.hashCode(flipped);
    }

    @Override
    public String toString() {
        return "Augmented[3x" + crop + "x" + crop + ", flipped=" + flipped + "]";
    }
}
