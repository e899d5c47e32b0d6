package ai.seamstream.core.synth;

import ai.seamstream.core.mask.LabelMask;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Writes a contact sheet of synthetic samples (each image next to its mask, captioned with its objects and
 * contexts) for a person to look at; runs only when {@code -Dsynth.sheet=/path/sheet.png} is given, e.g.
 * {@code mvn -o -pl seam/core -am test -Dtest=SyntheticContactSheet -Dsurefire.failIfNoSpecifiedTests=false -Dsynth.sheet=/tmp/sheet.png}.
 * Optional: {@code -Dsynth.sheet.count=24 -Dsynth.sheet.seed=1 -Dsynth.sheet.size=112 -Dsynth.sheet.ignore=0
 * -Dsynth.sheet.scale=2 -Dsynth.sheet.classes=8 -Dsynth.sheet.contexts=3}.
 */
class SyntheticContactSheet {
    private static final int COLUMNS = 4;
    private static final int CAPTION = 16;

    @Test
    void writeSheetWhenAsked() throws IOException {
        String target = System.getProperty("synth.sheet");
        Assumptions.assumeTrue(target != null && !target.isBlank(), "set -Dsynth.sheet=<png path> to write a sheet");
        var config = SyntheticConfig.defaults()
                .withSeed(Long.getLong("synth.sheet.seed", 1L))
                .withCount(Integer.getInteger("synth.sheet.count", 24))
                .withSize(Integer.getInteger("synth.sheet.size", 112), Integer.getInteger("synth.sheet.size", 112))
                .withIgnoreBand(Integer.getInteger("synth.sheet.ignore", 0));
        int classes = Integer.getInteger("synth.sheet.classes", config.classes());
        int contexts = Integer.getInteger("synth.sheet.contexts", config.contextClasses());
        config = config.withContexts(Math.min(contexts, classes), config.contextProbability(), config.contextFalseProbability())
                .withClasses(classes);
        write(new SyntheticGenerator(config), Path.of(target), Integer.getInteger("synth.sheet.scale", 2));
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: SyntheticContactSheet <png path>");
        }
        write(new SyntheticGenerator(SyntheticConfig.defaults().withCount(24)), Path.of(args[0]), 2);
    }

    /** Renders every sample of the generator into one PNG. */
    static void write(SyntheticGenerator generator, Path target, int scale) throws IOException {
        var config = generator.config();
        int cellW = 2 * config.width() * scale + 6;
        int cellH = config.height() * scale + CAPTION + 6;
        int columns = Math.min(COLUMNS, config.count());
        int rows = (config.count() + columns - 1) / columns;
        var sheet = new BufferedImage(columns * cellW, rows * cellH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(new Color(40, 40, 40));
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i < config.count(); i++) {
            SyntheticSample s = generator.sample(i);
            int ox = (i % columns) * cellW;
            int oy = (i / columns) * cellH;
            for (int y = 0; y < config.height(); y++) {
                for (int x = 0; x < config.width(); x++) {
                    int rgb = (s.image().get(x, y, 0) << 16) | (s.image().get(x, y, 1) << 8) | s.image().get(x, y, 2);
                    int label = s.mask().get(x, y);
                    int maskRgb = label == LabelMask.IGNORE ? 0xFFFFFF
                            : label == 0 ? 0x101010 : maskColour(label);
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            sheet.setRGB(ox + x * scale + dx, oy + y * scale + dy, rgb);
                            sheet.setRGB(ox + (config.width() + x) * scale + 2 + dx, oy + y * scale + dy, maskRgb);
                        }
                    }
                }
            }
            g.setColor(Color.WHITE);
            String caption = s.id().replace("synth_", "#") + " " + String.join(",", s.objectNames())
                    + (s.contexts().isEmpty() ? "" : " | " + String.join(",", s.contexts()));
            g.drawString(caption, ox + 2, oy + config.height() * scale + CAPTION - 3);
        }
        g.dispose();
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(sheet, "png", target.toFile())) {
            throw new IOException("no PNG writer available for " + target);
        }
    }

    /** Mask colour of class c: its marking's colour (grey for the black crescent), so a sheet reads at a glance. */
    private static int maskColour(int c) {
        Colour m = Marking.values()[c - 1].colour;
        if (m.r() + m.g() + m.b() < 150) {
            return 0x707070;
        }
        return ((int) m.r() << 16) | ((int) m.g() << 8) | (int) m.b();
    }
}
