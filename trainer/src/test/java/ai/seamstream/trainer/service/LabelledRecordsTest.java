package ai.seamstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.image.ImageFetcher;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelState;
import ai.seamstream.schemas.v1.LabelledImage;
import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding {@code seam.labelled.v1} records for the store, images inline or by URI. */
class LabelledRecordsTest {
    @TempDir
    Path dir;

    private static byte[] record(String id, Image.Builder image) {
        return LabelledImage.newBuilder().setImageId(id).setImage(image.setImageId(id)).setLabelVersion(3)
                .setLabels(LabelState.newBuilder().addClasses("cat")).build().toByteArray();
    }

    @Test
    void inlineBytesAndImagesByUriAreStored() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        var inline = LabelledRecords.decode("a", record("a", Image.newBuilder().setData(ByteString.copyFrom(png))), null);
        assertTrue(inline.ok(), inline.problem());
        assertArrayEquals(png, inline.image().image());
        assertEquals(List.of("cat"), inline.image().classes());
        assertEquals(3, inline.image().labelVersion());

        Path f = Files.write(dir.resolve("b.png"), png);
        var byUri = LabelledRecords.decode("b", record("b", Image.newBuilder().setUri(f.toUri().toString())),
                ImageFetcher.defaults());
        assertTrue(byUri.ok(), byUri.problem());
        assertArrayEquals(png, byUri.image().image(), "the store keeps the fetched bytes");
    }

    @Test
    void whatCannotBeStoredIsReportedWithItsReason() {
        var fetcher = ImageFetcher.defaults();
        String missing = dir.resolve("gone.png").toUri().toString();
        assertProblem(LabelledRecords.decode("c", record("c", Image.newBuilder().setUri(missing)), fetcher), "no such file");
        assertProblem(LabelledRecords.decode("c", record("c", Image.newBuilder().setUri("s3://b/c.png")), fetcher), "'s3'");
        assertProblem(LabelledRecords.decode("c", record("c", Image.newBuilder().setUri(missing)), null), "not fetched");
        assertProblem(LabelledRecords.decode("c", record("c", Image.newBuilder()), fetcher), "neither bytes nor a URI");
        assertProblem(LabelledRecords.decode("x", record("c", Image.newBuilder().setUri(missing)), fetcher), "differs");
        assertProblem(LabelledRecords.decode("c", new byte[] {(byte) 0xff, 1, 2}, fetcher), "not a LabelledImage");
    }

    private static void assertProblem(LabelledRecords.Decoded d, String part) {
        assertFalse(d.ok());
        assertTrue(d.problem().contains(part), d.problem());
    }
}
