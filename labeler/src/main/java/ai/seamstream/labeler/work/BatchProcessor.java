package ai.seamstream.labeler.work;

import ai.seamstream.core.image.ImageDecoder;
import ai.seamstream.core.image.ImageFetcher;
import ai.seamstream.core.image.RgbImage;
import ai.seamstream.core.inference.PseudoMaskResult;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.mask.UncertaintyPng;
import ai.seamstream.core.onnx.OnnxPseudoMasks;
import ai.seamstream.labeler.LabelerConfig;
import ai.seamstream.labeler.model.Refiner;
import ai.seamstream.labeler.model.ServingModel;
import ai.seamstream.labeler.review.ReviewStrategy;
import ai.seamstream.schemas.v1.ClassResult;
import ai.seamstream.schemas.v1.DeadLetter;
import ai.seamstream.schemas.v1.Image;
import ai.seamstream.schemas.v1.LabelledImage;
import ai.seamstream.schemas.v1.Latency;
import ai.seamstream.schemas.v1.Lineage;
import ai.seamstream.schemas.v1.Mask;
import ai.seamstream.schemas.v1.ReviewRequest;
import ai.seamstream.schemas.v1.SuggestedTag;
import ai.seamstream.schemas.v1.TagOrigin;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One micro-batch: labelled images in, masks, dead letters and review candidates out. Records that cannot become
 * pipeline requests (unparseable, no image, undecodable, classes the model does not know) become dead letters and
 * the rest of the batch goes on; the good ones run through the pipeline together (their same-size views share
 * ONNX Runtime runs). With {@code seam.labeler.refine} on, each mask is then refined ({@link Refiner}); an image whose
 * refinement fails becomes a {@code refine-failed} dead letter.
 */
public final class BatchProcessor {
    /** Images given by URI: file:, http(s): within 30 s and 64 MiB (ImageFetcher's defaults). */
    private static final ImageFetcher FETCHER = ImageFetcher.defaults();

    /** A mask with its review verdict. */
    public record Made(ConsumerRecord<String, byte[]> source, Mask mask, ReviewStrategy.Candidate review) {
    }

    /** A record refused. */
    public record Refused(ConsumerRecord<String, byte[]> source, DeadLetter deadLetter) {
    }

    /** What a batch produced, the pipeline's time for it and the refinement's (0 when the labeler does not refine). */
    public record Outcome(List<Made> masks, List<Refused> refused, long inferenceNanos, long refineNanos) {
    }

    private record Job(ConsumerRecord<String, byte[]> source, LabelledImage li, RgbImage image, boolean[] given) {
    }

    private final LabelerConfig config;
    private final ReviewStrategy strategy;
    private final LongSupplier clock;

    public BatchProcessor(LabelerConfig config, ReviewStrategy strategy, LongSupplier clock) {
        this.config = config;
        this.strategy = strategy;
        this.clock = clock;
    }

    public Outcome process(List<ConsumerRecord<String, byte[]>> records, ServingModel model) {
        List<Refused> refused = new ArrayList<>();
        List<Job> jobs = new ArrayList<>();
        for (var r : records) {
            try {
                jobs.add(prepare(r, model));
            } catch (BadInput e) {
                refused.add(new Refused(r, deadLetter(r, e.code, e.getMessage())));
            }
        }
        List<Made> made = new ArrayList<>();
        long t0 = System.nanoTime();
        List<PseudoMaskResult> results = new ArrayList<>();
        List<Job> done = new ArrayList<>();
        if (!jobs.isEmpty()) {
            try {
                results.addAll(model.pipeline().run(jobs.stream().map(j -> new OnnxPseudoMasks.Request(j.image, j.given)).toList()));
                done.addAll(jobs);
            } catch (Exception batchFailure) {
                // find the image that breaks the run; the others still get masks
                for (Job j : jobs) {
                    try {
                        results.add(model.pipeline().run(j.image, j.given));
                        done.add(j);
                    } catch (Exception e) {
                        refused.add(new Refused(j.source, deadLetter(j.source, "inference-failed",
                                "model " + model.version() + " failed on the image: " + e)));
                    }
                }
            }
        }
        long inference = System.nanoTime() - t0;
        int n = done.size();
        long refineTotal = 0;
        for (int i = 0; i < n; i++) {
            Job j = done.get(i);
            PseudoMaskResult r = results.get(i);
            Refiner.Refined refined;
            try {
                refined = model.refiner().refine(j.image, r);
            } catch (Exception e) {
                refused.add(new Refused(j.source, deadLetter(j.source, "refine-failed", "model " + model.version()
                        + ": refinement " + model.refiner().options().mode() + " failed on the image: " + e)));
                continue;
            }
            refineTotal += refined.nanos();
            Mask m = mask(j, r, refined, model, inference / Math.max(1, n), n);
            var review = strategy.score(model.classes(), j.given, r);
            made.add(new Made(j.source, m, review));
        }
        return new Outcome(made, refused, inference, refineTotal);
    }

