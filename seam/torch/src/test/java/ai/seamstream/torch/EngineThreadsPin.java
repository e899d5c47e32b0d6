package ai.seamstream.torch;

import ai.djl.engine.Engine;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts the PyTorch engine once, before any test class, with the thread counts the build sets
 * ({@code ai.djl.pytorch.num_threads} in the surefire configuration). Without it the first test to touch the engine
 * decides: a CLI test starting first would run every later test on the CLI's default of two threads, and results that
 * depend on the order of floating-point sums would then depend on the order of test classes.
 */
public final class EngineThreadsPin implements LauncherSessionListener {
    private static volatile String requested;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        requested = System.getProperty("ai.djl.pytorch.num_threads");
        Engine.getEngine("PyTorch");
    }

    /** The intra-op thread count the build asked for when the session opened, or null when this listener did not run. */
    public static String requested() {
        return requested;
    }
}
