package ai.seamstream.torch.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Locale;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The progress line users read during training: every term, the dense one only where a run has it. */
class ProgressLineTest {
    private Locale saved;

    @BeforeEach
    void pinLocale() {
        saved = Locale.getDefault();
        Locale.setDefault(Locale.ROOT);
    }

    @AfterEach
    void restoreLocale() {
        Locale.setDefault(saved);
    }

    @Test
    void seamLineNamesEveryTermWithoutADenseOne() {
        var p = new SeamTrainer.Progress(150, 600, new SeamTrainer.Losses(1.25f, 0.5f, 0.125f, 0.25f, 0.375f), 42.04,
                Duration.ofSeconds(125));
        assertEquals("step 150/600 (25%) loss 1.2500 [cls 0.5000 min 0.1250 er 0.2500 ecr 0.3750] 42.0 img/s ETA 2m05s",
                p.line());
    }

    @Test
    void densePretrainingLineShowsTheUnweightedDenseTerm() {
        var p = new SeamTrainer.Progress(1500, 1500, new SeamTrainer.Losses(0.4590f, 0.357f, 0f, 0f, 0f, 1.02f), 8,
                Duration.ZERO);
        assertEquals("step 1500/1500 (100%) loss 0.4590 [cls 0.3570 min 0.0000 er 0.0000 ecr 0.0000 dense 1.0200] 8.0 img/s "
                + "ETA 0m00s", p.line());
    }
}
