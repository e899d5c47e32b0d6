package ai.seamstream.core.augment;

import ai.seamstream.core.image.Normalization;

/**
 * Self-supervised dense appearance targets, read from an image alone: for every cell of a stride-s grid, the hue bin
 * of its neighbourhood's chroma-weighted mean colour. A pre-training that predicts them makes a backbone describe, at
 * each cell, what the region around it looks like. A small marking then shares its target with the body around it
 * (its few pixels barely move a neighbourhood's mean), which a classifier trained on marking tags alone never learns.
 * Nothing comes from masks or labels.
 *
 * <p>Per pixel, with RGB in [0, 1] (the normalisation undone): chroma {@code c = max − min} and hue h in degrees (the
 * HSV hue). Per cell: {@code Σ c·(cos h, sin h)} and the pixel count. Per cell again, over the
 * {@code (2r+1)×(2r+1)} cells around it (clipped at the border): the summed vector V and count N. The target is
 * {@link #IGNORE} when {@code |V|/N < minChroma} (a grey or mixed neighbourhood), otherwise
 * {@code floor(atan2(V_y, V_x) mod 360° / (360°/bins))}.
 */
public final class NeighbourhoodHue {
    /** The target of a cell whose neighbourhood has too little chroma. */
    public static final int IGNORE = -1;

    /**
     * @param bins       equal hue bins over the circle, bin b covering {@code [b·360/bins, (b+1)·360/bins)} degrees
     * @param radius     neighbourhood half-width in cells (0: the cell alone)
     * @param minChroma  the least mean chroma (0..1) of a neighbourhood that gets a target
     */
    public record Settings(int bins, int radius, double minChroma) {
        public Settings {
            if (bins < 2 || bins > 360) {
                throw new IllegalArgumentException("hue bins must be in 2..360, got " + bins);
            }
            if (radius < 0 || radius > 64) {
                throw new IllegalArgumentException("the neighbourhood radius must be in 0..64 cells, got " + radius);
            }
            if (!(minChroma >= 0 && minChroma <= 1)) {
                throw new IllegalArgumentException("the minimum chroma must be in [0, 1], got " + minChroma);
            }
        }
    }

    private NeighbourhoodHue() {
    }

    /** Cells along a side of {@code size} pixels at {@code stride}: {@code ceil(size/stride)}. */
    public static int cells(int size, int stride) {
        return (size + stride - 1) / stride;
    }

    /**
     * The targets of one normalised {@code 3×height×width} image on the stride grid, row-major
     * ({@code cells(height)·cells(width)} values, each a bin or {@link #IGNORE}).
     *
     * @throws IllegalArgumentException if the array's length is not {@code 3·height·width} or a size is not positive
     */
    public static int[] targets(float[] chw, int height, int width, Normalization normalization, int stride, Settings s) {
        if (height <= 0 || width <= 0 || stride <= 0) {
            throw new IllegalArgumentException("height, width and stride must be positive, got " + height + ", " + width
                    + ", " + stride);
        }
        int plane = height * width;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException("expected 3×" + height + "×" + width + " = " + 3 * plane + " values, got "
                    + chw.length);
        }
        float[] mean = normalization.mean();
        float[] std = normalization.std();
        int gh = cells(height, stride);
        int gw = cells(width, stride);
        double[] vx = new double[gh * gw];
        double[] vy = new double[gh * gw];
        double[] count = new double[gh * gw];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                double r = chw[i] * (double) std[0] + mean[0];
                double g = chw[plane + i] * (double) std[1] + mean[1];
                double b = chw[2 * plane + i] * (double) std[2] + mean[2];
                int cell = (y / stride) * gw + x / stride;
                count[cell] += 1;
                double max = Math.max(r, Math.max(g, b));
                double min = Math.min(r, Math.min(g, b));
                double chroma = max - min;
                if (chroma <= 0) {
                    continue;
                }
                double h = Math.toRadians(hueDegrees(r, g, b, max, chroma));
                vx[cell] += chroma * Math.cos(h);
                vy[cell] += chroma * Math.sin(h);
            }
        }
        int rad = s.radius();
        int[] out = new int[gh * gw];
        double binWidth = 360.0 / s.bins();
        for (int cy = 0; cy < gh; cy++) {
            for (int cx = 0; cx < gw; cx++) {
                double sx = 0;
                double sy = 0;
                double n = 0;
                for (int yy = Math.max(0, cy - rad); yy <= Math.min(gh - 1, cy + rad); yy++) {
                    for (int xx = Math.max(0, cx - rad); xx <= Math.min(gw - 1, cx + rad); xx++) {
                        int c = yy * gw + xx;
                        sx += vx[c];
                        sy += vy[c];
                        n += count[c];
                    }
                }
                if (n == 0 || Math.hypot(sx, sy) / n < s.minChroma() || (sx == 0 && sy == 0)) {
                    out[cy * gw + cx] = IGNORE;
                    continue;
                }
                double deg = Math.toDegrees(Math.atan2(sy, sx));
                if (deg < 0) {
                    deg += 360;
                }
                out[cy * gw + cx] = Math.min(s.bins() - 1, (int) Math.floor(deg / binWidth));
            }
        }
        return out;
    }

    /** The HSV hue in degrees [0, 360) of a colour with the given max and chroma (> 0). */
    static double hueDegrees(double r, double g, double b, double max, double chroma) {
        double h;
        if (max == r) {
            h = 60 * ((g - b) / chroma);
        } else if (max == g) {
            h = 60 * ((b - r) / chroma + 2);
        } else {
            h = 60 * ((r - g) / chroma + 4);
        }
        return h < 0 ? h + 360 : h;
    }
}
