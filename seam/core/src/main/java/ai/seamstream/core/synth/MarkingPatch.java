package ai.seamstream.core.synth;

/** A rasterised marking: a {@code width × height} bitmap, row-major, with {@code area} set pixels. */
record MarkingPatch(int width, int height, boolean[] bits, int area) {

    boolean get(int i, int j) {
        return bits[j * width + i];
    }
}
