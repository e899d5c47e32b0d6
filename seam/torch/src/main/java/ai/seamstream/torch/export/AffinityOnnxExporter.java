package ai.seamstream.torch.export;

import ai.onnx.proto.OnnxMl;
import ai.seamstream.core.image.Normalization;
import ai.seamstream.core.model.AffinityManifest;
import ai.seamstream.core.model.ModelFiles;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.model.ModelManifest.TensorSpec;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.torch.affinity.AffinityCheckpoint;
import ai.seamstream.torch.affinity.AffinityNetwork;
import ai.seamstream.torch.export.GraphBuilder.Attr;
import ai.seamstream.torch.train.TrainingRun;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an {@link AffinityNetwork}'s feature forward ({@link AffinityNetwork#features} in evaluation mode) as one
 * ONNX graph with dynamic batch, height and width, plus its {@link AffinityManifest}: input {@code image}
 * (N×3×H×W, normalised), output {@code features} = ELU(f9(concat(ELU(f8_3(conv4)), ELU(f8_4(conv5)),
 * ELU(f8_5(conv6))))) at stride 8. The backbone is the same node sequence as {@link OnnxExporter}'s (BatchNorm nodes
 * with the running statistics); the heads are bias-free 1×1 convolutions and {@code Elu} (α 1).
 */
public final class AffinityOnnxExporter {
    /** The affinity sub-folder's name inside a SEAM model directory ({@code seam export --affinity}). */
    public static final String SUBFOLDER = "affinity";
    /** The backbone's output stride. */
    public static final int STRIDE = 8;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AffinityOnnxExporter() {
    }

    /**
     * Exports a loaded affinity checkpoint into {@code outDir} ({@code affinity.onnx} and {@code model.json}).
     *
     * @throws IllegalArgumentException if the opset is outside {@link OnnxExporter#MIN_OPSET}..{@link OnnxExporter#MAX_OPSET}
     */
    public static AffinityManifest export(AffinityCheckpoint.Loaded loaded, Path outDir, int opset) throws IOException {
        var m = loaded.manifest();
        String id = m.source().id() + "-affinity";
        var provenance = new ModelManifest.Provenance(m.source().id(), m.weightsSha256(), null, Instant.now().toString(),
                TrainingRun.codeVersion());
        return export(loaded.network(), id, m.source().classes(), m.radius(), provenance, outDir, opset);
    }

    /** Exports a network with the given vocabulary, training radius and provenance into {@code outDir}. */
    public static AffinityManifest export(AffinityNetwork net, String id, List<String> classes, int radius,
                                         ModelManifest.Provenance provenance, Path outDir, int opset) throws IOException {
        if (classes.size() != net.backbone().config().classes()) {
            throw new IllegalArgumentException("the backbone has " + net.backbone().config().classes() + " classes, the vocabulary "
                    + classes.size());
        }
        byte[] model = toOnnx(net, opset, id);
        Files.createDirectories(outDir);
        OnnxExporter.writeAtomically(outDir.resolve(AffinityManifest.ONNX_FILE), model);
        int c = net.heads().f9();
        Normalization n = Normalization.IMAGENET;
        var manifest = new AffinityManifest(AffinityManifest.FORMAT, id, classes, AffinityManifest.ONNX_FILE,
                ModelFiles.sha256(model), opset,
                List.of(new TensorSpec(AffinityManifest.INPUT, "float32", List.of("batch", "3", "height", "width"))),
                List.of(new TensorSpec(AffinityManifest.OUTPUT, "float32",
                        List.of("batch", Integer.toString(c), "feature_height", "feature_width"))),
                STRIDE, c, radius, new AffinityManifest.Contract(OnnxExporter.decimal(doubles(n.mean())),
                        OnnxExporter.decimal(doubles(n.std())), STRIDE), provenance);
        OnnxExporter.writeAtomically(outDir.resolve(AffinityManifest.FILE), JSON.writeValueAsBytes(manifest));
        return manifest;
    }

