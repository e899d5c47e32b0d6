package ai.seamstream.core.synth;

/**
 * The background contexts that co-occur with some classes (water with a boat, in VOC terms): each a texture that
 * no plain background produces, always labelled background in the masks.
 *
 * <p>A texture is painted in band coordinates: {@code along} runs parallel to the image edge the band lies on,
 * {@code depth} is the distance from that edge, {@code thickness} the band's nominal depth (all in pixels).
 */
enum ContextKind {
    /** Wavy horizontal stripes of light and dark blue. */
    WATER("water") {
        @Override
        BandTexture draw(SplitMix64 rng) {
            Colour base = Colour.hsv(rng.uniform(190.0, 215.0), rng.uniform(0.4, 0.65), rng.uniform(0.45, 0.7));
            double period = rng.uniform(4.0, 6.5);
            double amplitude = rng.uniform(1.2, 2.5);
            double waveLength = rng.uniform(12.0, 22.0);
            double phase = rng.uniform(0.0, 2.0 * Math.PI);
            return (along, depth, thickness) -> {
                double wave = StrictMath.sin(2.0 * Math.PI * along / waveLength + phase);
                double stripe = StrictMath.sin(2.0 * Math.PI * (depth + amplitude * wave) / period);
                return base.times(1.0 + 0.3 * stripe);
            };
        }
    },
    /** A field of green speckle with short blades along the depth direction. */
    GRASS("grass") {
        @Override
        BandTexture draw(SplitMix64 rng) {
            double hue = rng.uniform(85.0, 125.0);
            double saturation = rng.uniform(0.45, 0.75);
            double value = rng.uniform(0.35, 0.6);
            long key = rng.nextLong();
            return (along, depth, thickness) -> {
                long a = (long) Math.floor(along);
                double speckle = SplitMix64.hashUnit(key, a, (long) Math.floor(depth));
                double blade = SplitMix64.hashUnit(key ^ 0x6B1ADEL, a, (long) Math.floor(depth / 4.0));
                double tint = SplitMix64.hashUnit(key ^ 0x7127L, a, (long) Math.floor(depth / 2.0));
                double v = value * (0.55 + 0.5 * blade + 0.45 * speckle);
                return Colour.hsv(hue + 24.0 * (tint - 0.5), saturation, Math.min(1.0, v));
            };
        }
    },
    /** A railway seen from above: speckled ballast, dark sleepers across, two bright rails along. */
    RAIL("rail") {
        @Override
        BandTexture draw(SplitMix64 rng) {
            Colour ballast = Colour.hsv(rng.uniform(20.0, 40.0), rng.uniform(0.1, 0.25), rng.uniform(0.4, 0.55));
            Colour sleeper = Colour.hsv(rng.uniform(15.0, 30.0), rng.uniform(0.45, 0.6), rng.uniform(0.25, 0.35));
            Colour steel = Colour.hsv(rng.uniform(200.0, 230.0), rng.uniform(0.02, 0.1), rng.uniform(0.78, 0.9));
            double spacing = rng.uniform(7.0, 10.0);
            double offset = rng.uniform(0.0, spacing);
            long key = rng.nextLong();
            return (along, depth, thickness) -> {
                double rail1 = 0.33 * thickness;
                double rail2 = 0.67 * thickness;
                if (Math.abs(depth - rail1) < 1.0 || Math.abs(depth - rail2) < 1.0) {
                    return steel;
                }
                double inPeriod = ((along + offset) % spacing + spacing) % spacing;
                if (inPeriod < 3.0 && depth > 0.15 * thickness && depth < 0.85 * thickness) {
                    return sleeper;
                }
                double n = SplitMix64.hashUnit(key, (long) Math.floor(along), (long) Math.floor(depth));
                return ballast.times(0.8 + 0.4 * n);
            };
        }
    },
    /** A brick wall: offset rows of reddish bricks with light mortar joints. */
    BRICK("brick") {
        @Override
        BandTexture draw(SplitMix64 rng) {
            double hue = rng.uniform(5.0, 20.0);
            double saturation = rng.uniform(0.45, 0.7);
            double value = rng.uniform(0.45, 0.65);
            Colour mortar = Colour.hsv(rng.uniform(30.0, 50.0), rng.uniform(0.05, 0.15), rng.uniform(0.75, 0.85));
            double brickHeight = rng.uniform(5.0, 7.0);
            double brickWidth = 2.0 * brickHeight + rng.uniform(0.0, 3.0);
            long key = rng.nextLong();
            return (along, depth, thickness) -> {
                long row = (long) Math.floor(depth / brickHeight);
                double shifted = along + ((row & 1L) == 0 ? 0.0 : 0.5 * brickWidth);
                long column = (long) Math.floor(shifted / brickWidth);
                double inRow = depth - row * brickHeight;
                double inColumn = shifted - column * brickWidth;
                if (inRow < 1.0 || inColumn < 1.0) {
                    return mortar;
                }
                double jitter = SplitMix64.hashUnit(key, column, row);
                return Colour.hsv(hue, saturation, value * (0.85 + 0.3 * jitter));
            };
        }
    };

    /** The lower-case name reported in samples and manifests. */
    final String label;

    ContextKind(String label) {
        this.label = label;
    }

    /** Draws this context's colours and pattern sizes for one image. */
    abstract BandTexture draw(SplitMix64 rng);

    /** A context's colour at a point in band coordinates. */
    @FunctionalInterface
    interface BandTexture {
        Colour colourAt(double along, double depth, double thickness);
    }
}
