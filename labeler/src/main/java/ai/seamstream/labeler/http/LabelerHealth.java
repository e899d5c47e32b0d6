package ai.seamstream.labeler.http;

import ai.seamstream.labeler.LabelerService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while a model serves and the worker consumes; the last refused model is a detail of both checks. */
public final class LabelerHealth {
    private LabelerHealth() {
    }

    static HealthCheckResponse response(LabelerService service, boolean up) {
        var l = service.labeler();
        var b = HealthCheckResponse.named("labeler").status(up);
        if (l == null) {
            return b.withData("state", "starting").build();
        }
        b.withData("model", String.valueOf(l.models().servingVersion()));
        b.withData("consuming", l.worker().consuming());
        var f = l.models().lastFailure();
        if (f != null) {
            b.withData("lastRefusedModel", f.version()).withData("lastRefusedStep", f.step())
                    .withData("lastRefusedReason", f.message());
        }
        if (l.worker().stopReason() != null) {
            b.withData("stopped", l.worker().stopReason());
        }
        return b.build();
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final LabelerService service;

        public Ready(LabelerService service) {
            this.service = service;
        }

        @Override
        public HealthCheckResponse call() {
            var l = service.labeler();
            return response(service, l != null && l.ready());
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Alive implements HealthCheck {
        private final LabelerService service;

        public Alive(LabelerService service) {
            this.service = service;
        }

        @Override
        public HealthCheckResponse call() {
            var l = service.labeler();
            return response(service, l == null || (l.worker().stopReason() == null));
        }
    }
}
