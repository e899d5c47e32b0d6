package ai.seamstream.core.augment;

import ai.seamstream.core.image.RgbImage;

/**
 * The four colour-jitter operations of the reference's {@code torchvision.transforms.ColorJitter} on PIL images
 * (SEAM-METHOD §2), reproduced bit for bit: brightness, contrast and saturation are PIL {@code ImageEnhance}
 * blends; hue is torchvision's HSV shift.
 *
 * <p>A blend {@code out = d + f·(x − d)} with degenerate image d is computed in float and truncated when
 * {@code 0 ≤ f ≤ 1}, and clipped to 0..255 then truncated otherwise, as PIL's {@code ImagingBlend}.
 */
public final class ColorJitter {
    private ColorJitter() {
    }

    /** A jitter operation, applied with a factor drawn for it. */
    enum Op {
        BRIGHTNESS, CONTRAST, SATURATION, HUE;

        RgbImage apply(RgbImage img, double factor) {
            return switch (this) {
                case BRIGHTNESS -> brightness(img, factor);
                case CONTRAST -> contrast(img, factor);
                case SATURATION -> saturation(img, factor);
                case HUE -> hue(img, factor);
            };
        }
    }

    /**
     * PIL {@code ImageEnhance.Brightness(img).enhance(factor)}: a blend with black.
     *
     * @throws IllegalArgumentException if factor is not finite
     */
    public static RgbImage brightness(RgbImage img, double factor) {
        float alpha = alpha(factor);
        byte[] in = img.rgb();
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = blend(0, in[i] & 0xFF, alpha);
        }
        return new RgbImage(img.width(), img.height(), out);
    }

    /**
     * PIL {@code ImageEnhance.Contrast(img).enhance(factor)}: a blend with the uniform grey of the image's mean luma
     * (rounded half up).
     *
     * @throws IllegalArgumentException if factor is not finite
     */
    public static RgbImage contrast(RgbImage img, double factor) {
        float alpha = alpha(factor);
        byte[] in = img.rgb();
        // ImageStat sums the L histogram in double, then int(mean + 0.5).
        long sum = 0;
        for (int i = 0; i < in.length; i += 3) {
            sum += luma(in[i] & 0xFF, in[i + 1] & 0xFF, in[i + 2] & 0xFF);
        }
        int grey = (int) ((double) sum / (in.length / 3) + 0.5);
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = blend(grey, in[i] & 0xFF, alpha);
        }
        return new RgbImage(img.width(), img.height(), out);
    }

    /**
     * PIL {@code ImageEnhance.Color(img).enhance(factor)}: a blend with the image's own luma as grey.
     *
     * @throws IllegalArgumentException if factor is not finite
     */
    public static RgbImage saturation(RgbImage img, double factor) {
        float alpha = alpha(factor);
        byte[] in = img.rgb();
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i += 3) {
            int l = luma(in[i] & 0xFF, in[i + 1] & 0xFF, in[i + 2] & 0xFF);
            out[i] = blend(l, in[i] & 0xFF, alpha);
            out[i + 1] = blend(l, in[i + 1] & 0xFF, alpha);
            out[i + 2] = blend(l, in[i + 2] & 0xFF, alpha);
        }
        return new RgbImage(img.width(), img.height(), out);
    }

    /**
     * torchvision's {@code adjust_hue} on a PIL image: convert to PIL's 8-bit HSV, add {@code trunc(factor·255)} to
     * the hue byte modulo 256 (the wrap-around), convert back. Even a zero factor changes pixels slightly, through
     * the 8-bit HSV round trip, exactly as the reference.
     *
     * @throws IllegalArgumentException if factor is not within [−0.5, 0.5]
     */
    public static RgbImage hue(RgbImage img, double factor) {
        if (!(factor >= -0.5 && factor <= 0.5)) {
            throw new IllegalArgumentException("hue factor must be within [-0.5, 0.5], got " + factor);
        }
        // np.uint8(hue_factor * 255): the float is truncated toward zero, then wrapped to a byte.
        int shift = (int) (factor * 255);
        byte[] in = img.rgb();
        byte[] out = new byte[in.length];
        int[] hsv = new int[3];
        for (int i = 0; i < in.length; i += 3) {
            rgbToHsv(in[i] & 0xFF, in[i + 1] & 0xFF, in[i + 2] & 0xFF, hsv);
            hsvToRgb((hsv[0] + shift) & 0xFF, hsv[1], hsv[2], out, i);
        }
        return new RgbImage(img.width(), img.height(), out);
    }

    /** PIL's RGB → L conversion: ITU-R 601-2 luma in 16-bit fixed point, rounded. */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    private static float alpha(double factor) {
        if (!Double.isFinite(factor)) {
            throw new IllegalArgumentException("enhancement factor must be finite, got " + factor);
        }
        // PIL passes the Python float to ImagingBlend as a C float.
        return (float) factor;
    }

    /** PIL's {@code ImagingBlend} for one sample: in1 is the degenerate image, in2 the original. */
    static byte blend(int in1, int in2, float alpha) {
        if (alpha >= 0 && alpha <= 1.0) {
            return (byte) (int) (in1 + alpha * (in2 - in1));
        }
        float temp = in1 + alpha * (in2 - in1);
        if (temp <= 0.0) {
            return 0;
        }
        if (temp >= 255.0) {
            return (byte) 255;
        }
        return (byte) (int) temp;
    }

    /**
     * PIL's {@code rgb2hsv_row}, keeping its mix of float variables and double literals so that every rounding is
     * the same.
     */
    static void rgbToHsv(int r, int g, int b, int[] hsv) {
        int maxc = Math.max(r, Math.max(g, b));
        int minc = Math.min(r, Math.min(g, b));
        hsv[2] = maxc;
        if (minc == maxc) {
            hsv[0] = 0;
            hsv[1] = 0;
            return;
        }
        float cr = maxc - minc;
        float s = cr / (float) maxc;
        float rc = (maxc - r) / cr;
        float gc = (maxc - g) / cr;
        float bc = (maxc - b) / cr;
        float h;
        if (r == maxc) {
            h = bc - gc;
        } else if (g == maxc) {
            h = (float) (2.0 + rc - bc);
        } else {
            h = (float) (4.0 + gc - rc);
        }
        // Java's % on doubles is C's fmod.
        h = (float) ((h / 6.0 + 1.0) % 1.0);
        hsv[0] = clip8((int) (h * 255.0));
        hsv[1] = clip8((int) (s * 255.0));
    }

    /** PIL's {@code hsv2rgb} for one pixel, written to {@code out[o..o+2]}. */
    static void hsvToRgb(int h, int s, int v, byte[] out, int o) {
        if (s == 0) {
            out[o] = (byte) v;
            out[o + 1] = (byte) v;
            out[o + 2] = (byte) v;
            return;
        }
        int i = (int) Math.floor((float) h * 6.0 / 255.0);
        float f = (float) ((float) h * 6.0 / 255.0 - (float) i);
        float fs = (float) ((float) s / 255.0);
        // C's round() rounds halves away from zero; for these non-negative values Math.round does the same.
        byte p = (byte) clip8((int) Math.round((float) v * (1.0 - fs)));
        byte q = (byte) clip8((int) Math.round((float) v * (1.0 - fs * f)));
        byte t = (byte) clip8((int) Math.round((float) v * (1.0 - fs * (1.0 - f))));
        byte bv = (byte) v;
        byte r;
        byte g;
        byte b;
        switch (i % 6) {
            case 0 -> {
                r = bv;
                g = t;
                b = p;
            }
            case 1 -> {
                r = q;
                g = bv;
                b = p;
            }
            case 2 -> {
                r = p;
                g = bv;
                b = t;
            }
            case 3 -> {
                r = p;
                g = q;
                b = bv;
            }
            case 4 -> {
                r = t;
                g = p;
                b = bv;
            }
            default -> {
                r = bv;
                g = p;
                b = q;
            }
        }
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
    }

    private static int clip8(int v) {
        return v <= 0 ? 0 : Math.min(v, 255);
    }
}
