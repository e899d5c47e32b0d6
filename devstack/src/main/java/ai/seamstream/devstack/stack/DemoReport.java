package ai.seamstream.devstack.stack;

import ai.seamstream.core.image.ImageDecoder;
import ai.seamstream.core.image.ImageEncoder;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.mask.VocPalette;
import ai.seamstream.core.metrics.ConfusionMatrix;
import ai.seamstream.schemas.ClassVocabulary;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's figures and its HTML/JSON report, from what went in (images with their ground truth) and what came out
 * (masks from {@code seam.masks.v1}). Pure: no Kafka, no HTTP.
 *
 * <p>Per model version the pseudo-mask mIoU (×100, background included, {@link ConfusionMatrix#meanIou()}) is taken
 * over that version's newest mask (highest label version) of each image it masked, against the synthetic truth.
 * Latency percentiles are nearest-rank over every mask's end-to-end latency.
 */
public final class DemoReport {
    /** An ingested image: its id, whether it was sent with tags, its bytes and its true mask. */
    public record ImageIn(String id, boolean tagged, byte[] image, LabelMask truth) {
    }

    /** A mask read back: the image, model and label version, the palette and uncertainty PNGs, latency. */
    public record MaskOut(String imageId, String modelVersion, long labelVersion, byte[] maskPng,
            byte[] uncertaintyPng, long endToEndMs, boolean predictedTags) {
    }

    /** Figures of one model version. */
    public record VersionFigures(String version, int masks, int images, double meanIou) {
    }

    /** The summary. */
    public record Figures(int imagesIn, int taggedIn, int untaggedIn, int masksOut, int reviewsReceived,
            int reviewsAnswered, List<VersionFigures> versions, long latencyP50Ms, long latencyP99Ms,
            List<String> taggedWithoutMask, Duration elapsed) {
        /** Every ingested tagged image has a mask. */
        public boolean everyTaggedImageMasked() {
            return taggedWithoutMask.isEmpty();
        }
    }

    private final ClassVocabulary classes;
    private final List<ImageIn> images;
    private final List<MaskOut> masks;
    private final List<String> versionOrder;
    private final int reviewsReceived;
    private final int reviewsAnswered;
    private final Duration elapsed;

    /**
     * @param versionOrder model versions in the order they were promoted (versions seen only on masks follow)
     * @param elapsed      how long the demo took from sending its first image until every tagged image had a mask
     *                     (both trainings included, the stack's start-up and the same-image scoring not)
     */
    public DemoReport(ClassVocabulary classes, List<ImageIn> images, List<MaskOut> masks, List<String> versionOrder,
            int reviewsReceived, int reviewsAnswered, Duration elapsed) {
        this.classes = classes;
        this.images = List.copyOf(images);
        this.masks = List.copyOf(masks);
        List<String> order = new ArrayList<>(versionOrder);
        for (MaskOut m : masks) {
            if (!order.contains(m.modelVersion())) {
                order.add(m.modelVersion());
            }
        }
        this.versionOrder = List.copyOf(order);
        this.reviewsReceived = reviewsReceived;
        this.reviewsAnswered = reviewsAnswered;
        if (elapsed.isNegative()) {
            throw new IllegalArgumentException("elapsed time must not be negative, got " + elapsed);
        }
        this.elapsed = elapsed;
    }

    /** Nearest-rank percentile ({@code p} in (0, 100]) of the values; -1 when there are none. */
    public static long percentile(List<Long> values, double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        }
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(1, rank) - 1);
    }

    /** The newest mask (highest label version, then last received) per image of one model version. */
    Map<String, MaskOut> newestPerImage(String version) {
        Map<String, MaskOut> newest = new LinkedHashMap<>();
        for (MaskOut m : masks) {
            if (m.modelVersion().equals(version)) {
                MaskOut old = newest.get(m.imageId());
                if (old == null || m.labelVersion() >= old.labelVersion()) {
                    newest.put(m.imageId(), m);
                }
            }
        }
        return newest;
    }

    /** Computes the figures; a mask that does not decode or does not match its image's size is an error. */
    public Figures figures() throws IOException {
        Map<String, ImageIn> byId = new HashMap<>();
        images.forEach(i -> byId.put(i.id(), i));
        List<VersionFigures> versions = new ArrayList<>();
        for (String v : versionOrder) {
            Map<String, MaskOut> newest = newestPerImage(v);
            ConfusionMatrix cm = new ConfusionMatrix(classes.size());
            int scored = 0;
            for (MaskOut m : newest.values()) {
                ImageIn in = byId.get(m.imageId());
                if (in == null) {
                    continue; // a mask of an image this demo did not send
                }
                LabelMask pred = PaletteMaskCodec.decode(m.maskPng(), "mask of " + m.imageId() + " (" + v + ")");
                if (pred.width() != in.truth().width() || pred.height() != in.truth().height()) {
                    throw new IOException("mask of " + m.imageId() + " (" + v + ") is " + pred.width() + "x"
                            + pred.height() + ", its image " + in.truth().width() + "x" + in.truth().height());
                }
                cm.add(pred, in.truth());
                scored++;
            }
            long count = masks.stream().filter(m -> m.modelVersion().equals(v)).count();
            versions.add(new VersionFigures(v, (int) count, scored, scored == 0 ? Double.NaN : 100 * cm.meanIou()));
        }
        List<Long> latencies = masks.stream().map(MaskOut::endToEndMs).toList();
        java.util.Set<String> masked = new java.util.HashSet<>();
        masks.forEach(m -> masked.add(m.imageId()));
        List<String> missing = images.stream().filter(i -> i.tagged() && !masked.contains(i.id())).map(ImageIn::id)
                .toList();
        int tagged = (int) images.stream().filter(ImageIn::tagged).count();
        return new Figures(images.size(), tagged, images.size() - tagged, masks.size(), reviewsReceived,
                reviewsAnswered, versions, percentile(latencies, 50), percentile(latencies, 99), missing, elapsed);
    }

    /** The figures as JSON. */
    public String json(Figures f) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("imagesIn", f.imagesIn());
        m.put("taggedIn", f.taggedIn());
        m.put("untaggedIn", f.untaggedIn());
        m.put("masksOut", f.masksOut());
        m.put("reviewsReceived", f.reviewsReceived());
        m.put("reviewsAnswered", f.reviewsAnswered());
        List<Map<String, Object>> vs = new ArrayList<>();
        for (VersionFigures v : f.versions()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("modelVersion", v.version());
            row.put("masks", v.masks());
            row.put("imagesScored", v.images());
            row.put("meanIou", Double.isNaN(v.meanIou()) ? null : v.meanIou());
            vs.add(row);
        }
        m.put("models", vs);
        m.put("latencyMs", Map.of("p50", f.latencyP50Ms(), "p99", f.latencyP99Ms()));
        m.put("everyTaggedImageMasked", f.everyTaggedImageMasked());
        m.put("taggedWithoutMask", f.taggedWithoutMask());
        m.put("elapsedSeconds", f.elapsed().toMillis() / 1000.0);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
    }

    /** The plain-text summary printed at the end of the demo. */
    public static String text(Figures f) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("images in: %d (%d tagged, %d untagged); masks out: %d%n", f.imagesIn(), f.taggedIn(),
                f.untaggedIn(), f.masksOut()));
        b.append(String.format("review requests: %d received, %d answered%n", f.reviewsReceived(),
                f.reviewsAnswered()));
        for (VersionFigures v : f.versions()) {
            b.append(String.format("model %s: %d masks, mIoU %.1f over %d images%n", v.version(), v.masks(),
                    v.meanIou(), v.images()));
        }
        b.append(String.format("latency accept -> mask: p50 %d ms, p99 %d ms%n", f.latencyP50Ms(), f.latencyP99Ms()));
        long s = Math.round(f.elapsed().toMillis() / 1000.0);
        b.append(String.format("time from the first image sent to the last tagged image masked: %d min %02d s%n", s / 60,
                s % 60));
        b.append(f.everyTaggedImageMasked() ? "every tagged image has a mask"
                : "tagged images WITHOUT a mask: " + f.taggedWithoutMask());
        return b.toString();
    }

    /** Writes {@code report.json} and {@code report.html} (self-contained: images inline) into {@code dir}. */
    public Figures write(Path dir, int galleryImages) throws IOException {
        Figures f = figures();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.json"), json(f), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), html(f, galleryImages), StandardCharsets.UTF_8);
        return f;
    }

    /** The HTML report: the figures, a bar chart of mIoU per model version (inline SVG), and a gallery. */
    public String html(Figures f, int galleryImages) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Seamstream demo</title><style>")
                .append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px}img{image-rendering:pixelated;width:128px}")
                .append("</style></head><body><h1>Seamstream demo</h1><pre>").append(escape(text(f)))
                .append("</pre><h2>Quality per model version</h2>").append(chart(f.versions()))
                .append("<h2>Masks</h2><table><tr><th>image</th><th>truth</th>");
        for (String v : versionOrder) {
            h.append("<th>").append(escape(v)).append(" overlay</th><th>").append(escape(v))
                    .append(" uncertainty</th>");
        }
        h.append("</tr>");
        List<Map<String, MaskOut>> perVersion = new ArrayList<>();
        for (String v : versionOrder) {
            perVersion.add(newestPerImage(v));
        }
        int shown = 0;
        for (ImageIn in : images.stream().sorted(Comparator.comparing(ImageIn::id)).toList()) {
            if (shown++ >= galleryImages) {
                break;
            }
            RgbImage img = ImageDecoder.decode(in.image(), in.id());
            h.append("<tr><td>").append(img(in.image())).append("<br>").append(escape(in.id()))
                    .append(in.tagged() ? "" : " (untagged)").append("</td><td>")
                    .append(img(ImageEncoder.png(overlay(img, in.truth())))).append("</td>");
            for (Map<String, MaskOut> pv : perVersion) {
                MaskOut m = pv.get(in.id());
                if (m == null) {
                    h.append("<td>-</td><td>-</td>");
                    continue;
                }
                LabelMask pred = PaletteMaskCodec.decode(m.maskPng(), "mask of " + in.id());
                h.append("<td>").append(img(ImageEncoder.png(overlay(img, pred)))).append("</td><td>")
                        .append(m.uncertaintyPng().length == 0 ? "-" : img(m.uncertaintyPng())).append("</td>");
            }
            h.append("</tr>");
        }
        return h.append("</table></body></html>\n").toString();
    }

    /** The image with each labelled pixel blended half-and-half with its class's palette colour. */
    public static RgbImage overlay(RgbImage img, LabelMask mask) {
        if (img.width() != mask.width() || img.height() != mask.height()) {
            throw new IllegalArgumentException("mask " + mask.width() + "x" + mask.height() + " does not fit image "
                    + img.width() + "x" + img.height());
        }
        RgbImage out = RgbImage.blank(img.width(), img.height());
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int label = mask.get(x, y);
                int[] c = label == 0 || label == LabelMask.IGNORE ? null : VocPalette.rgb(label);
                for (int ch = 0; ch < 3; ch++) {
                    int v = img.get(x, y, ch);
                    out.set(x, y, ch, c == null ? v : (v + c[ch] + 1) / 2);
                }
            }
        }
        return out;
    }

    /** An SVG bar chart of mIoU (0..100) per version. */
    static String chart(List<VersionFigures> versions) {
        int barW = 80;
        int gap = 30;
        int height = 200;
        int width = Math.max(1, versions.size()) * (barW + gap) + gap;
        StringBuilder s = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width
                + "\" height=\"" + (height + 40) + "\">");
        s.append("<line x1=\"0\" y1=\"").append(height).append("\" x2=\"").append(width).append("\" y2=\"")
                .append(height).append("\" stroke=\"black\"/>");
        int x = gap;
        for (VersionFigures v : versions) {
            double miou = Double.isNaN(v.meanIou()) ? 0 : v.meanIou();
            int bar = (int) Math.round(miou / 100 * height);
            s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#4a7ebb\"/>", x,
                    height - bar, barW, bar));
            s.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"12\">%.1f</text>", x + 4,
                    Math.max(12, height - bar - 4), miou));
            s.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>", x, height + 16,
                    escape(v.version())));
            x += barW + gap;
        }
        return s.append("</svg>").toString();
    }

    private static String img(byte[] png) {
        return "<img src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\">";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
