package ai.seamstream.trainer.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * The on-disk form of one {@link LabelledImage}: magic {@code SSTR}, format 1, a JSON header (id, label version,
 * classes, digests), the image bytes, the optional mask bytes, and a trailing SHA-256 over everything before it, so a
 * truncated or damaged file is recognised rather than trained on.
 */
final class RecordFile {
    static final int MAGIC = 0x53535452; // "SSTR"
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The header; it alone is enough to rebuild the store's index. */
    record Header(String imageId, long labelVersion, List<String> classes, String imageSha256, String maskSha256) {
    }

    private RecordFile() {
    }

    static byte[] encode(LabelledImage img) throws IOException {
        var h = new Header(img.imageId(), img.labelVersion(), img.classes(), Digests.hex(img.image()),
                img.groundTruth() == null ? null : Digests.hex(img.groundTruth()));
        byte[] header = JSON.writeValueAsBytes(h);
        var bytes = new ByteArrayOutputStream(img.image().length + header.length + 64);
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(header.length);
            out.write(header);
            out.writeInt(img.image().length);
            out.write(img.image());
            out.writeInt(img.groundTruth() == null ? -1 : img.groundTruth().length);
            if (img.groundTruth() != null) {
                out.write(img.groundTruth());
            }
        }
        byte[] body = bytes.toByteArray();
        byte[] digest = Digests.sha256().digest(body);
        byte[] all = Arrays.copyOf(body, body.length + digest.length);
        System.arraycopy(digest, 0, all, body.length, digest.length);
        return all;
    }

    /** Writes {@code data} to a temporary sibling, forces it to disk, then renames it over {@code file} atomically. */
    static void writeAtomically(Path file, byte[] data) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static LabelledImage read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Parsed p = parse(file, all);
        return p.image;
    }

    static Header readHeader(Path file) throws IOException {
        return parse(file, Files.readAllBytes(file)).header;
    }

    private record Parsed(Header header, LabelledImage image) {
    }

    private static Parsed parse(Path file, byte[] all) throws StoreException {
        if (all.length < 12 + 32) {
            throw new StoreException(file + ": truncated record (" + all.length + " bytes)");
        }
        byte[] body = Arrays.copyOf(all, all.length - 32);
        byte[] expected = Arrays.copyOfRange(all, all.length - 32, all.length);
        if (!MessageDigest.isEqual(Digests.sha256().digest(body), expected)) {
            throw new StoreException(file + ": checksum mismatch (truncated or damaged record)");
        }
        try (var in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
            if (in.readInt() != MAGIC) {
                throw new StoreException(file + ": not a training-set record");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new StoreException(file + ": record format " + format + ", this code reads " + FORMAT);
            }
            byte[] header = in.readNBytes(checkedLength(file, in.readInt(), body.length));
            Header h = JSON.readValue(new String(header, StandardCharsets.UTF_8), Header.class);
            byte[] image = in.readNBytes(checkedLength(file, in.readInt(), body.length));
            int maskLen = in.readInt();
            byte[] mask = maskLen < 0 ? null : in.readNBytes(checkedLength(file, maskLen, body.length));
            if (in.available() != 0) {
                throw new StoreException(file + ": " + in.available() + " trailing bytes");
            }
            return new Parsed(h, new LabelledImage(h.imageId(), image, h.classes(), h.labelVersion(), mask));
        } catch (StoreException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new StoreException(file + ": unreadable record: " + e.getMessage(), e);
        }
    }

    private static int checkedLength(Path file, int len, int total) throws StoreException {
        if (len < 0 || len > total) {
            throw new StoreException(file + ": invalid length " + len);
        }
        return len;
    }
}
