package ai.seamstream.trainer.policy;

import static ai.seamstream.trainer.policy.RetrainPolicy.every;
import static ai.seamstream.trainer.policy.RetrainPolicy.everyNewLabels;
import static ai.seamstream.trainer.policy.RetrainPolicy.onDemand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetrainPolicyTest {
    static RetrainState state(long changed, Duration since, boolean demanded) {
        return new RetrainState(changed, since, demanded, "snap-now", "snap-before");
    }

    @Test
    void everyNewLabelsCountsChanges() {
        var p = everyNewLabels(500);
        assertFalse(p.shouldTrain(state(499, null, false)));
        assertTrue(p.shouldTrain(state(500, null, false)));
        assertThrows(IllegalArgumentException.class, () -> everyNewLabels(0));
    }

    @Test
    void everyPeriodNeedsBothTheTimeAndTheMinimumOfChanges() {
        var p = every(Duration.ofHours(1), 20);
        assertFalse(p.shouldTrain(state(100, Duration.ofMinutes(59), false)));
        assertFalse(p.shouldTrain(state(19, Duration.ofHours(2), false)));
        assertTrue(p.shouldTrain(state(20, Duration.ofHours(1), false)));
        assertTrue(p.shouldTrain(state(20, null, false)), "no job yet counts as due");
        assertThrows(IllegalArgumentException.class, () -> every(Duration.ZERO, 1));
        assertThrows(IllegalArgumentException.class, () -> every(Duration.ofHours(1), -1));
    }

    @Test
    void combinatorsFollowBooleanLogic() {
        var labels = everyNewLabels(10);
        var hourly = every(Duration.ofHours(1), 1);
        var either = labels.or(hourly).or(onDemand());
        var both = labels.and(hourly);
        boolean[] demand = {false, true};
        long[] changes = {0, 5, 10};
        Duration[] since = {Duration.ofMinutes(1), Duration.ofHours(3)};
        for (boolean d : demand) {
            for (long c : changes) {
                for (Duration s : since) {
                    var st = state(c, s, d);
                    boolean l = c >= 10;
                    boolean h = s.toMinutes() >= 60 && c >= 1;
                    assertEquals(l || h || d, either.shouldTrain(st), st.toString());
                    assertEquals(l && h, both.shouldTrain(st), st.toString());
                }
            }
        }
        assertFalse(RetrainPolicy.never().shouldTrain(state(1000, null, true)));
    }

    @Test
    void aSnapshotIsNeverTrainedTwiceWhateverThePolicySays() {
        var always = onDemand();
        var same = new RetrainState(0, Duration.ofDays(1), true, "abc", "abc");
        RetrainDecision d = RetrainDecision.decide(always, same);
        assertFalse(d.train());
        assertTrue(d.reason().contains("already trained"), d.reason());
        assertTrue(RetrainDecision.decide(always, new RetrainState(0, null, true, "abd", "abc")).train());
        assertFalse(RetrainDecision.decide(always, new RetrainState(0, null, true, null, null)).train(), "empty store");
        var notMet = RetrainDecision.decide(everyNewLabels(5), new RetrainState(2, null, false, "x", null));
        assertFalse(notMet.train());
        assertTrue(notMet.reason().contains("2 changes"), notMet.reason());
    }

    @Test
    void badStatesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetrainState(-1, null, false, null, null));
        assertThrows(IllegalArgumentException.class, () -> new RetrainState(0, Duration.ofSeconds(-1), false, null, null));
    }

    @Test
    void theLocalGuardAdmitsOneJobAtATime() throws Exception {
        var guard = new LocalJobGuard();
        var a = guard.tryAcquire("a").orElseThrow();
        assertTrue(guard.tryAcquire("b").isEmpty());
        assertEquals("a", guard.holder().orElseThrow());
        a.close();
        a.close();
        var b = guard.tryAcquire("b").orElseThrow();
        a.close(); // a stale lease must not release b's
        assertEquals("b", guard.holder().orElseThrow());
        b.close();
        assertTrue(guard.holder().isEmpty());

        // 8 threads race; exactly one wins each round.
        for (int round = 0; round < 20; round++) {
            var start = new CountDownLatch(1);
            var wins = new AtomicInteger();
            var leases = new ArrayList<JobGuard.Lease>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String id = "job" + t;
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    guard.tryAcquire(id).ifPresent(l -> {
                        wins.incrementAndGet();
                        synchronized (leases) {
                            leases.add(l);
                        }
                    });
                });
                th.start();
                threads.add(th);
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(1, wins.get());
            leases.forEach(JobGuard.Lease::close);
        }
    }
}
