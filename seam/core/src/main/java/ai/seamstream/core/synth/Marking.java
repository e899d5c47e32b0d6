package ai.seamstream.core.synth;

/**
 * The class-specific markings: the ONLY thing that tells one synthetic class from another, each a distinct colour
 * and shape, drawn on a body that looks like every other class's body.
 *
 * <p>A shape is a test on normalised box coordinates {@code (u, v) ∈ [-1, 1]²} (v grows downwards), so it can be
 * rasterised at any size; {@link #aspect} is the box's width over its height.
 */
enum Marking {
    CROSS("cross", Colour.rgb(230, 25, 40), 1.0) {
        @Override
        boolean inside(double u, double v) {
            return Math.abs(u) <= 0.34 || Math.abs(v) <= 0.34;
        }
    },
    RING("ring", Colour.rgb(25, 70, 255), 1.0) {
        @Override
        boolean inside(double u, double v) {
            double rr = u * u + v * v;
            return rr <= 1.0 && rr >= 0.45 * 0.45;
        }
    },
    BAR("bar", Colour.rgb(255, 220, 0), 2.6) {
        @Override
        boolean inside(double u, double v) {
            return true;
        }
    },
    SQUARE("square", Colour.rgb(0, 200, 70), 1.0) {
        @Override
        boolean inside(double u, double v) {
            return true;
        }
    },
    TRIANGLE("triangle", Colour.rgb(235, 0, 200), 1.1) {
        @Override
        boolean inside(double u, double v) {
            // apex at the top (v = -1), base along the bottom edge
            return Math.abs(u) <= (v + 1.0) / 2.0;
        }
    },
    DIAMOND("diamond", Colour.rgb(0, 215, 230), 1.0) {
        @Override
        boolean inside(double u, double v) {
            return Math.abs(u) + Math.abs(v) <= 1.0;
        }
    },
    STAR("star", Colour.rgb(255, 125, 0), 1.0) {
        @Override
        boolean inside(double u, double v) {
            return insidePolygon(STAR_X, STAR_Y, u, v);
        }
    },
    DOTS("dots", Colour.rgb(145, 45, 255), 1.0) {
        @Override
        boolean inside(double u, double v) {
            double du = Math.abs(u) - 0.52;
            double dv = Math.abs(v) - 0.52;
            return du * du + dv * dv <= 0.46 * 0.46;
        }
    },
    HOURGLASS("hourglass", Colour.rgb(255, 255, 255), 0.9) {
        @Override
        boolean inside(double u, double v) {
            return Math.abs(u) <= Math.abs(v) + 0.08;
        }
    },
    CRESCENT("crescent", Colour.rgb(20, 20, 20), 1.0) {
        @Override
        boolean inside(double u, double v) {
            double cu = u - 0.5;
            double cv = v + 0.15;
            return u * u + v * v <= 1.0 && cu * cu + cv * cv > 0.75 * 0.75;
        }
    };

    private static final double[] STAR_X = new double[10];
    private static final double[] STAR_Y = new double[10];

    static {
        // a five-pointed star: outer radius 1 at the even vertices, inner radius 0.45 at the odd ones, first point up
        for (int k = 0; k < 10; k++) {
            double radius = k % 2 == 0 ? 1.0 : 0.45;
            double angle = StrictMath.toRadians(-90.0 + 36.0 * k);
            STAR_X[k] = radius * StrictMath.cos(angle);
            STAR_Y[k] = radius * StrictMath.sin(angle) + 0.1;
        }
    }

    /** The class name this marking gives its class. */
    final String label;
    /** The flat colour the marking is painted in. */
    final Colour colour;
    /** Box width over box height. */
    final double aspect;

    Marking(String label, Colour colour, double aspect) {
        this.label = label;
        this.colour = colour;
        this.aspect = aspect;
    }

    /** True if normalised point (u, v) of the box belongs to the shape. */
    abstract boolean inside(double u, double v);

    /** The shape rasterised in a box {@code height} pixels high, sampled at pixel centres. */
    MarkingPatch rasterize(double height) {
        double width = aspect * height;
        int pw = Math.max(1, (int) Math.ceil(width));
        int ph = Math.max(1, (int) Math.ceil(height));
        var bits = new boolean[pw * ph];
        int area = 0;
        for (int j = 0; j < ph; j++) {
            double v = (j + 0.5) / height * 2.0 - 1.0;
            for (int i = 0; i < pw; i++) {
                double u = (i + 0.5) / width * 2.0 - 1.0;
                if (u <= 1.0 && v <= 1.0 && inside(u, v)) {
                    bits[j * pw + i] = true;
                    area++;
                }
            }
        }
        return new MarkingPatch(pw, ph, bits, area);
    }

    /**
     * The rasterisation whose pixel count is closest to {@code targetArea}, found by bisection on the box height
     * (the count grows with the height, up to the steps of rasterisation).
     */
    MarkingPatch fit(double targetArea) {
        double lo = 1.0;
        double hi = 4.0 + 2.0 * Math.sqrt(targetArea);
        MarkingPatch best = rasterize(lo);
        for (int iteration = 0; iteration < 40; iteration++) {
            double mid = 0.5 * (lo + hi);
            MarkingPatch patch = rasterize(mid);
            if (Math.abs(patch.area() - targetArea) < Math.abs(best.area() - targetArea)) {
                best = patch;
            }
            if (patch.area() < targetArea) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return best;
    }

    /** Even-odd ray casting. */
    private static boolean insidePolygon(double[] xs, double[] ys, double x, double y) {
        boolean in = false;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            if ((ys[i] > y) != (ys[j] > y) && x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
                in = !in;
            }
        }
        return in;
    }
}
