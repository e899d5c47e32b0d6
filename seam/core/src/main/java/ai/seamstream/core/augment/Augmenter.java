package ai.seamstream.core.augment;

import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.resample.Bicubic;
import ai.seamstream.core.resample.Rounding;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The reference's training transform (SEAM-METHOD §2), deterministic given the random source: random long-side
 * bicubic resize, horizontal flip, colour jitter in random order, normalisation, random crop with zero padding.
 *
 * <p>Draws from the random source, in this order: the long side (uniform integer in [longMin, longMax]); the flip
 * (probability ½, if enabled); one factor per enabled jitter operation in the order brightness, contrast,
 * saturation, hue ({@code a + (b−a)·u} as Python's {@code random.uniform}); a Fisher–Yates shuffle of those
 * operations; the crop offset along the width, then along the height. The same image and an equally seeded source
 * give the same output. Instances are immutable and thread-safe; the random source is not.
 */
public final class Augmenter {
    private final AugmentConfig config;

    /** An augmenter for the given settings. */
    public Augmenter(AugmentConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
    }

    /** The settings this augmenter applies. */
    public AugmentConfig config() {
        return config;
    }

    /** Draws the random parameters from {@code rng} and applies the transform to {@code img}. */
    public Augmented apply(RgbImage img, SplittableRandom rng) {
        return execute(img, draw(img, rng));
    }

    /**
     * The reference's {@code RandomResizeLong} for a given long side: the longer side (the width when the two are
     * equal) becomes {@code targetLong}, the other {@code round(short·targetLong/long)} with Python's half-to-even
     * rounding (at least 1), resampled with PIL's bicubic ({@link Bicubic}).
     *
     * @throws IllegalArgumentException if targetLong is not positive
     */
    public static RgbImage resizeLong(RgbImage img, int targetLong) {
        int[] size = resizedSize(img.width(), img.height(), targetLong);
        return Bicubic.resize(img, size[0], size[1]);
    }

    /** {width, height} after {@link #resizeLong}. */
    static int[] resizedSize(int w, int h, int targetLong) {
        if (targetLong <= 0) {
            throw new IllegalArgumentException("target long side must be positive, got " + targetLong);
        }
        // Python: int(round(w * target_long / h)), the product exact, the quotient one correctly rounded double.
        if (w < h) {
            int shortSide = (int) Math.max(1, Rounding.roundHalfEven((double) ((long) w * targetLong) / h));
            return new int[] {shortSide, targetLong};
        }
        int shortSide = (int) Math.max(1, Rounding.roundHalfEven((double) ((long) h * targetLong) / w));
        return new int[] {targetLong, shortSide};
    }

    /** One jitter operation with its drawn factor. */
    record Jitter(ColorJitter.Op op, double factor) {
    }

    /**
     * Every random choice of one application: the long side, the flip, the jitter operations in application order,
     * and the crop offsets of the image and of the zero container along each axis.
     */
    record Plan(int targetLong, boolean flip, List<Jitter> jitter, int imgLeft, int imgTop, int contLeft,
            int contTop) {
    }

    /** Draws a plan in the documented order. */
    Plan draw(RgbImage img, SplittableRandom rng) {
        int targetLong = rng.nextInt(config.longMin(), config.longMax() + 1);
        int[] size = resizedSize(img.width(), img.height(), targetLong);
        boolean flip = config.flip() && rng.nextDouble() < 0.5;
        List<Jitter> jitter = new ArrayList<>(4);
        addEnhance(jitter, ColorJitter.Op.BRIGHTNESS, config.brightness(), rng);
        addEnhance(jitter, ColorJitter.Op.CONTRAST, config.contrast(), rng);
        addEnhance(jitter, ColorJitter.Op.SATURATION, config.saturation(), rng);
        if (config.hue() > 0) {
            jitter.add(new Jitter(ColorJitter.Op.HUE, uniform(-config.hue(), config.hue(), rng)));
        }
        for (int i = jitter.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Jitter t = jitter.get(i);
            jitter.set(i, jitter.get(j));
            jitter.set(j, t);
        }
        // imutils.RandomCrop: a positive space places the crop inside the image, otherwise the image in the crop.
        int crop = config.cropSize();
        int wSpace = size[0] - crop;
        int hSpace = size[1] - crop;
        int imgLeft = wSpace > 0 ? rng.nextInt(wSpace + 1) : 0;
        int contLeft = wSpace > 0 ? 0 : rng.nextInt(-wSpace + 1);
        int imgTop = hSpace > 0 ? rng.nextInt(hSpace + 1) : 0;
        int contTop = hSpace > 0 ? 0 : rng.nextInt(-hSpace + 1);
        return new Plan(targetLong, flip, List.copyOf(jitter), imgLeft, imgTop, contLeft, contTop);
    }

    private static void addEnhance(List<Jitter> jitter, ColorJitter.Op op, double amount, SplittableRandom rng) {
        if (amount > 0) {
            jitter.add(new Jitter(op, uniform(Math.max(0, 1 - amount), 1 + amount, rng)));
        }
    }

    private static double uniform(double a, double b, SplittableRandom rng) {
        return a + (b - a) * rng.nextDouble();
    }

    /** Applies a drawn plan. */
    Augmented execute(RgbImage img, Plan plan) {
        RgbImage x = resizeLong(img, plan.targetLong());
        for (Jitter j : plan.jitter()) {
            x = j.op().apply(x, j.factor());
        }
        // The flip is applied while normalising: jitter acts per pixel (contrast's mean is flip-invariant), so
        // flipping after it equals the reference's flip before it.
        float[] chw = config.norm().toChw(x, plan.flip());
        int crop = config.cropSize();
        int w = x.width();
        int h = x.height();
        int cw = Math.min(crop, w);
        int ch = Math.min(crop, h);
        float[] out = new float[3 * crop * crop];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < ch; y++) {
                System.arraycopy(chw, (c * h + plan.imgTop() + y) * w + plan.imgLeft(),
                        out, (c * crop + plan.contTop() + y) * crop + plan.contLeft(), cw);
            }
        }
        return new Augmented(out, crop, plan.flip());
    }
}
