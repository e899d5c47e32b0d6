package ai.seamstream.trainer;

import ai.seamstream.core.image.ImageEncoder;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.synth.SyntheticConfig;
import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.core.synth.SyntheticSample;
import ai.seamstream.schemas.ClassVocabulary;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.train.PolySgd;
import ai.seamstream.torch.train.SeamTrainer;
import ai.seamstream.core.augment.AugmentConfig;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.trainer.dataset.LabelledImage;
import ai.seamstream.trainer.dataset.TrainingSetStore;
import ai.seamstream.trainer.job.JobSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Small synthetic labelled images and a tiny SEAM job for the trainer's tests. */
public final class Fixtures {
    private Fixtures() {
    }

    /** {@code count} 64×64 synthetic images of 4 classes. */
    public static SyntheticGenerator generator(long seed, int count) {
        return new SyntheticGenerator(SyntheticConfig.defaults().withSeed(seed).withCount(count).withSize(64, 64).withClasses(4));
    }

    /** One sample as the trainer receives it: PNG bytes, class names, a version, optionally its exact mask. */
    public static LabelledImage labelled(SyntheticGenerator g, SyntheticSample s, long version, boolean withMask) {
        ClassVocabulary v = g.vocabulary();
        var names = new ArrayList<String>();
        for (int k = 0; k < s.labels().length; k++) {
            if (s.labels()[k]) {
                names.add(v.name(k + 1));
            }
        }
        return new LabelledImage(s.id(), ImageEncoder.png(s.image()), names, version,
                withMask ? PaletteMaskCodec.encode(s.mask()) : null);
    }

    /** Fills a store with every sample of {@code g} (masks on all of them when {@code masks}). */
    public static List<LabelledImage> fill(TrainingSetStore store, SyntheticGenerator g, boolean masks) throws IOException {
        var out = new ArrayList<LabelledImage>();
        for (SyntheticSample s : g.all()) {
            LabelledImage li = labelled(g, s, 1, masks);
            store.upsert(li);
            out.add(li);
        }
        return out;
    }

    /** A SEAM network of width 1/16 with one unit per stage, trained from scratch for {@code steps} steps. */
    public static JobSpec tinySpec(ClassVocabulary v, long steps, double lr) {
        var augment = new AugmentConfig(48, 56, 72, true, 0.3, 0.3, 0.3, 0.1, Normalization.IMAGENET);
        var net = new NetConfig(BackboneConfig.small(0.0625, 1), v.size(), NetConfig.Method.SEAM, NetConfig.BatchNormMode.TRAIN,
                false, 4096);
        var trainer = new SeamTrainer.Config(steps, 4, augment, new PolySgd.Config(lr, 10, 5e-4, 0, 0.9, steps), 0.3, 5, 2);
        return new JobSpec(net, trainer, JobSpec.Start.scratch(), new double[] {1.0}, 0.26f);
    }
}
