package ai.seamstream.torch.export;

import ai.onnx.proto.OnnxMl;
import ai.seamstream.core.model.ModelFiles;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.model.ModelManifest.InputContract;
import ai.seamstream.core.model.ModelManifest.Provenance;
import ai.seamstream.core.model.ModelManifest.TensorSpec;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.torch.checkpoint.CheckpointManifest;
import ai.seamstream.torch.export.GraphBuilder.Attr;
import ai.seamstream.torch.net.NetConfig;
import ai.seamstream.torch.net.SeamNetwork;
import ai.seamstream.torch.train.TrainingRun;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link SeamNetwork}'s inference forward (SEAM-METHOD §1.3, §1.4) as one ONNX graph with dynamic batch,
 * height and width, plus its {@link ModelManifest}.
 *
 * <p>The graph: input {@code image} (N×3×H×W, normalised); outputs {@code cam} (raw fc8 scores at stride 8),
 * {@code scores} (the mean of the CAM bilinearly up-sampled to H×W, align_corners, i.e. the GAP class scores) and,
 * for a SEAM network, {@code cam_rv} (the PCM-revised CAM up-sampled to H×W, align_corners). Every resize inside
 * the network is align_corners=true, written as ONNX {@code Resize} with
 * {@code coordinate_transformation_mode=align_corners}, whose formula is PyTorch's. BatchNorm stays a node with
 * the running statistics (ONNX Runtime folds it into the preceding convolution where it can). The PCM computes
 * {@code ĉ·Â} as {@code (ĉ·A) / (1ᵀA + 1e-5)}: the same value column by column as normalising A first, with one
 * P×P array alive instead of two.
 */
public final class OnnxExporter {
    /** The default opset: 17, the newest whose reductions still take axes as attributes. */
    public static final int DEFAULT_OPSET = 17;
    /** Opsets the writer knows how to spell (Resize 13+, GreaterOrEqual 12+). */
    public static final int MIN_OPSET = 13;
    public static final int MAX_OPSET = 21;
    /** ε of the PCM input normalisation and of the affinity normalisation (SEAM-METHOD §1.3, §1.4). */
    private static final float EPS = 1e-5f;
    /** Uncertainty threshold recorded in the contract (the labeler's default). */
    public static final double DEFAULT_UNCERTAIN_THRESHOLD = 0.5;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private OnnxExporter() {
    }

    /**
     * Exports a loaded checkpoint into {@code outDir} ({@code model.onnx} and {@code model.json}); contract and
     * classes come from its manifest.
     */
    public static ModelManifest export(Checkpoint.Loaded loaded, Path outDir, int opset) throws IOException {
        CheckpointManifest m = loaded.manifest();
        var inf = m.inference();
        var contract = new InputContract(decimal(inf.mean()), decimal(inf.std()), inf.scales(), inf.flip(),
                inf.backgroundThreshold(), DEFAULT_UNCERTAIN_THRESHOLD);
        var provenance = new Provenance(m.id(), m.weightsSha256(), m.parent(), Instant.now().toString(), TrainingRun.codeVersion());
        return export(loaded.network(), m.id(), m.classes(), contract, provenance, outDir, opset);
    }

    /**
     * Exports a network with the given vocabulary, contract and provenance into {@code outDir}.
     *
     * @throws IllegalArgumentException if the opset is outside {@link #MIN_OPSET}..{@link #MAX_OPSET} or the classes
     *                                  do not match the network
     */
    public static ModelManifest export(SeamNetwork net, String id, List<String> classes, InputContract contract,
                                       Provenance provenance, Path outDir, int opset) throws IOException {
        if (classes.size() != net.config().classes()) {
            throw new IllegalArgumentException("the network has " + net.config().classes() + " outputs, the vocabulary "
                    + classes.size() + " classes");
        }
        byte[] model = toOnnx(net, opset, id);
        Files.createDirectories(outDir);
        String onnxName = "model.onnx";
        writeAtomically(outDir.resolve(onnxName), model);
        int k = classes.size();
        List<TensorSpec> outputs = new ArrayList<>();
        if (net.config().method() == NetConfig.Method.SEAM) {
            outputs.add(new TensorSpec(ModelManifest.CAM_RV, "float32", List.of("batch", Integer.toString(k), "height", "width")));
        }
        outputs.add(new TensorSpec(ModelManifest.CAM, "float32", List.of("batch", Integer.toString(k), "cam_height", "cam_width")));
        outputs.add(new TensorSpec(ModelManifest.SCORES, "float32", List.of("batch", Integer.toString(k))));
        var manifest = new ModelManifest(ModelManifest.FORMAT, id, classes, net.config().method().name(), onnxName,
                ModelFiles.sha256(model), opset,
                List.of(new TensorSpec(ModelManifest.INPUT, "float32", List.of("batch", "3", "height", "width"))),
                outputs, contract, provenance);
        writeAtomically(outDir.resolve(ModelManifest.FILE), JSON.writeValueAsBytes(manifest));
        return manifest;
    }

