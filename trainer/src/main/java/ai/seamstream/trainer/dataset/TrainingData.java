package ai.seamstream.trainer.dataset;

import ai.seamstream.core.image.ImageDecodeException;
import ai.seamstream.core.image.ImageDecoder;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.MaskFormatException;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.train.TrainingSet;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link Snapshot} into what a job needs: the training part as the existing {@link TrainingSet} (decoded in
 * memory, no VOC folder written) and the hold-out part with its ground-truth masks where present. An image that no
 * longer decodes, names a class outside the vocabulary, or has a mask that does not fit is skipped and reported,
 * never fatal; an image without any class cannot teach the classifier and is only counted.
 */
public final class TrainingData {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingData.class);

    /** One hold-out image: labels per foreground class, and the ground-truth mask or null. */
    public record HoldOutImage(String id, RgbImage image, boolean[] labels, LabelMask truth) {
    }

    /**
     * The materialised snapshot.
     *
     * @param train       the training part; null when no usable training image is left
     * @param holdOut     the hold-out part, sorted by id
     * @param skipped     images left out with the reason (including the snapshot's unreadable records)
     * @param unlabelled  images without any class, left out
     */
    public record Materialised(String snapshotId, TrainingSet train, List<HoldOutImage> holdOut, List<Snapshot.Skipped> skipped,
                               int unlabelled) {
        public int trainSize() {
            return train == null ? 0 : train.size();
        }
    }

    private TrainingData() {
    }

    /** Decodes and splits a snapshot for the vocabulary; {@code name} becomes the training set's name. */
    public static Materialised materialise(Snapshot snapshot, ClassVocabulary vocabulary, HoldOutSplit split, String name) {
        var train = new ArrayList<TrainingSet.Example>();
        var holdOut = new ArrayList<HoldOutImage>();
        var skipped = new ArrayList<>(snapshot.unreadable());
        int unlabelled = 0;
        for (LabelledImage li : snapshot.images()) {
            boolean[] labels = new boolean[vocabulary.foregroundCount()];
            String unknown = null;
            for (String c : li.classes()) {
                int idx = vocabulary.contains(c) ? vocabulary.indexOf(c) : -1;
                if (idx <= 0) {
                    unknown = c;
                    break;
                }
                labels[idx - 1] = true;
            }
            if (unknown != null) {
                skipped.add(skip(li, "class '" + unknown + "' is not in the vocabulary " + vocabulary.foreground()));
                continue;
            }
            if (li.classes().isEmpty()) {
                unlabelled++;
                continue;
            }
            RgbImage img;
            try {
                img = ImageDecoder.decode(li.image(), li.imageId());
            } catch (ImageDecodeException e) {
                skipped.add(skip(li, "image does not decode: " + e.getMessage()));
                continue;
            }
            if (split.isHoldOut(li.imageId())) {
                LabelMask truth = null;
                if (li.groundTruth() != null) {
                    try {
                        truth = PaletteMaskCodec.decode(li.groundTruth(), li.imageId() + " mask");
                    } catch (MaskFormatException e) {
                        skipped.add(skip(li, "mask does not decode: " + e.getMessage()));
                        continue;
                    }
                    if (truth.width() != img.width() || truth.height() != img.height()) {
                        skipped.add(skip(li, "mask is " + truth.width() + "x" + truth.height() + ", the image "
                                + img.width() + "x" + img.height()));
                        continue;
                    }
                }
                holdOut.add(new HoldOutImage(li.imageId(), img, labels, truth));
            } else {
                train.add(new TrainingSet.Example(li.imageId(), img, labels));
            }
        }
        if (!skipped.isEmpty()) {
            LOG.warn("snapshot {}: {} images skipped (first: {} - {})", snapshot.id(), skipped.size(),
                    skipped.get(0).imageId(), skipped.get(0).reason());
        }
        TrainingSet ts = train.isEmpty() ? null : new TrainingSet(vocabulary, train, name, "train");
        return new Materialised(snapshot.id(), ts, List.copyOf(holdOut), List.copyOf(skipped), unlabelled);
    }

    private static Snapshot.Skipped skip(LabelledImage li, String reason) {
        return new Snapshot.Skipped(li.imageId(), reason);
    }
}
