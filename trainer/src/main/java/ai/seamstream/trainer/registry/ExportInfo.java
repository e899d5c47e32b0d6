package ai.seamstream.trainer.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * What a {@link ModelExporter} wrote into a version's export slot.
 *
 * @param file     the file's name inside the slot
 * @param sha256   its hex SHA-256 (the labeler verifies it before loading)
 * @param exporter which exporter wrote it (name and version)
 * @param details  anything else a consumer needs (opset, input names, ...)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExportInfo(String file, String sha256, String exporter, Map<String, String> details) {
}
