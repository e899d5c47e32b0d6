package ai.seamstream.torch.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The pixel correlation module: its normalised CAM input (SEAM-METHOD §1.3 step 2) and the affinity-weighted
 * revision of that CAM (SEAM-METHOD §1.4).
 */
public final class Pcm {
    /** The ε of every normalisation in §1.3 and §1.4. */
    static final float EPS = 1e-5f;

    private Pcm() {
    }

    /**
     * The PCM input ĉ from raw stride-8 scores (N×(C+1)×h×w), without gradient (SEAM-METHOD §1.3 step 2):
     * {@code c = ReLU(cam)}, {@code ĉ_k = ReLU(c_k − 1e-5)/(max c_k + 1e-5)} per sample and channel, then
     * {@code ĉ_0 = 1 − max_{k≥1} ĉ_k} and every foreground {@code ĉ_k} below the per-pixel foreground maximum zeroed
     * (ties kept). All classes take part, not only the image's labels.
     *
     * @throws IllegalArgumentException if {@code cam} is not 4-D with at least two channels
     */
    public static NDArray pcmInput(NDArray cam) {
        Shape s = cam.getShape();
        if (s.dimension() != 4 || s.get(1) < 2) {
            throw new IllegalArgumentException("PCM input expects N×(C+1)×h×w scores with C ≥ 1, got shape " + s);
        }
        long n = s.get(0);
        long k = s.get(1);
        return TensorScope.compute(() -> {
            NDArray c = Activation.relu(cam.stopGradient());
            NDArray max = c.reshape(n, k, -1).max(new int[] {2}, true).reshape(n, k, 1, 1).add(EPS);
            NDArray norm = Activation.relu(c.sub(EPS)).div(max);
            NDArray fg = norm.get(new NDIndex(":, 1:, :, :"));
            NDArray fgMax = fg.max(new int[] {1}, true);
            NDArray background = fgMax.neg().add(1f);
            NDArray winners = NDArrays.where(fg.gte(fgMax), fg, fg.zerosLike());
            return background.concat(winners, 1);
        });
    }

    /**
     * The column-normalised affinity Â (N×P×P, P = h·w) of an embedding {@code e = f9(f)} (N×D×h×w), SEAM-METHOD §1.4:
     * {@code e_i ← e_i/(‖e_i‖₂ + 1e-5)}, {@code A_ij = ReLU(e_iᵀe_j)}, {@code Â_ij = A_ij/(Σ_i A_ij + 1e-5)}.
     * Quadratic in P; {@link #revise} never builds it whole when chunked.
     *
     * @throws IllegalArgumentException if {@code embedding} is not 4-D
     */
    public static NDArray affinity(NDArray embedding) {
        checkEmbedding(embedding);
        return TensorScope.compute(() -> {
            NDArray e = normalisedColumns(embedding);
            return affinityColumns(e.transpose(0, 2, 1), e);
        });
    }

    /** {@link #revise(NDArray, NDArray, int)} in one piece. */
    public static NDArray revise(NDArray camNorm, NDArray embedding) {
        checkEmbedding(embedding);
        Shape s = embedding.getShape();
        return revise(camNorm, embedding, Math.toIntExact(s.get(2) * s.get(3)));
    }

    /**
     * The revised CAM {@code cam_rv = ĉ · Â} (SEAM-METHOD §1.4) of the PCM input ĉ (N×K×h×w) and the raw embedding
     * {@code f9(f)} (N×D×h×w), computing Â at most {@code chunk} columns at a time; every column of Â is normalised on
     * its own, so the chunked result equals the unchunked product. Gradients reach only the embedding (ĉ carries
     * none by construction).
     *
     * @throws IllegalArgumentException if the shapes disagree or {@code chunk} is not positive
     */
    public static NDArray revise(NDArray camNorm, NDArray embedding, int chunk) {
        checkEmbedding(embedding);
        Shape es = embedding.getShape();
        Shape cs = camNorm.getShape();
        if (cs.dimension() != 4 || cs.get(0) != es.get(0) || cs.get(2) != es.get(2) || cs.get(3) != es.get(3)) {
            throw new IllegalArgumentException("PCM needs ĉ (N×K×h×w) and the embedding (N×D×h×w) at one size, got "
                    + cs + " and " + es);
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("PCM chunk must be at least 1 column, got " + chunk);
        }
        long n = cs.get(0);
        long k = cs.get(1);
        long h = cs.get(2);
        long w = cs.get(3);
        long p = h * w;
        return TensorScope.compute(() -> {
            // The reference first resizes ĉ to the feature size; both are the stride-8 size here, so that is the identity.
            NDArray c = camNorm.reshape(n, k, p);
            NDArray e = normalisedColumns(embedding);
            NDArray eT = e.transpose(0, 2, 1);
            if (p <= chunk) {
                return c.matMul(affinityColumns(eT, e)).reshape(n, k, h, w);
            }
            NDList parts = new NDList();
            for (long j0 = 0; j0 < p; j0 += chunk) {
                long j1 = Math.min(p, j0 + chunk);
                long from = j0;
                // each slab's affinity is freed before the next is made: chunking exists to bound that memory
                parts.add(TensorScope.compute(() -> c.matMul(affinityColumns(eT, e.get(new NDIndex(":, :, {}:{}", from, j1))))));
            }
            return NDArrays.concat(parts, 2).reshape(n, k, h, w);
        });
    }

    /** The embedding as N×D×P with every pixel's vector divided by its L2 norm + 1e-5. */
    private static NDArray normalisedColumns(NDArray embedding) {
        Shape s = embedding.getShape();
        NDArray e = embedding.reshape(s.get(0), s.get(1), s.get(2) * s.get(3));
        return e.div(e.norm(new int[] {1}, true).add(EPS));
    }

    /** Columns J of Â: {@code ReLU(eᵀ e_J)} divided by its column sums + 1e-5 (N×P×|J|). */
    private static NDArray affinityColumns(NDArray eT, NDArray eJ) {
        NDArray a = Activation.relu(eT.matMul(eJ));
        return a.div(a.sum(new int[] {1}, true).add(EPS));
    }

    private static void checkEmbedding(NDArray embedding) {
        if (embedding.getShape().dimension() != 4) {
            throw new IllegalArgumentException("PCM embedding must be N×D×h×w, got shape " + embedding.getShape());
        }
    }
}
