package ai.seamstream.trainer.service;

import ai.seamstream.core.image.ImageFetcher;
import ai.seamstream.trainer.dataset.LabelledImage;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;

/** Decodes a {@code seam.labelled.v1} record into the store's {@link LabelledImage}. */
public final class LabelledRecords {
    private LabelledRecords() {
    }

    /** A decoded record, or why it cannot be stored. */
    public record Decoded(LabelledImage image, String problem) {
        public boolean ok() {
            return image != null;
        }
    }

    /**
     * Decodes {@code value} (a {@code seamstream.v1.LabelledImage}) under its record key. The store keeps image bytes:
     * an image given by URI is read with {@code fetcher} (null: not fetched). An image that cannot be read, a key that
     * differs from the image id, and an unparseable value are reported.
     */
    public static Decoded decode(String key, byte[] value, ImageFetcher fetcher) {
        ai.seamstream.schemas.v1.LabelledImage msg;
        try {
            msg = ai.seamstream.schemas.v1.LabelledImage.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            return new Decoded(null, "not a LabelledImage: " + e.getMessage());
        }
        String id = msg.getImageId();
        if (key == null || !key.equals(id)) {
            return new Decoded(null, "record key '" + key + "' differs from image id '" + id + "'");
        }
        byte[] bytes;
        if (msg.hasImage() && msg.getImage().hasData() && !msg.getImage().getData().isEmpty()) {
            bytes = msg.getImage().getData().toByteArray();
        } else if (msg.hasImage() && msg.getImage().hasUri() && !msg.getImage().getUri().isEmpty()) {
            if (fetcher == null) {
                return new Decoded(null, "image " + id + " is given by URI " + msg.getImage().getUri() + ", not fetched here");
            }
            try {
                bytes = fetcher.fetch(msg.getImage().getUri());
            } catch (IOException e) {
                return new Decoded(null, "image " + id + ": " + e.getMessage());
            }
        } else {
            return new Decoded(null, "image " + id + " has neither bytes nor a URI");
        }
        try {
            var classes = msg.hasLabels() ? msg.getLabels().getClassesList() : java.util.List.<String>of();
            return new Decoded(new LabelledImage(id, bytes, classes, msg.getLabelVersion(), null), null);
        } catch (IllegalArgumentException e) {
            return new Decoded(null, e.getMessage());
        }
    }
}
