package ai.seamstream.core.weights;

import ai.seamstream.core.tensor.TensorFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Sequential little-endian reads from a byte range of a file or an array, that know how many bytes are left, so
 * that every length a file claims is checked against what is really there before anything is allocated for it.
 */
final class ByteSource {
    private final String what;
    private final FileChannel channel;
    private final long limit;
    private final ByteBuffer buf;
    /** Absolute position (in the channel or array) of the next byte to be returned. */
    private long position;

    private ByteSource(String what, FileChannel channel, ByteBuffer buf, long start, long limit) {
        this.what = what;
        this.channel = channel;
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
        this.position = start;
        this.limit = limit;
    }

    /** Reads {@code channel} from {@code start} up to {@code limit} (exclusive); {@code what} names it in errors. */
    static ByteSource of(String what, FileChannel channel, long start, long limit) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        b.limit(0);
        return new ByteSource(what, channel, b, start, limit);
    }

    /** Reads all of {@code bytes}. */
    static ByteSource of(String what, byte[] bytes) {
        return new ByteSource(what, null, ByteBuffer.wrap(bytes), 0, bytes.length);
    }

    String what() {
        return what;
    }

    long position() {
        return position;
    }

    long remaining() {
        return limit - position;
    }

    /** Fails unless {@code n} more bytes are there. */
    void require(long n, String forWhat) throws TensorFormatException {
        if (n < 0 || n > remaining()) {
            throw new TensorFormatException(what + ": " + forWhat + " needs " + n + " bytes at byte " + position + ", only "
                    + remaining() + " are left (truncated or corrupt file)");
        }
    }

    int u8() throws IOException {
        fill(1, "a byte");
        position++;
        return buf.get() & 0xFF;
    }

    int i32() throws IOException {
        fill(4, "a 32-bit integer");
        position += 4;
        return buf.getInt();
    }

    long u32() throws IOException {
        return i32() & 0xFFFFFFFFL;
    }

    int u16() throws IOException {
        fill(2, "a 16-bit integer");
        position += 2;
        return buf.getShort() & 0xFFFF;
    }

    long i64() throws IOException {
        fill(8, "a 64-bit integer");
        position += 8;
        return buf.getLong();
    }

    double f64BigEndian() throws IOException {
        return Double.longBitsToDouble(Long.reverseBytes(i64()));
    }

    /** The next {@code n} bytes; {@code n} is checked against what is left first. */
    byte[] bytes(long n, String forWhat) throws IOException {
        require(n, forWhat);
        byte[] out = new byte[(int) n];
        int off = 0;
        while (off < out.length) {
            if (!buf.hasRemaining()) {
                refill();
            }
            int k = Math.min(buf.remaining(), out.length - off);
            buf.get(out, off, k);
            off += k;
        }
        position += n;
        return out;
    }

    /** Skips {@code n} bytes that were checked to be there. */
    void skip(long n, String forWhat) throws IOException {
        require(n, forWhat);
        if (channel == null) {
            buf.position(buf.position() + (int) n);
        } else {
            long inBuf = Math.min(n, buf.remaining());
            buf.position(buf.position() + (int) inBuf);
            if (inBuf < n) {
                buf.limit(0); // the next read refills from the new position
            }
        }
        position += n;
    }

    private void fill(int n, String forWhat) throws IOException {
        require(n, forWhat);
        if (buf.remaining() < n) {
            refill();
        }
    }

    private void refill() throws IOException {
        if (channel == null) {
            return; // an array source always holds everything
        }
        buf.compact();
        // position - remaining-in-buffer is where the channel continues: keep the unread bytes in front.
        long next = position + buf.position();
        int want = (int) Math.min(buf.remaining(), limit - next);
        ByteBuffer slice = buf.slice();
        slice.limit(want);
        while (slice.hasRemaining()) {
            int r = channel.read(slice, next + slice.position());
            if (r < 0) {
                throw new TensorFormatException(what + ": unexpected end of file at byte " + (next + slice.position()));
            }
        }
        buf.position(buf.position() + want);
        buf.flip();
    }
}
