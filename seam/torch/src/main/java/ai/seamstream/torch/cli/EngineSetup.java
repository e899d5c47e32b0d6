package ai.seamstream.torch.cli;

import ai.djl.engine.Engine;

/** Fixes the PyTorch engine's thread counts before its first use (they cannot change afterwards). */
final class EngineSetup {
    private EngineSetup() {
    }

    /** Sets intra-op threads to {@code threads} and inter-op threads to 1, and seeds the engine's RNG. */
    static void configure(int threads, long seed) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
        Engine.getInstance().setRandomSeed((int) seed);
    }
}
