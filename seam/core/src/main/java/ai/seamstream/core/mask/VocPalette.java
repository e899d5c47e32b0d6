package ai.seamstream.core.mask;

import java.awt.image.IndexColorModel;

/**
 * The 256-entry PASCAL VOC colour map, built by the devkit's bit-interleaving rule ({@code labelcolormap.m}).
 *
 * <p>Bits 0, 1 and 2 of the index go to the most significant bit of red, green and blue, bits 3, 4, 5 to the next
 * bit, and so on; so class 1 is (128,0,0), class 15 (192,128,128) and the ignore index 255 (224,224,192). The map
 * only colours a mask for people: files store class indices, never colours.
 */
public final class VocPalette {
    /** Number of palette entries: every value of an 8-bit index. */
    public static final int SIZE = 256;

    private static final byte[] RED = new byte[SIZE];
    private static final byte[] GREEN = new byte[SIZE];
    private static final byte[] BLUE = new byte[SIZE];

    static {
        for (int i = 0; i < SIZE; i++) {
            int r = 0;
            int g = 0;
            int b = 0;
            int c = i;
            for (int bit = 7; c != 0; bit--) {
                r |= (c & 1) << bit;
                g |= ((c >> 1) & 1) << bit;
                b |= ((c >> 2) & 1) << bit;
                c >>= 3;
            }
            RED[i] = (byte) r;
            GREEN[i] = (byte) g;
            BLUE[i] = (byte) b;
        }
    }

    private VocPalette() {
    }

    /**
     * The colour of an index as {@code {red, green, blue}}, each 0..255.
     *
     * @throws IllegalArgumentException if the index is outside 0..255
     */
    public static int[] rgb(int index) {
        checkIndex(index);
        return new int[] {RED[index] & 0xFF, GREEN[index] & 0xFF, BLUE[index] & 0xFF};
    }

    /**
     * The colour of an index packed as {@code 0xRRGGBB}.
     *
     * @throws IllegalArgumentException if the index is outside 0..255
     */
    public static int packedRgb(int index) {
        checkIndex(index);
        return (RED[index] & 0xFF) << 16 | (GREEN[index] & 0xFF) << 8 | (BLUE[index] & 0xFF);
    }

    /** An opaque 8-bit {@link IndexColorModel} holding the whole map, for indexed images and palette PNGs. */
    public static IndexColorModel colorModel() {
        return new IndexColorModel(8, SIZE, RED, GREEN, BLUE);
    }

    private static void checkIndex(int index) {
        if (index < 0 || index >= SIZE) {
            throw new IllegalArgumentException("palette index must be 0..255, got " + index);
        }
    }
}
