package ai.seamstream.core.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ONNX Runtime session over one float32 input: opens the model on the CUDA execution provider when asked and
 * available (else on the CPU, said in one log line), with fixed thread counts, and runs batches as plain arrays.
 * Runs may come from several threads at once (ONNX Runtime sessions are thread-safe); closing frees the session.
 */
public final class OnnxSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxSession.class);

    /**
     * How to open a session.
     *
     * @param intraOpThreads threads inside one operator (0 = ONNX Runtime's default, one per core)
     * @param interOpThreads threads across independent operators (0 = default)
     * @param cuda           use the CUDA execution provider if this ONNX Runtime build and machine have it
     * @param cudaDevice     the CUDA device index
     * @param spinWait       whether idle intra-op threads spin (ONNX Runtime's default) rather than sleep: spinning
     *                       shaves latency on a dedicated machine and steals cores from everything else on a shared one
     */
    public record Settings(int intraOpThreads, int interOpThreads, boolean cuda, int cudaDevice, boolean spinWait) {
        public Settings {
            if (intraOpThreads < 0 || interOpThreads < 0 || cudaDevice < 0) {
                throw new IllegalArgumentException("thread counts and device index must not be negative, got intra "
                        + intraOpThreads + ", inter " + interOpThreads + ", device " + cudaDevice);
            }
        }

        /** CPU only, {@code threads} intra-op threads, one inter-op thread, no spinning. */
        public static Settings cpu(int threads) {
            return new Settings(threads, 1, false, 0, false);
        }

        /** CUDA when available (device 0), else CPU with {@code threads} intra-op threads, no spinning. */
        public static Settings preferCuda(int threads) {
            return new Settings(threads, 1, true, 0, false);
        }
    }

    /** One output tensor as a flat row-major array and its shape. */
    public record Output(long[] shape, float[] data) {
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String provider;

    private OnnxSession(OrtEnvironment env, OrtSession session, String provider) {
        this.env = env;
        this.session = session;
        this.provider = provider;
    }

    /**
     * Opens a session on the serialised model {@code model}; {@code name} only labels log lines and errors.
     *
     * @throws OrtException if ONNX Runtime cannot parse or initialise the model
     */
    public static OnnxSession open(byte[] model, Settings settings, String name) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (settings.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(settings.intraOpThreads());
            }
            if (settings.interOpThreads() > 0) {
                options.setInterOpNumThreads(settings.interOpThreads());
            }
            options.addConfigEntry("session.intra_op.allow_spinning", settings.spinWait() ? "1" : "0");
            options.addConfigEntry("session.inter_op.allow_spinning", settings.spinWait() ? "1" : "0");
            String provider = "CPU";
            EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
            if (settings.cuda() && available.contains(OrtProvider.CUDA)) {
                try {
                    options.addCUDA(settings.cudaDevice());
                    provider = "CUDA:" + settings.cudaDevice();
                } catch (OrtException e) {
                    LOG.warn("onnx: model {} asked for CUDA device {}, which failed to start ({}); running on CPU with {} threads",
                            name, settings.cudaDevice(), e.getMessage(), threadsText(settings));
                }
            }
            if (provider.equals("CPU")) {
                LOG.info("onnx: model {} runs on CPU with {} intra-op threads{}", name, threadsText(settings),
                        settings.cuda() && !available.contains(OrtProvider.CUDA)
                                ? " (CUDA asked for, but this ONNX Runtime has no CUDA provider; build with -Pgpu)" : "");
            } else {
                LOG.info("onnx: model {} runs on {}", name, provider);
            }
            return new OnnxSession(env, env.createSession(model, options), provider);
        }
    }

    private static String threadsText(Settings s) {
        return s.intraOpThreads() == 0 ? "default" : Integer.toString(s.intraOpThreads());
    }

    /** {@code CPU} or {@code CUDA:<device>}. */
    public String provider() {
        return provider;
    }

    /** The graph's inputs by name. */
    public Map<String, NodeInfo> inputs() throws OrtException {
        return session.getInputInfo();
    }

    /** The graph's outputs by name. */
    public Map<String, NodeInfo> outputs() throws OrtException {
        return session.getOutputInfo();
    }

    /**
     * Runs the graph on one float32 input and returns the asked outputs in the order asked.
     *
     * @throws IllegalArgumentException if {@code data} does not hold {@code shape}'s element count
     * @throws OrtException             if ONNX Runtime fails
     */
    public Map<String, Output> run(String input, float[] data, long[] shape, Set<String> outputs) throws OrtException {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("input of shape " + java.util.Arrays.toString(shape) + " needs " + count
                    + " values, got " + data.length);
        }
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
             OrtSession.Result result = session.run(Map.of(input, x), outputs)) {
            Map<String, Output> out = new LinkedHashMap<>();
            for (String name : outputs) {
                OnnxValue v = result.get(name).orElseThrow(() -> new IllegalStateException("output " + name + " missing"));
                OnnxTensor t = (OnnxTensor) v;
                FloatBuffer fb = t.getFloatBuffer();
                float[] a = new float[fb.remaining()];
                fb.get(a);
                out.put(name, new Output(((TensorInfo) t.getInfo()).getShape(), a));
            }
            return out;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
