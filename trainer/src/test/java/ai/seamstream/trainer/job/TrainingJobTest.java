package ai.seamstream.trainer.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.seamstream.core.synth.SyntheticGenerator;
import ai.seamstream.torch.checkpoint.Checkpoint;
import ai.seamstream.trainer.Fixtures;
import ai.seamstream.trainer.dataset.HoldOutSplit;
import ai.seamstream.trainer.dataset.LabelledImage;
import ai.seamstream.trainer.dataset.TrainingData;
import ai.seamstream.trainer.dataset.TrainingSetStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingJobTest {
    @TempDir
    static Path dir;
    static SyntheticGenerator gen;
    static TrainingData.Materialised data;
    static NDManager manager;

    @org.junit.jupiter.api.AfterAll
    static void close() {
        manager.close();
    }

    @BeforeAll
    static void data() throws Exception {
        manager = NDManager.newBaseManager();
        gen = Fixtures.generator(11, 24);
        try (var store = TrainingSetStore.open(dir.resolve("store"))) {
            Fixtures.fill(store, gen, false);
            store.upsert(new LabelledImage("corrupt", "garbage".getBytes(StandardCharsets.UTF_8), List.of("cross"), 1, null));
            data = TrainingData.materialise(store.snapshot(), gen.vocabulary(), new HoldOutSplit(0.2, ""), "test");
        }
    }

    @Test
    void aJobTrainsTheSeamObjectiveReportsProgressAndSkipsBadImages() throws Exception {
        var job = new TrainingJob("j1", Fixtures.tinySpec(gen.vocabulary(), 6, 0.01), data, dir.resolve("j1"));
        assertEquals(JobState.QUEUED, job.progress().state());
        var r = job.run(manager);
        assertEquals(JobState.SUCCEEDED, r.state(), r.progress().message());
        JobProgress p = r.progress();
        assertEquals(6, p.step());
        assertEquals(6, p.totalSteps());
        assertTrue(p.imagesPerSecond() > 0);
        assertNotNull(p.eta());
        assertTrue(p.losses().er() > 0 && p.losses().ecr() > 0, "the siamese terms are trained: " + p.losses());
        assertEquals(List.of("corrupt"), p.skipped().stream().map(s -> s.imageId()).toList());
        assertNotNull(p.finishedAt());
        assertEquals(data.snapshotId(), p.snapshotId());
        assertTrue(Files.isRegularFile(r.checkpoint().resolve(Checkpoint.WEIGHTS)));
        assertEquals("SEAM", r.manifest().network().method());
        assertThrows(IllegalStateException.class, () -> job.run(manager), "a job runs once");
    }

    @Test
    void cancellationStopsBetweenStepsAndKeepsNothing() throws Exception {
        Path out = dir.resolve("cancelled");
        var job = new TrainingJob("j2", Fixtures.tinySpec(gen.vocabulary(), 200, 0.01), data, out);
        var seen = new ArrayList<Long>();
        // Cancel from another thread once the job has reported step 4.
        Thread watcher = new Thread(() -> {
            while (!job.progress().state().finished()) {
                if (job.progress().step() >= 4) {
                    seen.add(job.progress().step());
                    job.cancel();
                    return;
                }
                Thread.onSpinWait();
            }
        });
        watcher.start();
        var r = job.run(manager);
        watcher.join();
        assertEquals(JobState.CANCELLED, r.state(), r.progress().message());
        assertTrue(r.training().steps() < 200 && r.training().steps() >= 4, "stopped at " + r.training().steps());
        assertFalse(Files.exists(out), "a cancelled job's checkpoint is discarded");
        assertNull(r.checkpoint());
        assertTrue(r.progress().message().startsWith("cancelled after step"), r.progress().message());
    }

    @Test
    void aJobCancelledBeforeItStartsDoesNotTrain() {
        var job = new TrainingJob("j3", Fixtures.tinySpec(gen.vocabulary(), 5, 0.01), data, dir.resolve("j3"));
        job.cancel();
        var r = job.run(manager);
        assertEquals(JobState.CANCELLED, r.state());
        assertEquals(0, r.progress().step());
    }

    @Test
    void aDivergingJobStopsAndKeepsNothing() {
        Path out = dir.resolve("nan");
        var job = new TrainingJob("j4", Fixtures.tinySpec(gen.vocabulary(), 40, 1e12), data, out);
        var r = job.run(manager);
        assertEquals(JobState.DIVERGED, r.state(), r.progress().message());
        assertTrue(r.progress().message().contains("lower the learning rate"), r.progress().message());
        assertFalse(Files.exists(out));
        assertNull(r.checkpoint());
    }

    @Test
    void aJobWithoutUsableImagesFailsWithAReason() {
        var empty = new TrainingData.Materialised("s", null, List.of(), data.skipped(), 3);
        var r = new TrainingJob("j5", Fixtures.tinySpec(gen.vocabulary(), 5, 0.01), empty, dir.resolve("j5"))
                .run(manager);
        assertEquals(JobState.FAILED, r.state());
        assertTrue(r.progress().message().contains("no usable training image"), r.progress().message());
    }

    @Test
    void aStartCheckpointOfAnotherVocabularyFailsTheJobNotTheProcess() throws Exception {
        var first = new TrainingJob("j6", Fixtures.tinySpec(gen.vocabulary(), 2, 0.01), data, dir.resolve("j6"))
                .run(manager);
        assertEquals(JobState.SUCCEEDED, first.state());
        var other = ai.seamstream.schemas.ClassVocabulary.ofForeground(List.of("a", "b", "c", "d"));
        var spec = Fixtures.tinySpec(other, 2, 0.01).withStart(JobSpec.Start.promoted(first.checkpoint()));
        var otherData = new TrainingData.Materialised("s", new ai.seamstream.torch.train.TrainingSet(other,
                data.train().examples(), "x", "train"), List.of(), List.of(), 0);
        var r = new TrainingJob("j7", spec, otherData, dir.resolve("j7")).run(manager);
        assertEquals(JobState.FAILED, r.state());
        assertTrue(r.progress().message().contains("has classes"), r.progress().message());
        assertFalse(Files.exists(dir.resolve("j7")));
    }

    @Test
    void aJobContinuingFromThePromotedCheckpointKeepsItsHeadWidth() throws Exception {
        var first = new TrainingJob("j10", Fixtures.tinySpec(gen.vocabulary(), 2, 0.01), data, dir.resolve("j10"))
                .run(manager);
        assertEquals(JobState.SUCCEEDED, first.state());
        double promoted = first.manifest().network().headWidth();
        var tiny = Fixtures.tinySpec(gen.vocabulary(), 2, 0.01);
        var wider = new JobSpec(tiny.net().withHeadWidth(0.5), tiny.trainer(), JobSpec.Start.promoted(first.checkpoint()),
                tiny.inferenceScales(), tiny.backgroundThreshold());
        assertNotEquals(promoted, wider.net().headWidth());
        var r = new TrainingJob("j11", wider, data, dir.resolve("j11")).run(manager);
        assertEquals(JobState.SUCCEEDED, r.state(), r.progress().message());
        assertEquals(promoted, r.manifest().network().headWidth(), "the promoted heads' weights must fit");
        var fresh = new TrainingJob("j12", new JobSpec(tiny.net().withHeadWidth(0.5), tiny.trainer(), JobSpec.Start.scratch(),
                tiny.inferenceScales(), tiny.backgroundThreshold()), data, dir.resolve("j12")).run(manager);
        assertEquals(0.5, fresh.manifest().network().headWidth(), "a scratch start takes the configured width");
    }

    /** A service runs jobs in a fresh worker thread, where PyTorch's grad mode starts on; loading start weights works. */
    @Test
    void aJobStartingFromACheckpointRunsInAFreshThread() throws Exception {
        var first = new TrainingJob("j8", Fixtures.tinySpec(gen.vocabulary(), 2, 0.01), data, dir.resolve("j8"))
                .run(manager);
        assertEquals(JobState.SUCCEEDED, first.state());
        var spec = Fixtures.tinySpec(gen.vocabulary(), 2, 0.01).withStart(JobSpec.Start.promoted(first.checkpoint()));
        var result = new java.util.concurrent.atomic.AtomicReference<TrainingJob.Result>();
        Thread t = new Thread(() -> result.set(new TrainingJob("j9", spec, data, dir.resolve("j9")).run(manager)));
        t.start();
        t.join();
        assertEquals(JobState.SUCCEEDED, result.get().state(), result.get().progress().message());
    }
}
