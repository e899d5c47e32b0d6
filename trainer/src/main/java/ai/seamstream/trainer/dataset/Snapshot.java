package ai.seamstream.trainer.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The content of the training-set store at one moment, in memory, sorted by image id, with its content-derived id.
 *
 * @param id         {@link #idOf}: equal ids mean the same images, labels, versions and masks
 * @param images     the readable images
 * @param unreadable records that could not be read back (reported, left out)
 */
public record Snapshot(String id, List<LabelledImage> images, List<Skipped> unreadable) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An image left out of training or evaluation, and why. */
    public record Skipped(String imageId, String reason) {
    }

    public Snapshot {
        images = images.stream().sorted(Comparator.comparing(LabelledImage::imageId)).toList();
        unreadable = List.copyOf(unreadable);
    }

    /**
     * SHA-256 over one JSON line per image, in image-id order: {@code [id, labelVersion, [classes], imageSha256,
     * maskSha256 or null]}. Independent of insertion order and of the store's files, so a restarted trainer (or a
     * rebuilt store) computes the same id for the same content.
     */
    public static String idOf(List<TrainingSetStore.Entry> entries) {
        MessageDigest md = Digests.sha256();
        entries.stream().sorted(Comparator.comparing(TrainingSetStore.Entry::imageId)).forEach(e -> {
            try {
                String line = JSON.writeValueAsString(List.of(e.imageId(), e.labelVersion(), e.classes(), e.imageSha256(),
                        e.maskSha256() == null ? "" : e.maskSha256()));
                md.update((line + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("a list of strings and numbers always serialises", ex);
            }
        });
        return HexFormat.of().formatHex(md.digest());
    }

    public int size() {
        return images.size();
    }
}
