package ai.seamstream.core.refine;

/**
 * A square P×P matrix in compressed sparse column form: column j's entries are rows {@code rows[start[j] ..
 * start[j+1])} with values {@code values[...]}. Immutable once built.
 */
public final class SparseMatrix {
    private final int size;
    private final int[] start;
    private final int[] rows;
    private final float[] values;

    SparseMatrix(int size, int[] start, int[] rows, float[] values) {
        if (start.length != size + 1 || rows.length != values.length || start[size] != rows.length) {
            throw new IllegalArgumentException("inconsistent sparse matrix arrays");
        }
        this.size = size;
        this.start = start;
        this.rows = rows;
        this.values = values;
    }

    /** P, the number of rows and columns. */
    public int size() {
        return size;
    }

    /** Number of stored entries. */
    public int nonZeros() {
        return rows.length;
    }

    /** Entry (i, j), 0 where none is stored. */
    public float get(int i, int j) {
        for (int k = start[j]; k < start[j + 1]; k++) {
            if (rows[k] == i) {
                return values[k];
            }
        }
        return 0f;
    }

    /** Sum of column j. */
    public double columnSum(int j) {
        double s = 0;
        for (int k = start[j]; k < start[j + 1]; k++) {
            s += values[k];
        }
        return s;
    }

    /** A dense copy, row-major {@code [i*P + j]}: for tests and small matrices only. */
    public double[] toDense() {
        double[] d = new double[size * size];
        for (int j = 0; j < size; j++) {
            for (int k = start[j]; k < start[j + 1]; k++) {
                d[rows[k] * size + j] = values[k];
            }
        }
        return d;
    }

    /** A new matrix with each entry raised to the power β and each column then divided by its sum. */
    SparseMatrix powerColumnNormalized(double beta) {
        float[] v = new float[values.length];
        for (int j = 0; j < size; j++) {
            double s = 0;
            for (int k = start[j]; k < start[j + 1]; k++) {
                double p = Math.pow(values[k], beta);
                v[k] = (float) p;
                s += p;
            }
            if (!(s > 0)) {
                throw new IllegalArgumentException("column " + j + " has no positive entry after the power " + beta);
            }
            for (int k = start[j]; k < start[j + 1]; k++) {
                v[k] = (float) (v[k] / s);
            }
        }
        return new SparseMatrix(size, start, rows, v);
    }

    /**
     * Row vectors times the matrix: {@code out[r, j] = Σ_i in[r, i] · M[i, j]} for each of the {@code count} rows
     * (row-major {@code count × P}).
     */
    public float[] leftMultiply(float[] in, int count) {
        if (in.length != (long) count * size) {
            throw new IllegalArgumentException("expected " + count + " × " + size + " values, got " + in.length);
        }
        float[] out = new float[in.length];
        for (int r = 0; r < count; r++) {
            int o = r * size;
            for (int j = 0; j < size; j++) {
                double s = 0;
                for (int k = start[j]; k < start[j + 1]; k++) {
                    s += in[o + rows[k]] * values[k];
                }
                out[o + j] = (float) s;
            }
        }
        return out;
    }
}
