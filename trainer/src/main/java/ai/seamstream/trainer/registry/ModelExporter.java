package ai.seamstream.trainer.registry;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns a checkpoint into the serving format; the ONNX exporter (issue 4) implements it. The registry calls it while a
 * version is still in staging (or into a staging slot for {@link ModelRegistry#attachExport}), so a failed export
 * never leaves a half-written file visible.
 */
@FunctionalInterface
public interface ModelExporter {

    /**
     * Writes the exported model into {@code slot} (an empty, existing folder).
     *
     * @param checkpointDir the version's checkpoint ({@code weights.safetensors} + {@code manifest.json})
     * @return what was written, with its SHA-256
     * @throws IOException if the export fails; the registry then publishes nothing
     */
    ExportInfo export(Path checkpointDir, Path slot) throws IOException;
}
