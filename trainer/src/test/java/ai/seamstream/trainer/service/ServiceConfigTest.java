package ai.seamstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.seamstream.torch.net.BackboneConfig;
import ai.seamstream.trainer.gate.EvaluationReport;
import ai.seamstream.trainer.gate.PromotionGate;
import ai.seamstream.trainer.job.JobSpec;
import ai.seamstream.trainer.policy.RetrainPolicy;
import ai.seamstream.trainer.policy.RetrainState;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration keys become the core's policy, gate and job as documented. */
class ServiceConfigTest {

    static TrainerSettings settings(Map<String, String> keys) {
        return ServiceFixtures.settings(new HashMap<>(keys));
    }

    static RetrainState state(long changes, Duration since, boolean demanded) {
        return new RetrainState(changes, since, demanded, "s-new", "s-old");
    }

    @Test
    void policyCombinesTheEnabledRulesWithOr() {
        RetrainPolicy p = ServiceConfig.policy(settings(Map.of("seam.trainer.policy.every-new-labels", "5",
                "seam.trainer.policy.every", "1h", "seam.trainer.policy.every-min-changes", "2",
                "seam.trainer.policy.on-demand", "false")).trainer().policy());
        assertTrue(p.shouldTrain(state(5, Duration.ofMinutes(1), false)), "5 changes");
        assertFalse(p.shouldTrain(state(4, Duration.ofMinutes(59), false)), "4 changes within the hour");
        assertTrue(p.shouldTrain(state(2, Duration.ofMinutes(61), false)), "an hour and 2 changes");
        assertFalse(p.shouldTrain(state(1, Duration.ofMinutes(61), false)), "an hour but 1 change");
        assertFalse(p.shouldTrain(state(0, Duration.ofMinutes(1), true)), "on demand is off");

        RetrainPolicy demandOnly = ServiceConfig.policy(settings(Map.of("seam.trainer.policy.every-new-labels", "0"))
                .trainer().policy());
        assertTrue(demandOnly.shouldTrain(state(0, Duration.ofMinutes(1), true)));
        assertFalse(demandOnly.shouldTrain(state(1000, Duration.ofDays(1), false)));
        assertThrows(IllegalArgumentException.class, () -> ServiceConfig.policy(
                settings(Map.of("seam.trainer.policy.every-new-labels", "-1")).trainer().policy()));
    }

    @Test
    void gateIsStandardWithTheConfiguredFloors() {
        var cand = new EvaluationReport(4, 2, null, 0.60, 0.5, 0.40);
        var cur = new EvaluationReport(4, 2, null, 0.64, 0.5, 0.40);
        PromotionGate loose = ServiceConfig.gate(settings(Map.of("seam.trainer.gate.tolerance", "0.05")).trainer().gate());
        assertTrue(loose.judge(new PromotionGate.Comparison(cand, cur, 0.9)).promote(), "0.60 >= 0.64 - 0.05");
        PromotionGate tight = ServiceConfig.gate(settings(Map.of("seam.trainer.gate.tolerance", "0.03")).trainer().gate());
        assertFalse(tight.judge(new PromotionGate.Comparison(cand, cur, 0.9)).promote(), "0.60 < 0.64 - 0.03");
        PromotionGate floor = ServiceConfig.gate(settings(Map.of("seam.trainer.gate.tolerance", "0.05",
                "seam.trainer.gate.min-tag-map", "0.61", "seam.trainer.gate.min-agreement", "0.5")).trainer().gate());
        var v = floor.judge(new PromotionGate.Comparison(cand, cur, 0.9));
        assertFalse(v.promote());
        assertTrue(v.reason().contains("floor 0.6100"), v.reason());
        PromotionGate agree = ServiceConfig.gate(settings(Map.of("seam.trainer.gate.min-agreement", "0.95")).trainer().gate());
        assertFalse(agree.judge(new PromotionGate.Comparison(cand, cand, 0.9)).promote(), "agreement 0.9 < 0.95");
    }

