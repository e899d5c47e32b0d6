package ai.seamstream.trainer.service;

import ai.seamstream.trainer.registry.ModelExporter;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.literal.NamedLiteral;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Builds the {@link TrainerRuntime} from {@link TrainerSettings} and starts it with the application.
 *
 * <p>The exporter is a CDI bean chosen by name with {@code seam.trainer.exporter}: any
 * {@code @Named("name") ModelExporter} bean on the class path can be selected ({@code none}, the default, leaves the
 * export slot empty). The ONNX exporter plugs in by being such a bean and setting {@code seam.trainer.exporter=onnx}.
 */
@ApplicationScoped
public class TrainerBeans {

    /** The exporter bean named {@code name}, or empty for {@code none}. */
    public static Optional<ModelExporter> selectExporter(String name, Instance<ModelExporter> exporters) {
        if (name == null || name.isBlank() || name.strip().equalsIgnoreCase("none")) {
            return Optional.empty();
        }
        Instance<ModelExporter> chosen = exporters.select(NamedLiteral.of(name.strip()));
        if (chosen.isUnsatisfied() || chosen.isAmbiguous()) {
            var names = new TreeSet<String>();
            for (var h : exporters.handles()) {
                h.getBean().getQualifiers().stream().filter(q -> q instanceof Named).map(q -> ((Named) q).value())
                        .forEach(names::add);
            }
            throw new IllegalArgumentException("seam.trainer.exporter: " + (chosen.isAmbiguous() ? "several" : "no")
                    + " ModelExporter bean named '" + name.strip() + "'; known: none" + (names.isEmpty() ? "" : ", "
                    + String.join(", ", names)));
        }
        return Optional.of(chosen.get());
    }

    @Produces
    @Singleton
    TrainerRuntime runtime(TrainerSettings settings, @Any Instance<ModelExporter> exporters) {
        ModelExporter exporter = selectExporter(settings.trainer().exporter(), exporters).orElse(null);
        try {
            return new TrainerRuntime(settings.trainer(), settings.kafka().bootstrapServers(), exporter, Clock.systemUTC())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("the trainer could not open its store or registry: " + e.getMessage(), e);
        }
    }

    void close(@Disposes TrainerRuntime runtime) {
        runtime.close();
    }

    /** Starts the runtime with the application rather than at the first request. */
    void onStart(@Observes StartupEvent ev, TrainerRuntime runtime, TrainerMetrics metrics) {
        metrics.bind(runtime);
    }
}
