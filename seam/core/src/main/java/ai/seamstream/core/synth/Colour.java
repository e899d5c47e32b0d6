package ai.seamstream.core.synth;

/** A colour with channels on the 0..255 scale, kept in doubles while a picture is composed and rounded once at the end. */
record Colour(double r, double g, double b) {

    /** An 8-bit colour. */
    static Colour rgb(int r, int g, int b) {
        return new Colour(r, g, b);
    }

    /**
     * The colour of hue (degrees, any value, taken modulo 360), saturation and value in [0, 1]: the standard
     * hexcone model.
     */
    static Colour hsv(double hueDegrees, double saturation, double value) {
        double h = ((hueDegrees % 360.0) + 360.0) % 360.0 / 60.0;
        int sector = (int) Math.floor(h);
        double f = h - sector;
        double v = value * 255.0;
        double p = v * (1.0 - saturation);
        double q = v * (1.0 - saturation * f);
        double t = v * (1.0 - saturation * (1.0 - f));
        return switch (sector) {
            case 0 -> new Colour(v, t, p);
            case 1 -> new Colour(q, v, p);
            case 2 -> new Colour(p, v, t);
            case 3 -> new Colour(p, q, v);
            case 4 -> new Colour(t, p, v);
            default -> new Colour(v, p, q);
        };
    }

    /** The straight mix {@code (1-t)·this + t·other}. */
    Colour lerp(Colour other, double t) {
        return new Colour(r + (other.r - r) * t, g + (other.g - g) * t, b + (other.b - b) * t);
    }

    /** Every channel multiplied by f (shading). */
    Colour times(double f) {
        return new Colour(r * f, g * f, b * f);
    }

    /** Every channel shifted by d (grey noise). */
    Colour plus(double d) {
        return new Colour(r + d, g + d, b + d);
    }

    /** The hexcone hue in degrees [0, 360) (the inverse of {@link #hsv}'s hue); 0 for a grey. */
    double hueDegrees() {
        double max = Math.max(r, Math.max(g, b));
        double min = Math.min(r, Math.min(g, b));
        double d = max - min;
        if (d <= 0) {
            return 0;
        }
        double h;
        if (max == r) {
            h = (g - b) / d;
        } else if (max == g) {
            h = 2 + (b - r) / d;
        } else {
            h = 4 + (r - g) / d;
        }
        h *= 60;
        return h < 0 ? h + 360 : h;
    }

    /** Euclidean distance in RGB. */
    double distance(Colour o) {
        double dr = r - o.r;
        double dg = g - o.g;
        double db = b - o.b;
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }
}
