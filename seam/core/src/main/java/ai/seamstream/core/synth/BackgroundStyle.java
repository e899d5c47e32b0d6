package ai.seamstream.core.synth;

/**
 * A textured background: two colours of low to moderate saturation mixed by a pattern, plus grey per-pixel noise.
 *
 * <p>The colours come from a distribution that overlaps the bodies' one, so colour alone does not separate object
 * from background; bodies are only kept a minimum distance away from these two colours (see {@code SceneComposer}).
 */
record BackgroundStyle(Kind kind, Colour first, Colour second, Kind mixedWith, double cell, double period,
        double angle, double phase, double sharpness, double mixCell, double noise, long key) {

    /** The texture families; {@code MIXED} blends two of the others through coarse noise. */
    enum Kind {
        NOISE, STRIPES, CHECKER, GRADIENT, MIXED
    }

    static BackgroundStyle draw(SplitMix64 rng) {
        Kind kind = Kind.values()[rng.nextInt(Kind.values().length)];
        double hue = rng.uniform(0.0, 360.0);
        double value = rng.uniform(0.15, 0.95);
        Colour first = Colour.hsv(hue, rng.uniform(0.0, 0.45), value);
        // the second colour differs in value by 0.15..0.4 so the pattern is always visible
        double step = rng.uniform(0.15, 0.4);
        double value2 = value + step <= 0.95 ? value + step : value - step;
        Colour second = Colour.hsv(hue + rng.uniform(-90.0, 90.0), rng.uniform(0.0, 0.45), value2);
        // MIXED blends one of the four plain patterns (picked here) with the one given by the secondary parameters
        Kind mixedWith = Kind.values()[rng.nextInt(4)];
        double cell = rng.uniform(6.0, 20.0);
        double period = rng.uniform(6.0, 18.0);
        double angle = rng.uniform(0.0, Math.PI);
        double phase = rng.uniform(0.0, 2.0 * Math.PI);
        double sharpness = rng.uniform(0.5, 3.0);
        double mixCell = rng.uniform(24.0, 48.0);
        double noise = rng.uniform(3.0, 10.0);
        long key = rng.nextLong();
        return new BackgroundStyle(kind, first, second, mixedWith, cell, period, angle, phase, sharpness, mixCell, noise, key);
    }

    /** The colour at pixel (x, y), noise included. */
    Colour colourAt(int x, int y, int width, int height) {
        double px = x + 0.5;
        double py = y + 0.5;
        double t = switch (kind) {
            case MIXED -> {
                Kind other = mixedWith == Kind.STRIPES ? Kind.CHECKER : Kind.STRIPES;
                double m = Texture.smooth(Texture.clamp01((Texture.valueNoise(key ^ 0x5A5AL, px, py, mixCell) - 0.5) * 4.0 + 0.5));
                yield pattern(mixedWith, px, py, width, height) * (1.0 - m) + pattern(other, px, py, width, height) * m;
            }
            default -> pattern(kind, px, py, width, height);
        };
        double n = (SplitMix64.hashUnit(key, x, y) - 0.5) * 2.0 * noise;
        return first.lerp(second, t).plus(n);
    }

    private double pattern(Kind k, double px, double py, int width, int height) {
        return switch (k) {
            case NOISE -> Texture.valueNoise(key, px, py, cell);
            case STRIPES -> Texture.stripes(px, py, period, angle, phase, sharpness);
            case CHECKER -> Texture.checker(px, py, cell, angle);
            case GRADIENT, MIXED -> Texture.gradient(px, py, width, height, angle);
        };
    }
}
