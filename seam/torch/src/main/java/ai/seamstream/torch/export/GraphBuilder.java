package ai.seamstream.torch.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A small ONNX graph writer over the raw protobuf builders: nodes with generated output names, float and int64
 * initialisers, and the few attribute kinds the SEAM graph needs; reductions are spelled for the target opset
 * (axes moved from attribute to input in opset 18, ReduceSum's in 13).
 */
final class GraphBuilder {
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final int opset;
    private final Set<String> initializers = new HashSet<>();
    private int counter;

    GraphBuilder(String name, int opset) {
        this.opset = opset;
        graph.setName(name);
    }

    int opset() {
        return opset;
    }

    /** An attribute value; build with the static factories. */
    record Attr(AttributeProto proto) {
        static Attr ints(String name, long... values) {
            var b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long v : values) {
                b.addInts(v);
            }
            return new Attr(b.build());
        }

        static Attr i(String name, long value) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build());
        }

        static Attr f(String name, float value) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build());
        }

        static Attr s(String name, String value) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build());
        }
    }

    /** Adds a node with one output, named after the op and a counter; returns the output name. */
    String op(String type, List<String> inputs, Attr... attrs) {
        String out = type.toLowerCase() + "_" + (counter++);
        node(type, inputs, out, attrs);
        return out;
    }

    /** Adds a node with one output of a given name. */
    void node(String type, List<String> inputs, String output, Attr... attrs) {
        var b = NodeProto.newBuilder().setOpType(type).setName(output + "_node").addOutput(output);
        for (String in : inputs) {
            b.addInput(in);
        }
        for (Attr a : attrs) {
            b.addAttribute(a.proto());
        }
        graph.addNode(b);
    }

    /** A float32 initialiser (raw little-endian data); returns its name. */
    String floats(String name, long[] dims, float[] values) {
        checkNew(name);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        var t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** A float32 scalar initialiser (rank 0, broadcasts against anything), created once per name. */
    String scalar(String name, float value) {
        if (initializers.contains(name)) {
            return name;
        }
        return floats(name, new long[0], new float[] {value});
    }

    /** A 1-D int64 initialiser, created once per name. */
    String int64s(String name, long... values) {
        if (initializers.contains(name)) {
            return name;
        }
        checkNew(name);
        var t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber()).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return name;
    }

    /** {@code ReduceMax/ReduceMean/ReduceL2/ReduceSum} over {@code axes}, in the target opset's spelling. */
    String reduce(String type, String input, boolean keepDims, long... axes) {
        boolean axesAsInput = type.equals("ReduceSum") ? opset >= 13 : opset >= 18;
        Attr keep = Attr.i("keepdims", keepDims ? 1 : 0);
        if (axesAsInput) {
            String axesName = int64s("axes_" + join(axes), axes);
            return op(type, List.of(input, axesName), keep);
        }
        return op(type, List.of(input), Attr.ints("axes", axes), keep);
    }

    /** {@code data[start:end]} along {@code axis}. */
    String slice(String input, long axis, long start, long end) {
        String s = int64s("slice_start_" + start, start);
        String e = int64s("slice_end_" + (end == Long.MAX_VALUE ? "max" : Long.toString(end)), end);
        String a = int64s("slice_axis_" + axis, axis);
        return op("Slice", List.of(input, s, e, a));
    }

    /** Declares a float32 graph input or output; a null dimension name fixes that axis to {@code fixed[i]}. */
    static ValueInfoProto floatTensor(String name, Object... dims) {
        var shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            var dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        var type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape));
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    void input(ValueInfoProto v) {
        graph.addInput(v);
    }

    void output(ValueInfoProto v) {
        graph.addOutput(v);
    }

    GraphProto build() {
        return graph.build();
    }

    private void checkNew(String name) {
        if (!initializers.add(name)) {
            throw new IllegalArgumentException("initialiser '" + name + "' is defined twice");
        }
    }

    private static String join(long[] v) {
        var sb = new StringBuilder();
        for (long x : v) {
            sb.append(sb.length() == 0 ? "" : "_").append(x);
        }
        return sb.toString();
    }
}
