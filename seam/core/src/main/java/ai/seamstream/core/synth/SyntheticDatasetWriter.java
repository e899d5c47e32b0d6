package ai.seamstream.core.synth;

import ai.seamstream.core.dataset.VocWriter;
import ai.seamstream.core.image.ImageEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Writes a synthetic benchmark as a VOC-layout data set: images, palette masks, annotations, train/val lists. */
public final class SyntheticDatasetWriter {
    private SyntheticDatasetWriter() {
    }

    /**
     * Generates {@code config.count()} samples and writes them under {@code root}; the first
     * {@code (1 − valFraction)·count} ids form the {@code train} split, the rest {@code val}.
     *
     * @param format "png" (lossless, exact colours) or "jpg" (quality 0.95)
     * @return a one-line summary
     * @throws IOException if the folder cannot be written, or already holds a data set and {@code overwrite} is false
     */
    public static String write(SyntheticConfig config, Path root, String format, double valFraction, boolean overwrite)
            throws IOException {
        if (!format.equals("png") && !format.equals("jpg")) {
            throw new IllegalArgumentException("format must be png or jpg, got '" + format + "'");
        }
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + valFraction);
        }
        var gen = new SyntheticGenerator(config);
        VocWriter writer = VocWriter.create(root, gen.vocabulary(), overwrite);
        // Samples depend only on (seed, index): render in parallel in blocks, write in order.
        int block = 64;
        var ids = new ArrayList<String>(config.count());
        for (int start = 0; start < config.count(); start += block) {
            int end = Math.min(config.count(), start + block);
            List<Object[]> rendered = IntStream.range(start, end).parallel().mapToObj(i -> {
                SyntheticSample s = gen.sample(i);
                byte[] bytes = format.equals("png") ? ImageEncoder.png(s.image()) : ImageEncoder.jpeg(s.image(), 0.95f);
                return new Object[] {s, bytes};
            }).toList();
            for (Object[] r : rendered) {
                SyntheticSample s = (SyntheticSample) r[0];
                try {
                    writer.add(s.id(), (byte[]) r[1], format, s.mask(), s.objectNames(), s.image().width(), s.image().height());
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                ids.add(s.id());
            }
        }
        int train = (int) Math.round(ids.size() * (1 - valFraction));
        writer.writeSplit("train", ids.subList(0, train));
        if (train < ids.size()) {
            writer.writeSplit("val", ids.subList(train, ids.size()));
        }
        Files.writeString(root.resolve("README.txt"), "Synthetic weak-label benchmark written by 'seam synth'.\n"
                + gen.describe() + "\nseed " + config.seed() + ", " + config.count() + " images of " + config.width() + "x"
                + config.height() + "; train " + train + ", val " + (ids.size() - train) + "\n", StandardCharsets.UTF_8);
        return "wrote " + ids.size() + " images (" + train + " train, " + (ids.size() - train) + " val) of "
                + gen.vocabulary().foregroundCount() + " classes to " + root;
    }
}
