package ai.seamstream.devstack.stack;

import ai.onnxruntime.OrtException;
import ai.seamstream.core.image.ImageDecoder;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.metrics.ConfusionMatrix;
import ai.seamstream.core.model.ModelManifest;
import ai.seamstream.core.onnx.OnnxModel;
import ai.seamstream.core.onnx.OnnxPseudoMasks;
import ai.seamstream.core.onnx.OnnxSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores every promoted model version on the same images: the streamed masks of two versions cover different
 * images (a version only masks what arrives while it serves), so their mIoU figures are not comparable. This fetches
 * each version's exported ONNX model from the trainer's registry over HTTP, runs the labeler's pseudo-mask pipeline
 * ({@link OnnxPseudoMasks}) on every given image with its true tags, and scores against the synthetic truth.
 */
final class SameImageEvaluation {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SameImageEvaluation() {
    }

    /** mIoU ×100 per version, in the given order, over {@code images} (tagged images with their true tags). */
    static Map<String, Double> run(String trainerUrl, List<String> versions, List<DemoReport.ImageIn> images,
                                   Map<String, boolean[]> trueTags, int classes, Path workDir)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        var out = new LinkedHashMap<String, Double>();
        for (String v : versions) {
            Path dir = Files.createDirectories(workDir.resolve(v));
            byte[] manifestBytes = get(http, trainerUrl + "/v1/models/" + v + "/files/onnx/" + ModelManifest.FILE);
            Files.write(dir.resolve(ModelManifest.FILE), manifestBytes);
            ModelManifest m = JSON.readValue(manifestBytes, ModelManifest.class);
            Files.write(dir.resolve(m.onnxFile()), get(http, trainerUrl + "/v1/models/" + v + "/files/onnx/" + m.onnxFile()));
            try (OnnxModel model = OnnxModel.load(dir, new OnnxSession.Settings(2, 1, false, 0, false))) {
                var pipeline = new OnnxPseudoMasks(model, OnnxPseudoMasks.Options.of(model.manifest()));
                var cm = new ConfusionMatrix(classes);
                for (DemoReport.ImageIn img : images) {
                    var request = new OnnxPseudoMasks.Request(ImageDecoder.decode(img.image(), img.id()), trueTags.get(img.id()));
                    List<PseudoMaskResult> r = pipeline.run(List.of(request));
                    cm.add(r.get(0).mask(), img.truth());
                }
                out.put(v, 100 * cm.meanIou());
            } catch (OrtException e) {
                throw new IOException("model " + v + ": ONNX Runtime failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static byte[] get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + r.statusCode());
        }
        return r.body();
    }

    /** The images sent with tags, and for each its true tags (what the evaluation feeds the pipeline). */
    static List<DemoReport.ImageIn> tagged(List<DemoReport.ImageIn> sent) {
        var out = new ArrayList<DemoReport.ImageIn>();
        for (DemoReport.ImageIn i : sent) {
            if (i.tagged()) {
                out.add(i);
            }
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }
}
