package ai.seamstream.torch.affinity;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.refine.AffinityFeatureSource;
import ai.seamstream.core.refine.MaskRefiner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The random walk's features from an affinity checkpoint run on DJL ({@link AffinityTraining#features}). */
public final class DjlAffinityFeatures implements AffinityFeatureSource {
    private final NDManager manager;
    private final AffinityCheckpoint.Loaded loaded;

    private DjlAffinityFeatures(NDManager manager, AffinityCheckpoint.Loaded loaded) {
        this.manager = manager;
        this.loaded = loaded;
    }

    /** Loads an affinity checkpoint ({@code seam train-affinity}) into its own manager. */
    public static DjlAffinityFeatures load(Path dir) throws IOException {
        NDManager m = NDManager.newBaseManager();
        try {
            return new DjlAffinityFeatures(m, AffinityCheckpoint.load(dir, m));
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public AffinityCheckpoint.Loaded loaded() {
        return loaded;
    }

    @Override
    public MaskRefiner.AffinityFeatures features(RgbImage image) {
        return AffinityTraining.features(loaded.network(), image);
    }

    @Override
    public int radius() {
        return loaded.manifest().radius();
    }

    @Override
    public int stride() {
        return 8;
    }

    @Override
    public List<String> classes() {
        return loaded.manifest().source().classes();
    }

    @Override
    public void close() {
        try {
            loaded.close();
        } finally {
            manager.close();
        }
    }
}
