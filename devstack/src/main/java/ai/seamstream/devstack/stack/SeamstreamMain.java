package ai.seamstream.devstack.stack;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** {@code bin/seamstream}: up, down, status, logs, demo. Exit codes: 0 fine, 1 failed, 2 bad arguments, 3 not up. */
public final class SeamstreamMain {
    private SeamstreamMain() {
    }

    static final String USAGE = """
            usage: bin/seamstream COMMAND [options]
              up       start broker, ingest, labeler, trainer; wait until healthy; Ctrl-C stops them (--detach returns)
              down     stop them (reverse order)
              status   which are up and their health
              logs     [service] the last --lines N lines of the logs
              demo     bring the stack up if needed and run the learning demo (see docs/local-stack.md)
            options: --run-dir target/stack  --data DIR (broker data, formatted anew)  --broker-port 9092
                     --controller-port 9093  --ingest-port 8080  --labeler-port 8081  --trainer-port 8082
                     --services broker,ingest,labeler,trainer  --timeout 300 (s per service)  --no-build  --lines 40""";

    public static void main(String[] args) throws Exception {
        StackOptions o;
        try {
            o = StackOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("seamstream: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Path root = Path.of(System.getProperty("seamstream.root", "")).toAbsolutePath();
        try {
            System.exit(run(o, root));
        } catch (HealthWait.NotHealthyException | IllegalStateException e) {
            System.err.println("seamstream: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(StackOptions o, Path root) throws Exception {
        var launcher = new StackLauncher(o, root, System.out, Map.of());
        switch (o.command()) {
            case "help" -> {
                System.out.println(USAGE);
                return 0;
            }
            case "up" -> {
                if (!o.detach()) {
                    // Ctrl-C: stop the services in reverse order before the launcher exits
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            launcher.down();
                        } catch (Exception e) {
                            System.err.println("seamstream: stopping failed: " + e);
                        }
                    }, "seamstream-down"));
                }
                launcher.up();
                if (!o.detach()) {
                    launcher.watch();
                }
                return 0;
            }
            case "down" -> {
                if (!launcher.down()) {
                    System.out.println("nothing was running (pid files in " + o.pidDir() + ")");
                }
                return 0;
            }
            case "status" -> {
                return launcher.status().values().stream().allMatch(b -> b) ? 0 : 3;
            }
            case "logs" -> {
                launcher.logs(o.rest().isEmpty() ? Optional.empty() : Optional.of(o.rest().get(0)));
                return 0;
            }
            case "demo" -> {
                return DemoMain.run(o, root, System.out);
            }
            default -> throw new IllegalArgumentException(o.command());
        }
    }
}