    /** The serialised ONNX model of a network's inference forward. */
    public static byte[] toOnnx(SeamNetwork net, int opset, String name) {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("opset must be in " + MIN_OPSET + ".." + MAX_OPSET + ", got " + opset);
        }
        var g = new GraphBuilder(name == null ? "seam" : name, opset);
        new Writer(net, g).write();
        var model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(irVersion(opset))
                .setProducerName("seamstream")
                .setProducerVersion(TrainingRun.codeVersion())
                .setDomain("ai.seamstream")
                .setDocString("SEAM inference forward: image -> cam_rv, cam, scores (SEAM-METHOD §1.3)")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(g.build())
                .build();
        return model.toByteArray();
    }

    /** The IR version that came with an opset (ONNX 1.8: IR 7/opset 13; 1.10-1.13: IR 8; 1.14-1.15: IR 9; 1.16: IR 10). */
    static long irVersion(int opset) {
        if (opset <= 13) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }

    /** Walks the network in the order {@link SeamNetwork} runs it. */
    static final class Writer {
        private final SeamNetwork net;
        private final GraphBuilder g;

        Writer(SeamNetwork net, GraphBuilder g) {
            this.net = net;
            this.g = g;
        }

        void write() {
            NetConfig cfg = net.config();
            int k = cfg.classes();
            String x = ModelManifest.INPUT;
            g.input(GraphBuilder.floatTensor(x, "batch", 3, "height", "width"));
            String[] taps = backbone(x);
            String conv4 = taps[0];
            String conv5 = taps[1];
            String conv6 = taps[2];
            String camLow = conv(conv6, "fc8", 1, 1, 0, 1);
            g.node("Identity", List.of(camLow), ModelManifest.CAM);
            String shapeX = g.op("Shape", List.of(x));
            String shapeCam = g.op("Shape", List.of(camLow));
            // N, K from the CAM and H, W from the image: the input-size target of both up-sampling resizes.
            String sizesUp = g.op("Concat", List.of(g.slice(shapeCam, 0, 0, 2), g.slice(shapeX, 0, 2, 4)), Attr.i("axis", 0));
            String camUp = resizeAlignCorners(camLow, sizesUp);
            g.node("Identity", List.of(g.reduce("ReduceMean", camUp, false, 2, 3)), ModelManifest.SCORES);
            if (cfg.method() == NetConfig.Method.SEAM) {
                String camNorm = pcmInput(camLow);
                String f83 = g.op("Relu", List.of(conv(conv4, "f8_3", 1, 1, 0, 1)));
                String f84 = g.op("Relu", List.of(conv(conv5, "f8_4", 1, 1, 0, 1)));
                String sizesDown = g.op("Concat", List.of(g.slice(shapeX, 0, 0, 2), g.slice(shapeCam, 0, 2, 4)), Attr.i("axis", 0));
                String xs = resizeAlignCorners(x, sizesDown);
                String f = g.op("Concat", List.of(xs, f83, f84), Attr.i("axis", 1));
                String embedding = conv(f, "f9", 1, 1, 0, 1);
                String revised = g.op("Reshape", List.of(revise(camNorm, embedding), shapeCam));
                g.node("Identity", List.of(resizeAlignCorners(revised, sizesUp)), ModelManifest.CAM_RV);
                g.output(GraphBuilder.floatTensor(ModelManifest.CAM_RV, "batch", k, "height", "width"));
            }
            g.output(GraphBuilder.floatTensor(ModelManifest.CAM, "batch", k, "cam_height", "cam_width"));
            g.output(GraphBuilder.floatTensor(ModelManifest.SCORES, "batch", k));
        }

        /**
         * The backbone on input {@code x}: its taps conv4 and conv5 (b5's and b6's BN-ReLU inputs) and conv6
         * (ReLU(BN7)), as {@link SeamNetwork#backbone} returns them.
         */
        String[] backbone(String x) {
            String h = conv(x, "conv1a", 3, 1, 1, 1);
            String conv4 = null;
            String conv5 = null;
            for (SeamNetwork.Unit u : net.units()) {
                String a = bnRelu(h, u.name() + ".bn_branch2a");
                if (u.name().equals("b5")) {
                    conv4 = a;
                } else if (u.name().equals("b6")) {
                    conv5 = a;
                }
                h = u.bottleneck() ? bottleneck(u, h, a) : basic(u, h, a);
            }
            return new String[] {conv4, conv5, bnRelu(h, "bn7")};
        }

        /** SEAM-METHOD §1.3 step 2: the normalised, winner-only PCM input ĉ. */
        private String pcmInput(String camLow) {
            String eps = g.scalar("eps", EPS);
            String c = g.op("Relu", List.of(camLow));
            String max = g.op("Add", List.of(g.reduce("ReduceMax", c, true, 2, 3), eps));
            String norm = g.op("Div", List.of(g.op("Relu", List.of(g.op("Sub", List.of(c, eps)))), max));
            String fg = g.slice(norm, 1, 1, Long.MAX_VALUE);
            String fgMax = g.reduce("ReduceMax", fg, true, 1);
            String background = g.op("Sub", List.of(g.scalar("one", 1f), fgMax));
            String winners = g.op("Where", List.of(g.op("GreaterOrEqual", List.of(fg, fgMax)), fg, g.scalar("zero", 0f)));
            return g.op("Concat", List.of(background, winners), Attr.i("axis", 1));
        }

        /** SEAM-METHOD §1.4: {@code cam_rv = ĉ·Â}, returned flat as N×K×P. */
        private String revise(String camNorm, String embedding) {
            String eps = g.scalar("eps", EPS);
            String flat = g.int64s("shape_flat", 0, 0, -1);
            String e = g.op("Reshape", List.of(embedding, flat));
            e = g.op("Div", List.of(e, g.op("Add", List.of(g.reduce("ReduceL2", e, true, 1), eps))));
            String eT = g.op("Transpose", List.of(e), Attr.ints("perm", 0, 2, 1));
            String affinity = g.op("Relu", List.of(g.op("MatMul", List.of(eT, e))));
            String columnSums = g.op("Add", List.of(g.reduce("ReduceSum", affinity, true, 1), eps));
            String c = g.op("Reshape", List.of(camNorm, flat));
            return g.op("Div", List.of(g.op("MatMul", List.of(c, affinity)), columnSums));
        }

        private String resizeAlignCorners(String input, String sizes) {
            return g.op("Resize", List.of(input, "", "", sizes), Attr.s("mode", "linear"),
                    Attr.s("coordinate_transformation_mode", "align_corners"));
        }

        private String basic(SeamNetwork.Unit u, String x, String a) {
            String p = u.name() + ".";
            String shortcut = u.convShortcut() ? conv(a, p + "conv_branch1", 1, u.stride(), 0, 1) : x;
            String r = conv(a, p + "conv_branch2a", 3, u.stride(), u.firstDilation(), u.firstDilation());
            r = bnRelu(r, p + "bn_branch2b1");
            r = conv(r, p + "conv_branch2b1", 3, 1, u.dilation(), u.dilation());
            return g.op("Add", List.of(shortcut, r));
        }

        private String bottleneck(SeamNetwork.Unit u, String x, String a) {
            String p = u.name() + ".";
            String shortcut = conv(a, p + "conv_branch1", 1, u.stride(), 0, 1);
            String r = conv(a, p + "conv_branch2a", 1, u.stride(), 0, 1);
            r = bnRelu(r, p + "bn_branch2b1");
            r = conv(r, p + "conv_branch2b1", 3, 1, u.dilation(), u.dilation());
            r = bnRelu(r, p + "bn_branch2b2");
            r = conv(r, p + "conv_branch2b2", 1, 1, 0, 1);
            return g.op("Add", List.of(shortcut, r));
        }

        String conv(String in, String name, int kernel, int stride, int pad, int dilation) {
            String w = weight(name + ".weight");
            return g.op("Conv", List.of(in, w), Attr.ints("kernel_shape", kernel, kernel), Attr.ints("strides", stride, stride),
                    Attr.ints("pads", pad, pad, pad, pad), Attr.ints("dilations", dilation, dilation), Attr.i("group", 1));
        }

        private String bnRelu(String in, String prefix) {
            String y = g.op("BatchNormalization", List.of(in, weight(prefix + ".weight"), weight(prefix + ".bias"),
                    weight(prefix + ".running_mean"), weight(prefix + ".running_var")), Attr.f("epsilon", EPS));
            return g.op("Relu", List.of(y));
        }

        /** The named parameter as an initialiser of the same name (once). */
        private String weight(String name) {
            var p = net.params().param(name);
            return g.floats(name, p.shape().getShape(), p.array().toFloatArray());
        }
    }

    static List<Double> decimal(List<Double> values) {
        // float-rounded statistics (0.48500001430511475) back to the decimal the float stands for (0.485)
        return values.stream().map(v -> Double.parseDouble(Float.toString(v.floatValue()))).toList();
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
