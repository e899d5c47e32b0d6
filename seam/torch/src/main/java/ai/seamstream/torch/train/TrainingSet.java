package ai.seamstream.torch.train;

import ai.seamstream.core.dataset.VocDataset;
import ai.seamstream.core.image.ImageDecoder;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.schemas.ClassVocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decoded images of one data-set split with their image-level labels, held in memory for training. */
public final class TrainingSet {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingSet.class);

    /** One training image; {@code labels} has one entry per foreground class. */
    public record Example(String id, RgbImage image, boolean[] labels) {
    }

    private final ClassVocabulary classes;
    private final List<Example> examples;
    private final String name;
    private final String split;

    public TrainingSet(ClassVocabulary classes, List<Example> examples, String name, String split) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("training set '" + name + "' split '" + split + "' has no labelled images");
        }
        for (Example e : examples) {
            if (e.labels().length != classes.foregroundCount()) {
                throw new IllegalArgumentException("image " + e.id() + " has " + e.labels().length + " labels, the vocabulary "
                        + classes.foregroundCount() + " foreground classes");
            }
        }
        this.classes = classes;
        this.examples = List.copyOf(examples);
        this.name = name;
        this.split = split;
    }

    /**
     * Loads a split of a VOC-layout data set; images without any image-level label cannot teach a classifier and are
     * left out (counted in the log).
     *
     * @throws IOException naming the file for an image that does not decode or a label file that is invalid
     */
    public static TrainingSet load(VocDataset data, String split) throws IOException {
        var out = new ArrayList<Example>();
        int unlabelled = 0;
        for (String id : data.ids(split)) {
            Optional<boolean[]> labels = data.labels(id);
            if (labels.isEmpty() || !any(labels.get())) {
                unlabelled++;
                continue;
            }
            RgbImage img = ImageDecoder.read(data.imageFile(id));
            out.add(new Example(id, img, labels.get()));
        }
        if (unlabelled > 0) {
            LOG.info("{} of split '{}' left out: no image-level label", unlabelled, split);
        }
        return new TrainingSet(data.classes(), out, data.root().getFileName().toString(), split);
    }

    private static boolean any(boolean[] b) {
        for (boolean x : b) {
            if (x) {
                return true;
            }
        }
        return false;
    }

    public ClassVocabulary classes() {
        return classes;
    }

    public List<Example> examples() {
        return examples;
    }

    public int size() {
        return examples.size();
    }

    public String name() {
        return name;
    }

    public String split() {
        return split;
    }

    /** SHA-256 over the image ids in order: identifies the training-set snapshot in a manifest. */
    public String idsSha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Example e : examples) {
                md.update(e.id().getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
    }
}
