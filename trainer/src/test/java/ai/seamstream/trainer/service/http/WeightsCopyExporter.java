package ai.seamstream.trainer.service.http;

import ai.seamstream.trainer.registry.ExportInfo;
import ai.seamstream.trainer.registry.ModelExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A test-only exporter bean, to show how an exporter is selected by name: it copies the checkpoint's weights into the
 * slot under their own name and format (no ONNX file is claimed).
 */
@Named("weights-copy")
@ApplicationScoped
public class WeightsCopyExporter implements ModelExporter {
    @Override
    public ExportInfo export(Path checkpointDir, Path slot) throws IOException {
        Path out = Files.copy(checkpointDir.resolve("weights.safetensors"), slot.resolve("weights.safetensors"));
        try {
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out)));
            return new ExportInfo("weights.safetensors", sha, "weights-copy (test)", Map.of());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