    @Test
    void gateMetricsChooseWhatTheCandidateMustNotBeWorseOn() {
        // tag mAP better, equivariance much worse (as a sharper model on tiny images can score)
        var cand = new EvaluationReport(4, 0, null, 0.70, 0.5, 0.13);
        var cur = new EvaluationReport(4, 0, null, 0.69, 0.5, 0.42);
        var c = new PromotionGate.Comparison(cand, cur, 0.5);
        var all = ServiceConfig.gate(settings(Map.of()).trainer().gate()).judge(c);
        assertFalse(all.promote(), "the default judges equivariance too");
        assertTrue(all.reason().contains("equivariance 0.1300 < 0.4200"), all.reason());
        var two = ServiceConfig.gate(settings(Map.of("seam.trainer.gate.metrics", "meanIou, tagMap")).trainer().gate()).judge(c);
        assertTrue(two.promote(), two.reason());
        assertFalse(two.reason().contains("equivariance"), two.reason());
        var e = assertThrows(IllegalArgumentException.class, () -> ServiceConfig.gate(
                settings(Map.of("seam.trainer.gate.metrics", "tagMap,iou")).trainer().gate()));
        assertTrue(e.getMessage().contains("'iou'") && e.getMessage().contains("equivariance"), e.getMessage());
    }

    @Test
    void jobSpecFollowsTheKeys() {
        var t = settings(Map.of("seam.trainer.classes", "cat,dog", "seam.trainer.job.width", "0.25",
                "seam.trainer.job.units-per-stage", "2", "seam.trainer.job.steps", "7", "seam.trainer.job.crop", "64",
                "seam.trainer.job.start", "scratch")).trainer();
        JobSpec s = ServiceConfig.jobSpec(t.job(), ServiceConfig.vocabulary(t.classes()));
        assertEquals(BackboneConfig.small(0.25, 2), s.net().backbone());
        assertEquals(3, s.net().classes(), "background, cat, dog");
        assertEquals(7, s.trainer().steps());
        assertEquals(7, s.trainer().optimizer().totalSteps());
        assertEquals(64, s.trainer().augment().cropSize());
        assertEquals(JobSpec.Start.Kind.SCRATCH, s.start().kind());
        assertEquals(0.0, s.net().headWidth(), "PCM heads scaled with the backbone by default");
        var wider = settings(Map.of("seam.trainer.job.head-width", "1")).trainer();
        assertEquals(1.0, ServiceConfig.jobSpec(wider.job(), ServiceConfig.vocabulary(wider.classes())).net().headWidth());
        var tooWide = settings(Map.of("seam.trainer.job.head-width", "2")).trainer();
        var wide = assertThrows(IllegalArgumentException.class, () -> ServiceConfig.jobSpec(tooWide.job(),
                ServiceConfig.vocabulary(tooWide.classes())));
        assertTrue(wide.getMessage().contains("seam.trainer.job.head-width"), wide.getMessage());
        var full = settings(Map.of("seam.trainer.job.backbone", "full", "seam.trainer.job.start", "/weights/x.pth"))
                .trainer();
        JobSpec f = ServiceConfig.jobSpec(full.job(), ServiceConfig.vocabulary(full.classes()));
        assertEquals(BackboneConfig.FULL, f.net().backbone());
        assertEquals(21, f.net().classes(), "voc2012 by default");
        assertEquals(JobSpec.Start.Kind.PRETRAINED, f.start().kind());
        var bad = settings(Map.of("seam.trainer.job.backbone", "huge")).trainer();
        var e = assertThrows(IllegalArgumentException.class, () -> ServiceConfig.jobSpec(bad.job(),
                ServiceConfig.vocabulary(bad.classes())));
        assertTrue(e.getMessage().contains("seam.trainer.job.backbone"), e.getMessage());
    }
}