    /**
     * Exports the affinity network into the {@value #SUBFOLDER} sub-folder of an exported SEAM model directory and
     * records it in the SEAM model's manifest ({@code affinity}: folder and ONNX hash), so that a labeler loading the
     * model finds it.
     *
     * @throws IOException if the model directory is not an exported model or the classes differ
     */
    public static ModelManifest attach(AffinityCheckpoint.Loaded loaded, Path modelDir, int opset) throws IOException {
        var m = loaded.manifest();
        var provenance = new ModelManifest.Provenance(m.source().id(), m.weightsSha256(), null, Instant.now().toString(),
                TrainingRun.codeVersion());
        return attach(loaded.network(), m.source().id() + "-affinity", m.source().classes(), m.radius(), provenance, modelDir, opset);
    }

    /** {@link #attach(AffinityCheckpoint.Loaded, Path, int)} for a network in memory. */
    public static ModelManifest attach(AffinityNetwork net, String id, List<String> classes, int radius,
                                       ModelManifest.Provenance provenance, Path modelDir, int opset) throws IOException {
        ModelManifest seam = OnnxModel.readManifest(modelDir);
        if (!seam.classes().equals(classes)) {
            throw new IOException(modelDir + ": the model's classes " + seam.classes() + " differ from the affinity network's "
                    + classes);
        }
        AffinityManifest a = export(net, id, classes, radius, provenance, modelDir.resolve(SUBFOLDER), opset);
        ModelManifest out = seam.withAffinity(new ModelManifest.AffinityRef(SUBFOLDER, a.onnxSha256()));
        OnnxExporter.writeAtomically(modelDir.resolve(ModelManifest.FILE), JSON.writeValueAsBytes(out));
        return out;
    }

    /** The serialised ONNX model of the network's feature forward. */
    public static byte[] toOnnx(AffinityNetwork net, int opset, String name) {
        if (opset < OnnxExporter.MIN_OPSET || opset > OnnxExporter.MAX_OPSET) {
            throw new IllegalArgumentException("opset must be in " + OnnxExporter.MIN_OPSET + ".." + OnnxExporter.MAX_OPSET
                    + ", got " + opset);
        }
        var g = new GraphBuilder(name == null ? "affinity" : name, opset);
        var w = new OnnxExporter.Writer(net.backbone(), g);
        String x = AffinityManifest.INPUT;
        g.input(GraphBuilder.floatTensor(x, "batch", 3, "height", "width"));
        String[] taps = w.backbone(x);
        String p = AffinityNetwork.PREFIX;
        String a = elu(g, w.conv(taps[0], p + "f8_3", 1, 1, 0, 1));
        String b = elu(g, w.conv(taps[1], p + "f8_4", 1, 1, 0, 1));
        String c = elu(g, w.conv(taps[2], p + "f8_5", 1, 1, 0, 1));
        String cat = g.op("Concat", List.of(a, b, c), Attr.i("axis", 1));
        g.node("Elu", List.of(w.conv(cat, p + "f9", 1, 1, 0, 1)), AffinityManifest.OUTPUT, Attr.f("alpha", 1f));
        g.output(GraphBuilder.floatTensor(AffinityManifest.OUTPUT, "batch", net.heads().f9(), "feature_height", "feature_width"));
        var model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(OnnxExporter.irVersion(opset))
                .setProducerName("seamstream")
                .setProducerVersion(TrainingRun.codeVersion())
                .setDomain("ai.seamstream")
                .setDocString("AffinityNet feature forward: image -> features at stride 8 (SEAM-METHOD §5)")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(g.build())
                .build();
        return model.toByteArray();
    }

    private static String elu(GraphBuilder g, String in) {
        return g.op("Elu", List.of(in), Attr.f("alpha", 1f));
    }

    private static List<Double> doubles(float[] v) {
        List<Double> out = new ArrayList<>();
        for (float f : v) {
            out.add((double) f);
        }
        return out;
    }
}
