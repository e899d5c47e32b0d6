package ai.seamstream.core.weights;

import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.SafeTensors;
import ai.seamstream.core.tensor.TensorFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;

/** The weight file formats Seamstream reads, and how each is recognised from its first bytes. */
public enum WeightFormat {
    /** MXNet NDArray list ({@code mx.nd.save}, a checkpoint's {@code .params}). */
    PARAMS,
    /** PyTorch {@code torch.save} of a state dict, legacy or zip serialisation. */
    PTH,
    /** safetensors. */
    SAFETENSORS;

    /** The format's command-line word: params, pth, safetensors. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a command-line word; {@code auto} gives {@code null} (detect from the file).
     *
     * @throws IllegalArgumentException for any other word
     */
    public static WeightFormat parse(String word) {
        if (word.equals("auto")) {
            return null;
        }
        for (WeightFormat f : values()) {
            if (f.word().equals(word)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown weight format '" + word + "'; one of auto, params, pth, safetensors");
    }

    /**
     * Recognises a file by content, not by name: MXNet's list magic {@code 0x112}; a zip archive or a pickle
     * (PyTorch); an 8-byte header length followed by {@code {} (safetensors).
     *
     * @throws TensorFormatException if the file is none of them
     */
    public static WeightFormat detect(Path file) throws IOException {
        byte[] h;
        try (InputStream in = Files.newInputStream(file)) {
            h = in.readNBytes(9);
        }
        if (h.length >= 8 && le64(h) == MxnetParams.LIST_MAGIC) {
            return PARAMS;
        }
        if (h.length >= 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4) {
            return PTH;
        }
        if (h.length >= 2 && (h[0] & 0xFF) == 0x80 && h[1] >= 2 && h[1] <= 5) {
            return PTH;
        }
        if (h.length == 9 && h[8] == '{' && le64(h) > 1 && le64(h) <= Files.size(file) - 8) {
            return SAFETENSORS;
        }
        var sb = new StringBuilder();
        for (byte b : h) {
            sb.append(String.format("%02x ", b));
        }
        throw new TensorFormatException(file + ": not a weight file this reads (first bytes " + sb.toString().strip()
                + "); expected MXNet .params, a PyTorch .pth or safetensors");
    }

    /**
     * Reads a weight file; {@code format} null detects it. Safetensors tensors are reported as FLOAT32 whatever their
     * stored type (that reader widens F16, BF16 and F64 on the fly).
     *
     * @throws TensorFormatException naming the file when it is not valid in that format
     */
    public static WeightFile read(Path file, WeightFormat format) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file + ": no such weight file");
        }
        WeightFormat f = format != null ? format : detect(file);
        return switch (f) {
            case PARAMS -> MxnetParams.read(file);
            case PTH -> TorchPth.read(file);
            case SAFETENSORS -> {
                var c = SafeTensors.read(file);
                var dtypes = new LinkedHashMap<String, DType>();
                for (NamedTensor t : c.tensors()) {
                    dtypes.put(t.name(), DType.FLOAT32);
                }
                yield new WeightFile(SAFETENSORS, c.tensors(), dtypes);
            }
        };
    }

    private static long le64(byte[] h) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (h[i] & 0xFF);
        }
        return v;
    }
}
