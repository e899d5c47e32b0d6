package ai.seamstream.devstack.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.core.image.ImageEncoder;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.mask.VocPalette;
import ai.seamstream.schemas.ClassVocabulary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report builder on real 2x2 images and palette PNG masks, figures worked by hand. */
class DemoReportTest {
    static final ClassVocabulary CLASSES = ClassVocabulary.ofForeground(List.of("a", "b"));

    static LabelMask mask(int... labels) {
        byte[] b = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            b[i] = (byte) labels[i];
        }
        return new LabelMask(2, 2, b);
    }

    static byte[] grey(int v) {
        RgbImage img = RgbImage.blank(2, 2);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                for (int c = 0; c < 3; c++) {
                    img.set(x, y, c, v);
                }
            }
        }
        return ImageEncoder.png(img);
    }

    static DemoReport.MaskOut out(String id, String v, long labelVersion, LabelMask m, long ms) {
        return new DemoReport.MaskOut(id, v, labelVersion, PaletteMaskCodec.encode(m), new byte[0], ms, false);
    }

    @Test
    void percentileIsNearestRank() {
        List<Long> v = List.of(50L, 10L, 40L, 20L, 30L);
        assertEquals(30, DemoReport.percentile(v, 50)); // ceil(2.5) = 3rd of 10,20,30,40,50
        assertEquals(50, DemoReport.percentile(v, 99)); // ceil(4.95) = 5th
        assertEquals(10, DemoReport.percentile(v, 1));
        assertEquals(-1, DemoReport.percentile(List.of(), 50));
        assertThrows(IllegalArgumentException.class, () -> DemoReport.percentile(v, 0));
    }

    @Test
    void figuresPerVersionAgainstHandWorkedIou(@TempDir Path dir) throws Exception {
        // truth of x: [a, 0; b, 0]; of y: [a, a; 0, 0]; z is untagged and never masked
        var x = new DemoReport.ImageIn("x", true, grey(100), mask(1, 0, 2, 0));
        var y = new DemoReport.ImageIn("y", true, grey(200), mask(1, 1, 0, 0));
        var z = new DemoReport.ImageIn("z", false, grey(50), mask(0, 0, 0, 0));
        List<DemoReport.MaskOut> masks = List.of(
                // v1: x all background (old label version 1, then version 2 below wins), y perfect
                out("x", "v1", 1, mask(2, 2, 2, 2), 100),
                out("x", "v1", 2, mask(0, 0, 0, 0), 200),
                out("y", "v1", 1, mask(1, 1, 0, 0), 300),
                // v2: x perfect
                out("x", "v2", 3, mask(1, 0, 2, 0), 400));
        var report = new DemoReport(CLASSES, List.of(x, y, z), masks, List.of("v1", "v2"), 5, 2,
                Duration.ofSeconds(245, 400_000_000));
        DemoReport.Figures f = report.figures();
        // v1 over x (0,0,0,0) and y (perfect): background T=2+2=4, P=4+2=6, TP=2+2=4 -> 4/6;
        // a: T=1+2=3, P=2, TP=2 -> 2/3; b: T=1, P=0, TP=0 -> 0. mean = (2/3 + 2/3 + 0)/3 = 4/9
        assertEquals(100 * 4.0 / 9.0, f.versions().get(0).meanIou(), 1e-6);
        assertEquals(3, f.versions().get(0).masks());
        assertEquals(2, f.versions().get(0).images());
        assertEquals(100.0, f.versions().get(1).meanIou(), 1e-6);
        assertEquals(List.of(3, 2, 1, 4, 5, 2), List.of(f.imagesIn(), f.taggedIn(), f.untaggedIn(), f.masksOut(),
                f.reviewsReceived(), f.reviewsAnswered()));
        assertEquals(200, f.latencyP50Ms());
        assertEquals(400, f.latencyP99Ms());
        assertTrue(f.everyTaggedImageMasked());
        assertTrue(DemoReport.text(f).contains("last tagged image masked: 4 min 05 s"), DemoReport.text(f));

        DemoReport.Figures written = report.write(dir, 10);
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
        assertEquals(3, json.path("imagesIn").asInt());
        assertEquals("v2", json.path("models").get(1).path("modelVersion").asText());
        assertEquals(100.0, json.path("models").get(1).path("meanIou").asDouble(), 1e-6);
        assertTrue(json.path("everyTaggedImageMasked").asBoolean());
        assertEquals(245.4, json.path("elapsedSeconds").asDouble(), 1e-9);
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("44.4") && html.contains("100.0"), "chart with both bars");
        assertTrue(html.contains("v1 overlay") && html.contains("(untagged)"));
        assertEquals(3 * 2 + 2 + 1, html.split("data:image/png;base64,").length - 1,
                "image + truth per row, two v1 overlays, one v2 overlay");
        assertEquals(f.versions(), written.versions());
    }

    @Test
    void missingMasksAreListed() throws Exception {
        var x = new DemoReport.ImageIn("x", true, grey(100), mask(1, 0, 2, 0));
        var report = new DemoReport(CLASSES, List.of(x), List.of(), List.of("v1"), 0, 0, Duration.ZERO);
        DemoReport.Figures f = report.figures();
        assertFalse(f.everyTaggedImageMasked());
        assertEquals(List.of("x"), f.taggedWithoutMask());
        assertTrue(Double.isNaN(f.versions().get(0).meanIou()));
        assertTrue(DemoReport.text(f).contains("tagged images WITHOUT a mask: [x]"));
    }

    @Test
    void aNegativeDurationIsRefused() {
        var x = new DemoReport.ImageIn("x", true, grey(100), mask(1, 0, 2, 0));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new DemoReport(CLASSES, List.of(x), List.of(), List.of("v1"), 0, 0, Duration.ofSeconds(-1)));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    @Test
    void wrongSizedMaskIsAnError() {
        var x = new DemoReport.ImageIn("x", true, grey(100), mask(1, 0, 2, 0));
        var bad = new DemoReport.MaskOut("x", "v1", 1, PaletteMaskCodec.encode(new LabelMask(1, 1, new byte[1])),
                new byte[0], 1, false);
        var report = new DemoReport(CLASSES, List.of(x), List.of(bad), List.of("v1"), 0, 0, Duration.ZERO);
        assertTrue(assertThrows(java.io.IOException.class, report::figures).getMessage().contains("is 1x1"));
    }

    @Test
    void overlayBlendsHalfWithPaletteColour() throws Exception {
        RgbImage img = ai.seamstream.core.image.ImageDecoder.decode(grey(100), "g");
        RgbImage o = DemoReport.overlay(img, mask(0, 1, 255, 2));
        int[] a = VocPalette.rgb(1);
        assertEquals(100, o.get(0, 0, 0), "background untouched");
        assertEquals(100, o.get(0, 1, 2), "ignore untouched");
        assertEquals((100 + a[0] + 1) / 2, o.get(1, 0, 0));
        assertEquals((100 + a[1] + 1) / 2, o.get(1, 0, 1));
        assertEquals((100 + VocPalette.rgb(2)[2] + 1) / 2, o.get(1, 1, 2));
    }
}
