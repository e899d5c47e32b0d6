package ai.seamstream.trainer.service;

import ai.seamstream.trainer.dataset.LabelledImage;
import com.google.protobuf.InvalidProtocolBufferException;

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
     * Decodes {@code value} (a {@code seamstream.v1.LabelledImage}) under its record key. The store needs inline image
     * bytes: an image given only by URI, a key that differs from the image id, and an unparseable value are reported.
     */
    public static Decoded decode(String key, byte[] value) {
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
        if (!msg.hasImage() || !msg.getImage().hasData() || msg.getImage().getData().isEmpty()) {
            return new Decoded(null, "image " + id + " has no inline bytes"
                    + (msg.hasImage() && msg.getImage().hasUri() ? " (given by URI " + msg.getImage().getUri() + ")" : ""));
        }
        try {
            var classes = msg.hasLabels() ? msg.getLabels().getClassesList() : java.util.List.<String>of();
            return new Decoded(new LabelledImage(id, msg.getImage().getData().toByteArray(), classes,
                    msg.getLabelVersion(), null), null);
        } catch (IllegalArgumentException e) {
            return new Decoded(null, e.getMessage());
        }
    }
}
