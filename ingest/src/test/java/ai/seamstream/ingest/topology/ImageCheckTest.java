package ai.seamstream.ingest.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.ingest.topology.Rejection.Code;
import ai.seamstream.schemas.v1.Image;
import com.google.protobuf.ByteString;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageCheckTest {
    final ImageCheck check = new ImageCheck(ImageLimits.DEFAULTS);

    static Image.Builder bytes(byte[] b) {
        return Image.newBuilder().setData(ByteString.copyFrom(b));
    }

    @Test
    void fillsInIdShaSizeAndTypeOfAJpeg() throws Exception {
        byte[] jpg = TestImages.encoded(20, 10, 4, "jpg");
        var r = check.check(bytes(jpg).build(), null);
        assertNull(r.rejection());
        String sha = TestImages.sha256Hex(jpg);
        assertEquals(sha, r.image().getImageId());
        assertEquals(sha, r.image().getSha256());
        assertEquals("image/jpeg", r.image().getContentType());
        assertEquals(jpg.length, r.image().getSizeBytes());
        assertEquals(20, r.image().getWidth());
        assertEquals(10, r.image().getHeight());
        // a client-given sha256 that matches (any case) is fine
        assertNull(check.check(bytes(jpg).setSha256(sha.toUpperCase()).build(), null).rejection());
    }

    @Test
    void refusals() {
        byte[] png = TestImages.png(8, 8, 1);
        assertEquals(Code.BAD_ID, check.check(bytes(png).setSha256("00ff").build(), null).rejection().code());
        assertEquals(Code.BAD_ID, check.check(Image.newBuilder().setUri("s3://b/k.png").build(), null).rejection().code(),
                "a URI image needs an id");
        assertEquals(Code.BAD_URI, check.check(Image.newBuilder().setImageId("u").setUri("not a uri").build(), null)
                .rejection().code());
        assertEquals(Code.BAD_URI, check.check(Image.newBuilder().setImageId("u").setUri("relative/path.png").build(), null)
                .rejection().code());
        assertEquals(Code.EMPTY, check.check(Image.newBuilder().setImageId("u").build(), null).rejection().code());
        assertEquals(Code.KEY_MISMATCH, check.check(bytes(png).setImageId("a").build(), "b").rejection().code());
        var tooLong = check.check(bytes(png).setImageId("x".repeat(129)).build(), null).rejection();
        assertEquals(Code.BAD_ID, tooLong.code());
        assertTrue(tooLong.message().contains("..."), "long ids are abbreviated in messages: " + tooLong.message());
    }

    @Test
    void limitsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new ImageLimits(0, 1, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> new ImageLimits(1, 0, Set.of()));
        assertEquals(Code.TOO_MANY_PIXELS, new ImageCheck(new ImageLimits(1 << 20, 63, Set.of()))
                .check(bytes(TestImages.png(8, 8, 1)).build(), null).rejection().code(), "64 pixels > 63");
        assertNull(new ImageCheck(new ImageLimits(1 << 20, 64, Set.of()))
                .check(bytes(TestImages.png(8, 8, 1)).build(), null).rejection(), "64 pixels = 64 is fine");
    }
}
