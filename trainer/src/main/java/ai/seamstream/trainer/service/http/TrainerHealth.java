package ai.seamstream.trainer.service.http;

import ai.seamstream.trainer.service.TrainerRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: the training set is materialised. Liveness: the materialiser and the leadership consumer run. */
public final class TrainerHealth {
    private TrainerHealth() {
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        TrainerRuntime runtime;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("trainer-store")
                    .status(runtime.materialiser().isMaterialised())
                    .withData("images", runtime.store().size())
                    .withData("leader", runtime.guard().isLeader())
                    .withData("rebuilding", runtime.materialiser().rebuilding())
                    .build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Alive implements HealthCheck {
        @Inject
        TrainerRuntime runtime;

        @Override
        public HealthCheckResponse call() {
            var b = HealthCheckResponse.named("trainer-consumers")
                    .status(runtime.materialiser().isAlive() && runtime.guard().isAlive());
            if (runtime.materialiser().failure() != null) {
                b.withData("materialiser", runtime.materialiser().failure().toString());
            }
            return b.build();
        }
    }
}