    private static final class BadInput extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        BadInput(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    private Job prepare(ConsumerRecord<String, byte[]> r, ServingModel model) throws BadInput {
        if (r.value() == null) {
            throw new BadInput("unparseable", "empty record (tombstone) on " + r.topic());
        }
        LabelledImage li;
        try {
            li = LabelledImage.parseFrom(r.value());
        } catch (InvalidProtocolBufferException e) {
            throw new BadInput("unparseable", "not a LabelledImage: " + e.getMessage());
        }
        if (li.getImageId().isEmpty()) {
            throw new BadInput("unparseable", "LabelledImage without an image id");
        }
        byte[] bytes = imageBytes(li.getImage());
        RgbImage img;
        try {
            img = ImageDecoder.decode(bytes, li.getImageId(), config.maxImagePixels());
        } catch (Exception e) {
            throw new BadInput("not-an-image", "image " + li.getImageId() + " does not decode: " + e.getMessage());
        }
        boolean[] given = null;
        List<String> classes = model.classes();
        if (li.hasLabels() && li.getLabels().getClassesCount() > 0) {
            given = new boolean[classes.size() - 1];
            List<String> unknown = new ArrayList<>();
            for (String c : li.getLabels().getClassesList()) {
                int k = classes.indexOf(c);
                if (k < 1) {
                    unknown.add(c);
                } else {
                    given[k - 1] = true;
                }
            }
            if (!unknown.isEmpty()) {
                throw new BadInput("unknown-class", "image " + li.getImageId() + " is tagged " + unknown + ", which model "
                        + model.version() + " does not know (it knows " + classes.subList(1, classes.size()) + ")");
            }
        }
        return new Job(r, li, img, given);
    }

    private byte[] imageBytes(Image image) throws BadInput {
        if (image.getContentCase() == Image.ContentCase.DATA) {
            return image.getData().toByteArray();
        }
        if (image.getContentCase() != Image.ContentCase.URI) {
            throw new BadInput("not-an-image", "the record carries no image (neither bytes nor a URI)");
        }
        try {
            return FETCHER.fetch(image.getUri());
        } catch (IOException e) {
            throw new BadInput("not-an-image", e.getMessage());
        }
    }

    /** The mask record: the emitted (refined) mask and its class areas, the CAM's uncertainty and probabilities. */
    private Mask mask(Job j, PseudoMaskResult r, Refiner.Refined refined, ServingModel model, long inferenceNanos, int batchSize) {
        LabelMask lm = refined.mask();
        int w = lm.width();
        int h = lm.height();
        long[] counts = new long[256];
        for (byte b : lm.labels()) {
            counts[b & 0xff]++;
        }
        double pixels = (double) w * h;
        Mask.Builder m = Mask.newBuilder()
                .setImageId(j.li.getImageId())
                .setMaskPng(ByteString.copyFrom(PaletteMaskCodec.encode(lm)))
                .setUncertaintyPng(ByteString.copyFrom(UncertaintyPng.encode(r.uncertainty(), w, h)))
                .setModelVersion(model.version())
                .setLabelVersion(r.predictedTags() ? 0 : j.li.getLabelVersion())
                .setTagOrigin(r.predictedTags() ? TagOrigin.TAG_ORIGIN_PREDICTED : TagOrigin.TAG_ORIGIN_GIVEN)
                .setWidth(w)
                .setHeight(h);
        List<String> classes = model.classes();
        float[] p = r.classProbabilities();
        for (int k = 0; k < p.length; k++) {
            m.addClasses(ClassResult.newBuilder().setName(classes.get(k + 1)).setIndex(k + 1)
                    .setArea(counts[k + 1] / pixels).setScore(p[k]));
            if (r.tags()[k]) {
                m.addTagsUsed(classes.get(k + 1));
            }
        }
        long now = clock.getAsLong();
        Image img = j.li.getImage();
        long from = img.getReceivedAtMs() > 0 ? img.getReceivedAtMs() : j.li.getJoinedAtMs();
        m.setLatency(Latency.newBuilder().setEndToEndMs(from > 0 ? Math.max(0, now - from) : 0)
                .setInferenceMs(inferenceNanos / 1_000_000).setBatchSize(batchSize).setRefineMs(refined.nanos() / 1_000_000));
        m.setLineage(Lineage.newBuilder().setSourceTopic(j.source.topic()).setSourcePartition(j.source.partition())
                .setSourceOffset(j.source.offset()).setImageSha256(img.getSha256()).setModelSha256(model.sha256())
                .setProducedAtMs(now).setProducer(config.instance()));
        return m.build();
    }

    /** A review request for a mask and its verdict. */
    public ReviewRequest review(Made made, long nowMs) {
        var c = made.review();
        var b = ReviewRequest.newBuilder().setImageId(made.mask().getImageId()).setScore(c.score()).setReason(c.reason())
                .setDetail(c.detail()).setModelVersion(made.mask().getModelVersion())
                .setLabelVersion(made.mask().getLabelVersion()).setRequestedAtMs(nowMs);
        for (var s : c.suggestions()) {
            b.addSuggestedTags(SuggestedTag.newBuilder().setName(s.name()).setScore(s.score()));
        }
        return b.build();
    }

    private DeadLetter deadLetter(ConsumerRecord<String, byte[]> r, String code, String error) {
        var d = DeadLetter.newBuilder().setSourceTopic(r.topic()).setSourcePartition(r.partition()).setSourceOffset(r.offset())
                .setError(error).setErrorCode(code).setService(config.instance()).setTimeMs(clock.getAsLong());
        if (r.key() != null) {
            d.setOriginalKey(ByteString.copyFromUtf8(r.key()));
        }
        if (r.value() != null) {
            d.setOriginalValue(ByteString.copyFrom(r.value()));
        }
        return d.build();
    }
}
