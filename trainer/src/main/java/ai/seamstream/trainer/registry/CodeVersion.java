package ai.seamstream.trainer.registry;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The code version recorded in every model's provenance. */
public final class CodeVersion {
    /** A system property that overrides the build's version (e.g. with {@code git describe} output in CI). */
    public static final String PROPERTY = "seamstream.codeVersion";

    private CodeVersion() {
    }

    /** The override property if set, else the Maven project version the trainer was built as, else "dev". */
    public static String detect() {
        String v = System.getProperty(PROPERTY);
        if (v != null && !v.isBlank()) {
            return v.strip();
        }
        try (InputStream in = CodeVersion.class.getResourceAsStream("/trainer-build.properties")) {
            if (in != null) {
                var p = new Properties();
                p.load(in);
                String built = p.getProperty("version");
                if (built != null && !built.isBlank() && !built.contains("${")) {
                    return built.strip();
                }
            }
        } catch (IOException e) {
            // fall through: an unreadable resource is the same as none
        }
        return "dev";
    }
}
