package ai.seamstream.trainer.dataset;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A deterministic train / hold-out split by image id: an image is held out iff
 * {@code u(id) < fraction}, where {@code u} is the first 8 bytes of {@code SHA-256(salt + "\n" + id)} read as an
 * unsigned big-endian integer divided by 2^64. An image's side depends only on its id and the salt, never on the other
 * images, so it stays on its side as the training set grows and across restarts and instances.
 *
 * @param fraction the share of images held out, in [0, 1)
 * @param salt     changes the split wholesale (e.g. to draw a fresh hold-out); any string
 */
public record HoldOutSplit(double fraction, String salt) {
    private static final double TWO_TO_64 = 18446744073709551616.0;

    public HoldOutSplit {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("hold-out fraction must be in [0, 1), got " + fraction);
        }
        if (salt == null) {
            throw new IllegalArgumentException("hold-out salt must not be null (use \"\")");
        }
    }

    /** u(id) in [0, 1). */
    public static double position(String salt, String imageId) {
        byte[] d = Digests.sha256().digest((salt + "\n" + imageId).getBytes(StandardCharsets.UTF_8));
        long v = ByteBuffer.wrap(d, 0, 8).getLong();
        // unsigned: the high bit adds 2^63
        double u = (v >>> 1) * 2.0 + (v & 1);
        return u / TWO_TO_64;
    }

    public boolean isHoldOut(String imageId) {
        return position(salt, imageId) < fraction;
    }
}
