package ai.seamstream.torch.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.pytorch.jni.JniUtils;
import ai.seamstream.torch.net.NetConfig.BatchNormMode;
import ai.seamstream.torch.net.NetConfig.Method;
import ai.seamstream.torch.net.ParamStore.Group;
import ai.seamstream.torch.net.ParamStore.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The SEAM network (ResNet-38 backbone + fc8, and for {@link Method#SEAM} the PCM heads), written functionally over
 * named parameters in a {@link ParamStore} whose names are exactly the reference PyTorch state dict's.
 *
 * <p>Training forwards draw dropout masks from the network's own random stream and may update BatchNorm running
 * statistics, so one network must not run training forwards on several threads at once; evaluation forwards touch
 * no mutable state. Closing the network frees its parameters.
 */
public final class SeamNetwork implements AutoCloseable {

    /** BatchNorm ε (SEAM-METHOD §1.1). */
    static final float BN_EPS = 1e-5f;
    /**
     * PyTorch's BatchNorm momentum 0.1 as DJL spells it: DJL passes {@code 1 − momentum} to libtorch, so running
     * statistics become {@code 0.9·running + 0.1·batch}.
     */
    static final float DJL_BN_MOMENTUM = 0.9f;
    /**
     * Output channels from which libtorch 2.7.1 (DJL 0.36, CPU) computes the input gradient of a k×k convolution
     * (k > 1) correctly. Below it the gradient is wrong: on one thread a fixed wrong value (for 2×8×24×24 into 8
     * channels, off by up to 22 where the true values reach 33), on more threads a different one on every run,
     * sometimes NaN (measured for 4, 8 and 12 output channels; 16, 24, 32, 40 and more agree with a direct sum).
     * Narrower convolutions that need an input gradient run with zero output channels added up to this count.
     */
    static final int SAFE_GRADIENT_CHANNELS = 16;
    /** Dropout2d probability on conv6 before fc8 (SEAM-METHOD §1.2). */
    static final double DROPOUT7 = 0.5;

    /**
     * The outputs of one forward pass (SEAM-METHOD §1.3); closing it frees all three.
     *
     * @param cam       raw class scores N×(C+1)×H×W, bilinearly (align_corners) up-sampled to the input size
     * @param camRv     PCM-revised CAM N×(C+1)×H×W at the input size; {@code null} for {@link Method#CAM}
     * @param camLowRes raw fc8 output N×(C+1)×h×w at stride 8, {@code h = ceil(H/8)}
     */
    public record Forward(NDArray cam, NDArray camRv, NDArray camLowRes) implements AutoCloseable {
        @Override
        public void close() {
            cam.close();
            if (camRv != null) {
                camRv.close();
            }
            camLowRes.close();
        }
    }

    /**
     * One residual unit of §1.1's table, with scaled channels; the ONNX export walks the same list, so both run one
     * topology.
     *
     * @param name          the parameter prefix ({@code b4_1})
     * @param bottleneck    a bottleneck unit (b6, b7) rather than a basic one
     * @param in            input channels
     * @param mid           a basic unit's middle channels (0 for a bottleneck, whose inner widths are out/4 and out/2)
     * @param out           output channels
     * @param stride        stride of the first convolution and of the shortcut
     * @param firstDilation dilation (and padding) of a basic unit's first 3×3 convolution
     * @param dilation      dilation (and padding) of the second 3×3 convolution (a bottleneck's only 3×3)
     * @param dropout       Dropout2d probability inside a bottleneck while training
     */
    public record Unit(String name, boolean bottleneck, int in, int mid, int out, int stride, int firstDilation,
                       int dilation, double dropout) {
        /**
         * The reference adds a 1×1 shortcut conv exactly when the shape changes, which at its widths is always so for
         * the bottlenecks b6 and b7; they keep it at every width so that the parameter set does not depend on width.
         */
        public boolean convShortcut() {
            return bottleneck || in != out || stride != 1;
        }
    }

    private final NetConfig config;
    private final ParamStore params;
    private final List<Unit> units;
    private final SplittableRandom dropoutRandom;
    /** One forward's mode: dropout and batch statistics while training; whether running statistics take the batch's. */
    private record Pass(boolean training, boolean updateRunningStats) {
    }

    /**
     * Builds the network with every parameter initialised deterministically from {@code seed}; parameters live in a
     * child manager of {@code parent}.
     *
     * <p>Backbone convolutions get He (kaiming normal, fan-in, gain √2) weights; the reference starts the backbone
     * from ImageNet weights, so its own initialisation never matters and this one only has to train from scratch.
     * BatchNorms start at γ 1, β 0, mean 0, variance 1. Heads follow SEAM-METHOD §1.2: fc8 xavier uniform (gain 1),
     * f8_3 and f8_4 kaiming normal (fan-in, gain √2), f9 xavier uniform (gain 4). Each tensor draws from its own
     * stream derived from the seed and its name, so adding a head does not change the backbone's values. Dropout
     * masks come from a further stream of the same seed (not the engine's global generator), so two networks built
     * with one seed and fed the same inputs drop the same channels.
     */
    public SeamNetwork(NetConfig config, NDManager parent, long seed) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(parent, "parent");
        this.units = buildUnits(config.backbone());
        this.dropoutRandom = new SplittableRandom(streamSeed(seed, "dropout"));
        this.params = new ParamStore(parent);
        try {
            createParams(seed);
            applyFreezing();
        } catch (RuntimeException e) {
            params.close();
            throw e;
        }
    }

    /** The named parameters, in the reference state dict's order. */
    public ParamStore params() {
        return params;
    }

    /** The residual units b2 … b7 in forward order. */
    public List<Unit> units() {
        return units;
    }

    /** The configuration this network was built from. */
    public NetConfig config() {
        return config;
    }

    /** The stride-8 output size of an input side: {@code ceil(in/8)} (three stride-2 convolutions with padding). */
    public static int outputSize(int inputSize) {
        if (inputSize <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + inputSize);
        }
        int s = inputSize;
        for (int i = 0; i < 3; i++) {
            s = (s + 1) / 2;
        }
        return s;
    }

    /**
     * Runs the network on {@code x} (N×3×H×W, normalised float32) per SEAM-METHOD §1.3; in training mode Dropout2d
     * is active (and with {@link BatchNormMode#TRAIN} batch statistics are used and running statistics updated).
     * The outputs live in {@code x}'s manager and every intermediate is freed before returning; nothing is added to
     * the parameter manager. Keep {@code x} open until any {@code backward} through the outputs has run: conv1a's
     * weight gradient reads it.
     *
     * @throws IllegalArgumentException if {@code x} is not N×3×H×W of the parameters' type (float32 unless converted)
     */
    public Forward forward(NDArray x, boolean training) {
        return forward(x, training, true);
    }

    /**
     * As {@link #forward(NDArray, boolean)}; with {@code updateRunningStats} false a {@link BatchNormMode#TRAIN}
     * pass still normalises with batch statistics but leaves the running statistics alone. The SEAM objective uses
     * that for its down-scaled branch: its 0.3× images have other statistics than the full-size images inference
     * sees, and folding them into the running averages would skew every BatchNorm at test time.
     */
    public Forward forward(NDArray x, boolean training, boolean updateRunningStats) {
        Pass pass = new Pass(training, updateRunningStats);
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(0) < 1 || s.get(2) < 1 || s.get(3) < 1) {
            throw new IllegalArgumentException("network input must be N×3×H×W, got shape " + s);
        }
        checkInputType(x);
        int height = Math.toIntExact(s.get(2));
        int width = Math.toIntExact(s.get(3));
        NDArray[] out = TensorScope.computeAll(() -> run(x, height, width, pass));
        NDManager owner = x.getManager();
        for (NDArray a : out) {
            if (a != null && a.getManager() != owner) {
                a.attach(owner);
            }
        }
        return new Forward(out[0], out[1], out[2]);
    }

    /** Images must have the parameters' type: float32, or float64 after {@link ParamStore#convert}. */
    private void checkInputType(NDArray x) {
        DataType type = params.dataType();
        if (x.getDataType() != type) {
            throw new IllegalArgumentException("network input must be " + type + " (the parameters' type), got "
                    + x.getDataType());
        }
    }

    /**
     * Zeroes the accumulated gradient of every trainable parameter in place; DJL's PyTorch gradient collector neither
     * zeroes gradients when it opens nor when it closes, so a training step calls this before its backward.
     */
    public void zeroGradients() {
        // getGradient() wraps the gradient in a new array of the parameter manager, and the indexed fill creates a
        // scalar there too: the scope frees both, the fill itself is in place on the gradient's storage.
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (ParamStore.Param p : params.all()) {
                if (p.trainable() && p.array().hasGradient()) {
                    p.array().getGradient().set(new NDIndex("..."), 0f);
                }
            }
        }
    }

    @Override
    public void close() {
        params.close();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Forward

    /** The backbone's taps: b5's and b6's BN-ReLU inputs (conv4, conv5) and ReLU(BN7) (conv6), as psa's forward_as_dict. */
    private NDArray[] backboneRun(NDArray x, Pass pass) {
        NDArray h = conv(x, "conv1a", 1, 1, 1);
        NDArray conv4 = null;
        NDArray conv5 = null;
        for (Unit u : units) {
            if (!pass.training()) {
                // Evaluation keeps no autograd graph, so each unit's intermediates can go as soon as the unit is done;
                // otherwise a full ResNet-38 forward of one 896² view holds about 10 GB until it returns.
                NDArray in = h;
                boolean tap = u.name.equals("b5") || u.name.equals("b6");
                NDArray[] r = TensorScope.computeAll(() -> {
                    NDArray a = bnRelu(in, u.name + ".bn_branch2a", pass);
                    NDArray out = u.bottleneck ? bottleneck(u, in, a, pass) : basic(u, in, a, pass);
                    return new NDArray[] {out, tap ? a : null};
                });
                in.close(); // the previous unit's output (or conv1a's), read by this unit only
                h = r[0];
                if (u.name.equals("b5")) {
                    conv4 = r[1];
                } else if (u.name.equals("b6")) {
                    conv5 = r[1];
                }
                continue;
            }
            NDArray a = bnRelu(h, u.name + ".bn_branch2a", pass);
            if (u.name.equals("b5")) {
                conv4 = a;
            } else if (u.name.equals("b6")) {
                conv5 = a;
            }
            h = u.bottleneck ? bottleneck(u, h, a, pass) : basic(u, h, a, pass);
        }
        return new NDArray[] {conv4, conv5, bnRelu(h, "bn7", pass)};
    }

    /**
     * The backbone's three taps at stride 8 (psa's {@code conv4}, {@code conv5}, {@code conv6}: the inputs of b5 and
     * b6 after their BN-ReLU, and ReLU(BN7) of b7's output), for heads other than SEAM's such as AffinityNet. Same
     * contract as {@link #forward(NDArray, boolean)}: the outputs live in {@code x}'s manager.
     */
    public Taps backbone(NDArray x, boolean training) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException("network input must be N×3×H×W, got shape " + s);
        }
        checkInputType(x);
        Pass pass = new Pass(training, true);
        NDArray[] out = TensorScope.computeAll(() -> backboneRun(x, pass));
        for (NDArray a : out) {
            if (a.getManager() != x.getManager()) {
                a.attach(x.getManager());
            }
        }
        return new Taps(out[0], out[1], out[2]);
    }

    /** The backbone taps of {@link #backbone}. */
    public record Taps(NDArray conv4, NDArray conv5, NDArray conv6) implements AutoCloseable {
        @Override
        public void close() {
            conv4.close();
            conv5.close();
            conv6.close();
        }
    }

    private NDArray[] run(NDArray x, int height, int width, Pass pass) {
        NDArray[] taps = backboneRun(x, pass);
        NDArray conv4 = taps[0];
        NDArray conv5 = taps[1];
        NDArray conv6 = taps[2];
        NDArray camLow = conv(pass.training() ? dropout2d(conv6, DROPOUT7) : conv6, "fc8", 1, 0, 1);
        NDArray cam = Resize.bilinear(camLow, height, width, true);
        if (config.method() == Method.CAM) {
            return new NDArray[] {cam, null, camLow};
        }
        // §1.3 steps 2-4: the PCM sees the backbone only through detached taps, so its losses never reach it.
        NDArray camNorm = Pcm.pcmInput(camLow);
        NDArray embedding = pcmEmbedding(x, conv4, conv5, camLow);
        NDArray revised = Pcm.revise(camNorm, embedding, config.pcmChunk());
        NDArray camRv = Resize.bilinear(revised, height, width, true);
        return new NDArray[] {cam, camRv, camLow};
    }

    /** §1.3 step 3 and f9: {@code f9(concat[bilinear_ac(x → h×w), ReLU(f8_3(conv4)), ReLU(f8_4(conv5))])}. */
    private NDArray pcmEmbedding(NDArray x, NDArray conv4, NDArray conv5, NDArray camLow) {
        int lowH = Math.toIntExact(camLow.getShape().get(2));
        int lowW = Math.toIntExact(camLow.getShape().get(3));
        NDArray f83 = Activation.relu(conv(conv4.stopGradient(), "f8_3", 1, 0, 1));
        NDArray f84 = Activation.relu(conv(conv5.stopGradient(), "f8_4", 1, 0, 1));
        NDArray xs = Resize.bilinear(x, lowH, lowW, true);
        return conv(xs.concat(f83, 1).concat(f84, 1), "f9", 1, 0, 1);
    }

    /**
     * The PCM's parts for one evaluation-mode forward, for inspecting what the module does (the {@code seam
     * inspect-pcm} command): the raw stride-8 scores, the PCM input ĉ, the embedding {@code f9(f)} whose cosine
     * gives the affinity, and the image resized to the stride-8 grid as the embedding sees it. All in {@code x}'s
     * manager; {@code cam_rv} at stride 8 is {@code Pcm.revise(camNorm, embedding)}.
     *
     * @throws IllegalStateException if this is not a SEAM network
     */
    public PcmParts pcmParts(NDArray x) {
        if (config.method() != Method.SEAM) {
            throw new IllegalStateException("a " + config.method() + " network has no PCM");
        }
        Pass pass = new Pass(false, false);
        NDArray[] out = TensorScope.computeAll(() -> {
            NDArray[] taps = backboneRun(x, pass);
            NDArray camLow = conv(taps[2], "fc8", 1, 0, 1);
            NDArray xs = Resize.bilinear(x, Math.toIntExact(camLow.getShape().get(2)), Math.toIntExact(camLow.getShape().get(3)), true);
            return new NDArray[] {camLow, Pcm.pcmInput(camLow), pcmEmbedding(x, taps[0], taps[1], camLow), xs};
        });
        for (NDArray a : out) {
            if (a.getManager() != x.getManager()) {
                a.attach(x.getManager());
            }
        }
        return new PcmParts(out[0], out[1], out[2], out[3]);
    }

    /** What {@link #pcmParts} returns; each N×·×h×w at stride 8. */
    public record PcmParts(NDArray camLow, NDArray camNorm, NDArray embedding, NDArray image) implements AutoCloseable {
        @Override
        public void close() {
            camLow.close();
            camNorm.close();
            embedding.close();
            image.close();
        }
    }

    /** Basic pre-activation unit (§1.1): shortcut is the raw input when shapes match, else conv1×1 of {@code a}. */
    private NDArray basic(Unit u, NDArray x, NDArray a, Pass pass) {
        String p = u.name + ".";
        NDArray shortcut = u.convShortcut() ? conv(a, p + "conv_branch1", u.stride, 0, 1) : x;
        NDArray r = conv(a, p + "conv_branch2a", u.stride, u.firstDilation, u.firstDilation);
        r = bnRelu(r, p + "bn_branch2b1", pass);
        r = conv(r, p + "conv_branch2b1", 1, u.dilation, u.dilation);
        return shortcut.add(r);
    }

    /** Bottleneck pre-activation unit (§1.1) with Dropout2d after each inner BN/ReLU while training. */
    private NDArray bottleneck(Unit u, NDArray x, NDArray a, Pass pass) {
        String p = u.name + ".";
        NDArray shortcut = conv(a, p + "conv_branch1", u.stride, 0, 1);
        NDArray r = conv(a, p + "conv_branch2a", u.stride, 0, 1);
        r = bnRelu(r, p + "bn_branch2b1", pass);
        if (pass.training()) {
            r = dropout2d(r, u.dropout);
        }
        r = conv(r, p + "conv_branch2b1", 1, u.dilation, u.dilation);
        r = bnRelu(r, p + "bn_branch2b2", pass);
        if (pass.training()) {
            r = dropout2d(r, u.dropout);
        }
        r = conv(r, p + "conv_branch2b2", 1, 0, 1);
        return shortcut.add(r);
    }

    private NDArray conv(NDArray in, String name, int stride, int padding, int dilation) {
        // The input needs a gradient only while autograd records and something below this layer trains: never for
        // conv1a (it reads the image), nor inside the frozen early stages (everything below them is frozen too).
        boolean inputGradient = JniUtils.isGradMode() && !name.equals("conv1a") && !isEarlyFrozen(name);
        return conv2d(in, params.get(name + ".weight"), stride, padding, dilation, inputGradient);
    }

    /**
     * A square convolution without bias. When {@code inputGradient} is set and the weight is k×k (k > 1) with fewer
     * than {@link #SAFE_GRADIENT_CHANNELS} output channels, it runs with zero output channels added up to that count
     * and keeps the real ones: libtorch computes the input gradient of the narrow convolution wrongly
     * (NarrowConvGradientTest). The zero rows get gradients of their own, which nothing reads.
     */
    static NDArray conv2d(NDArray in, NDArray w, int stride, int padding, int dilation, boolean inputGradient) {
        Shape ws = w.getShape();
        long out = ws.get(0);
        Shape st = new Shape(stride, stride);
        Shape pad = new Shape(padding, padding);
        Shape dil = new Shape(dilation, dilation);
        if (inputGradient && out < SAFE_GRADIENT_CHANNELS && ws.get(2) * ws.get(3) > 1) {
            NDArray zeros = in.getManager().zeros(new Shape(SAFE_GRADIENT_CHANNELS - out, ws.get(1), ws.get(2), ws.get(3)),
                    w.getDataType());
            NDArray wide = Conv2d.conv2d(in, w.concat(zeros, 0), null, st, pad, dil, 1).singletonOrThrow();
            return wide.get(new NDIndex(":, :" + out));
        }
        return Conv2d.conv2d(in, w, null, st, pad, dil, 1).singletonOrThrow();
    }

    private NDArray bnRelu(NDArray in, String name, Pass pass) {
        NDArray gamma = params.get(name + ".weight");
        boolean batchStats = pass.training() && config.bnMode() == BatchNormMode.TRAIN && !isEarlyFrozen(name);
        // Axis -1 makes DJL call libtorch's batch_norm directly (channel axis 1); other axes take a transposing path.
        NDArray mean = params.get(name + ".running_mean");
        NDArray var = params.get(name + ".running_var");
        if (batchStats && !pass.updateRunningStats()) { // libtorch updates what it is given: give it throwaway copies
            mean = mean.duplicate();
            var = var.duplicate();
        }
        NDArray y = BatchNorm.batchNorm(in, mean, var,
                gamma, params.get(name + ".bias"), -1, DJL_BN_MOMENTUM, BN_EPS, batchStats).singletonOrThrow();
        return Activation.relu(y);
    }

    private NDArray dropout2d(NDArray in, double p) {
        return dropout2d(in, p, dropoutRandom);
    }

    /** Channel dropout (PyTorch Dropout2d): whole channels zeroed with probability p, survivors scaled by 1/(1−p). */
    static NDArray dropout2d(NDArray in, double p, SplittableRandom random) {
        Shape s = in.getShape();
        int n = Math.toIntExact(s.get(0));
        int c = Math.toIntExact(s.get(1));
        float keep = (float) (1.0 / (1.0 - p));
        float[] mask = new float[n * c];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextDouble() < p ? 0f : keep;
        }
        // libtorch-owned: the product's backward reads the mask after this array is closed.
        try (NDArray m = OwnedArrays.copyOf(in.getManager(), mask, new Shape(n, c, 1, 1))) {
            return in.mul(m);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Construction

    private static List<Unit> buildUnits(BackboneConfig b) {
        List<Unit> list = new ArrayList<>();
        int[][] basicStages = {
            // stage, reference in, reference mid, reference out, stride of the first unit
            {2, 64, 128, 128, 2},
            {3, 128, 256, 256, 2},
            {4, 256, 512, 512, 2},
            {5, 512, 512, 1024, 1},
        };
        for (int[] st : basicStages) {
            int stage = st[0];
            int in = b.channels(st[1]);
            int mid = b.channels(st[2]);
            int out = b.channels(st[3]);
            for (int i = 0; i < b.units(stage); i++) {
                String name = i == 0 ? "b" + stage : "b" + stage + "_" + i;
                int stride = i == 0 ? st[4] : 1;
                // b5 is dilated (first dilation 1, then 2) to keep the output stride at 8.
                int firstDilation = stage == 5 && i > 0 ? 2 : 1;
                int dilation = stage == 5 ? 2 : 1;
                list.add(new Unit(name, false, i == 0 ? in : out, mid, out, stride, firstDilation, dilation, 0.0));
            }
        }
        list.add(new Unit("b6", true, b.channels(1024), 0, b.channels(2048), 1, 4, 4, 0.3));
        list.add(new Unit("b7", true, b.channels(2048), 0, b.channels(4096), 1, 4, 4, 0.5));
        return List.copyOf(list);
    }

    /** Creates every tensor in the reference state dict's order (module registration order). */
    private void createParams(long seed) {
        BackboneConfig b = config.backbone();
        heConv(seed, "conv1a.weight", b.channels(64), 3, 3);
        for (Unit u : units) {
            String p = u.name + ".";
            batchNorm(p + "bn_branch2a", u.in);
            if (u.bottleneck) {
                heConv(seed, p + "conv_branch2a.weight", u.out / 4, u.in, 1);
                batchNorm(p + "bn_branch2b1", u.out / 4);
                heConv(seed, p + "conv_branch2b1.weight", u.out / 2, u.out / 4, 3);
                batchNorm(p + "bn_branch2b2", u.out / 2);
                heConv(seed, p + "conv_branch2b2.weight", u.out, u.out / 2, 1);
            } else {
                heConv(seed, p + "conv_branch2a.weight", u.mid, u.in, 3);
                batchNorm(p + "bn_branch2b1", u.mid);
                heConv(seed, p + "conv_branch2b1.weight", u.out, u.mid, 3);
            }
            if (u.convShortcut()) {
                heConv(seed, p + "conv_branch1.weight", u.out, u.in, 1);
            }
        }
        int feat = b.channels(4096);
        batchNorm("bn7", feat);
        addHead("fc8.weight", new Shape(config.classes(), feat, 1, 1),
                xavierUniform(seed, "fc8.weight", config.classes(), feat, 1.0));
        if (config.method() == Method.SEAM) {
            int c4 = b.channels(512);
            int c5 = b.channels(1024);
            addHead("f8_3.weight", new Shape(config.f83Channels(), c4, 1, 1),
                    kaimingNormal(seed, "f8_3.weight", config.f83Channels(), c4));
            addHead("f8_4.weight", new Shape(config.f84Channels(), c5, 1, 1),
                    kaimingNormal(seed, "f8_4.weight", config.f84Channels(), c5));
            addHead("f9.weight", new Shape(config.f9Channels(), config.f9InputChannels(), 1, 1),
                    xavierUniform(seed, "f9.weight", config.f9Channels(), config.f9InputChannels(), 4.0));
        }
    }

    /** Reference freezing: BatchNorm γ/β in {@link BatchNormMode#FROZEN}; conv1a and b2* with {@code freezeEarly}. */
    private void applyFreezing() {
        if (config.bnMode() == BatchNormMode.FROZEN) {
            params.setTrainable(name -> name.contains(".bn") || name.startsWith("bn"), false);
        }
        if (config.freezeEarly()) {
            params.setTrainable(SeamNetwork::isEarly, false);
        }
    }

    /** Whether a parameter (or BN prefix) belongs to the early layers the reference never trains: conv1a, b2, b2_*. */
    private static boolean isEarly(String name) {
        return name.startsWith("conv1a.") || name.startsWith("b2.") || name.startsWith("b2_");
    }

    /** Whether a parameter (or BN prefix) is early and this configuration freezes the early layers. */
    private boolean isEarlyFrozen(String name) {
        return config.freezeEarly() && isEarly(name);
    }

    private void heConv(long seed, String name, int out, int in, int k) {
        params.add(name, new Shape(out, in, k, k), kaimingNormal(seed, name, out, in * k * k), Group.BACKBONE,
                Kind.WEIGHT, true);
    }

    private void batchNorm(String prefix, int channels) {
        Shape shape = new Shape(channels);
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        params.add(prefix + ".weight", shape, ones.clone(), Group.BACKBONE, Kind.WEIGHT, true);
        params.add(prefix + ".bias", shape, new float[channels], Group.BACKBONE, Kind.WEIGHT, true);
        params.add(prefix + ".running_mean", shape, new float[channels], Group.BACKBONE, Kind.BUFFER, false);
        params.add(prefix + ".running_var", shape, ones, Group.BACKBONE, Kind.BUFFER, false);
    }

    private void addHead(String name, Shape shape, float[] values) {
        params.add(name, shape, values, Group.HEAD, Kind.WEIGHT, true);
    }

    /** Kaiming normal, fan-in mode, gain √2: N(0, 2/fanIn); {@code count} = out channels, fan-in = in·kh·kw. */
    private static float[] kaimingNormal(long seed, String name, int outChannels, int fanIn) {
        SplittableRandom r = new SplittableRandom(streamSeed(seed, name));
        double std = Math.sqrt(2.0 / fanIn);
        float[] v = new float[Math.multiplyExact(outChannels, fanIn)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }

    /** Xavier uniform for a 1×1 conv: U(−a, a) with {@code a = gain·√(6/(fanIn + fanOut))}. */
    private static float[] xavierUniform(long seed, String name, int fanOut, int fanIn, double gain) {
        SplittableRandom r = new SplittableRandom(streamSeed(seed, name));
        double bound = gain * Math.sqrt(6.0 / (fanIn + fanOut));
        float[] v = new float[Math.multiplyExact(fanOut, fanIn)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble(-bound, bound);
        }
        return v;
    }

    /** A seed for one named stream: the network seed mixed with a stable (UTF-8 FNV-1a) hash of the name. */
    private static long streamSeed(long seed, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte c : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (c & 0xff)) * 0x100000001b3L;
        }
        return seed * 0x9E3779B97F4A7C15L + h;
    }
}
