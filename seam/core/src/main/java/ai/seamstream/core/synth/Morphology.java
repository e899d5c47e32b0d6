package ai.seamstream.core.synth;

import java.util.Arrays;

/** Binary morphology on full-image pixel sets ({@code boolean[y*width+x]}) with a Euclidean disk of radius r. */
final class Morphology {
    private Morphology() {
    }

    /** The offsets (dx, dy) with {@code dx² + dy² ≤ r²}, as a flat array of pairs. */
    static int[] disk(int r) {
        var offsets = new int[2 * (2 * r + 1) * (2 * r + 1)];
        int n = 0;
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) {
                if (dx * dx + dy * dy <= r * r) {
                    offsets[n++] = dx;
                    offsets[n++] = dy;
                }
            }
        }
        return Arrays.copyOf(offsets, n);
    }

    /** Pixels of the set whose whole disk lies inside the image and inside the set. */
    static boolean[] erode(boolean[] set, int width, int height, int r) {
        int[] disk = disk(r);
        var out = new boolean[set.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (!set[y * width + x]) {
                    continue;
                }
                boolean keep = true;
                for (int k = 0; k < disk.length && keep; k += 2) {
                    int qx = x + disk[k];
                    int qy = y + disk[k + 1];
                    keep = qx >= 0 && qy >= 0 && qx < width && qy < height && set[qy * width + qx];
                }
                out[y * width + x] = keep;
            }
        }
        return out;
    }

    /** Pixels within distance r of the set. */
    static boolean[] dilate(boolean[] set, int width, int height, int r) {
        int[] disk = disk(r);
        var out = new boolean[set.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (!set[y * width + x]) {
                    continue;
                }
                for (int k = 0; k < disk.length; k += 2) {
                    int qx = x + disk[k];
                    int qy = y + disk[k + 1];
                    if (qx >= 0 && qy >= 0 && qx < width && qy < height) {
                        out[qy * width + qx] = true;
                    }
                }
            }
        }
        return out;
    }

    /**
     * The VOC-style ignore band: every pixel that has a pixel of another label within distance r (inside the image)
     * becomes {@code ignore}; labels are read from the input, never from pixels already changed.
     */
    static byte[] ignoreBand(byte[] labels, int width, int height, int r, byte ignore) {
        var out = labels.clone();
        if (r <= 0) {
            return out;
        }
        int[] disk = disk(r);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                byte own = labels[y * width + x];
                for (int k = 0; k < disk.length; k += 2) {
                    int qx = x + disk[k];
                    int qy = y + disk[k + 1];
                    if (qx >= 0 && qy >= 0 && qx < width && qy < height && labels[qy * width + qx] != own) {
                        out[y * width + x] = ignore;
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** Number of set pixels. */
    static int count(boolean[] set) {
        int n = 0;
        for (boolean b : set) {
            if (b) {
                n++;
            }
        }
        return n;
    }
}
