package ai.seamstream.torch.affinity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.torch.net.ParamStore;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.net.TensorScope;
import java.util.SplittableRandom;

/**
 * AffinityNet (Ahn and Kwak 2018, psa's {@code resnet38_aff}; SEAM-METHOD §5) on a SEAM network's backbone: three
 * 1×1 convolutions with ELU on the backbone taps conv4, conv5, conv6 (64, 128, 256 channels at the reference width),
 * concatenated and mixed by a 1×1 convolution with ELU (448 channels). Its output is the per-pixel feature whose L1
 * distances give the random walk's affinities. The heads' parameters join the backbone's {@link ParamStore} under
 * the prefix {@value #PREFIX}; the backbone's own heads (fc8, the PCM's) are frozen, unused.
 */
public final class AffinityNetwork implements AutoCloseable {
    /** Name prefix of the affinity heads in the parameter store. */
    public static final String PREFIX = "aff.";

    /** Output channels of the heads; the reference's are 64, 128, 256 and 448. */
    public record Heads(int f83, int f84, int f85, int f9) {
        public Heads {
            if (f83 < 1 || f84 < 1 || f85 < 1 || f9 < 1) {
                throw new IllegalArgumentException("affinity head channels must be positive");
            }
        }

        public static Heads reference() {
            return new Heads(64, 128, 256, 448);
        }

        /** The reference's head sizes scaled like a slimmed backbone (at least 8 channels each). */
        public static Heads scaled(BackboneConfig b) {
            return new Heads(b.channels(64), b.channels(128), b.channels(256), b.channels(64) + b.channels(128) + b.channels(256));
        }
    }

    private final SeamNetwork backbone;
    private final Heads heads;

    /**
     * Adds freshly initialised heads to a backbone (psa: kaiming normal for f8_3..f8_5, xavier uniform gain 4 for f9)
     * and freezes what the affinity training never updates: the backbone's fc8 and PCM heads.
     */
    public AffinityNetwork(SeamNetwork backbone, Heads heads, long seed) {
        this.backbone = backbone;
        this.heads = heads;
        var b = backbone.config().backbone();
        int c4 = b.channels(512);
        int c5 = b.channels(1024);
        int c6 = b.channels(4096);
        ParamStore p = backbone.params();
        p.setTrainable(n -> n.startsWith("fc8.") || n.startsWith("f8_") || n.startsWith("f9."), false);
        var rnd = new SplittableRandom(seed);
        add(p, "f8_3", heads.f83(), c4, kaiming(rnd, heads.f83(), c4));
        add(p, "f8_4", heads.f84(), c5, kaiming(rnd, heads.f84(), c5));
        add(p, "f8_5", heads.f85(), c6, kaiming(rnd, heads.f85(), c6));
        int in9 = heads.f83() + heads.f84() + heads.f85();
        double bound = 4 * Math.sqrt(6.0 / (in9 + heads.f9()));
        float[] w9 = new float[heads.f9() * in9];
        for (int i = 0; i < w9.length; i++) {
            w9[i] = (float) rnd.nextDouble(-bound, bound);
        }
        add(p, "f9", heads.f9(), in9, w9);
    }

    private static void add(ParamStore p, String name, int out, int in, float[] values) {
        p.add(PREFIX + name + ".weight", new Shape(out, in, 1, 1), values, ParamStore.Group.HEAD, ParamStore.Kind.WEIGHT, true);
    }

    private static float[] kaiming(SplittableRandom rnd, int out, int in) {
        double std = Math.sqrt(2.0 / in);
        float[] v = new float[out * in];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        return v;
    }

    public SeamNetwork backbone() {
        return backbone;
    }

    public Heads heads() {
        return heads;
    }

    /** All parameters: the backbone's and the heads'. */
    public ParamStore params() {
        return backbone.params();
    }

    /**
     * The affinity features {@code N × f9 × ceil(H/8) × ceil(W/8)} of normalised images {@code N×3×H×W}; outputs live
     * in x's manager.
     */
    public NDArray features(NDArray x, boolean training) {
        NDArray out = TensorScope.compute(() -> {
            // the scope frees the taps and every intermediate; autograd keeps what backward needs
            SeamNetwork.Taps t = backbone.backbone(x, training);
            NDArray a = Activation.elu(conv(t.conv4(), "f8_3"), 1f);
            NDArray b = Activation.elu(conv(t.conv5(), "f8_4"), 1f);
            NDArray c = Activation.elu(conv(t.conv6(), "f8_5"), 1f);
            return Activation.elu(conv(a.concat(b, 1).concat(c, 1), "f9"), 1f);
        });
        if (out.getManager() != x.getManager()) {
            out.attach(x.getManager());
        }
        return out;
    }

    private NDArray conv(NDArray in, String name) {
        NDArray w = backbone.params().get(PREFIX + name + ".weight");
        return Conv2d.conv2d(in, w, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow();
    }

    @Override
    public void close() {
        backbone.close();
    }
}
