package ai.seamstream.torch.cli;

import ai.seamstream.core.dataset.VocDataset;
import ai.seamstream.core.mask.LabelMask;
import ai.seamstream.core.mask.PaletteMaskCodec;
import ai.seamstream.core.metrics.ConfusionMatrix;
import ai.seamstream.core.metrics.EvalReport;
import ai.seamstream.core.metrics.ThresholdSweep;
import ai.seamstream.core.tensor.ClassMaps;
import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.tensor.SafeTensors;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code seam eval}: predicted masks against ground truth (SEAM-METHOD §4): per-class IoU/FP/FN, mIoU, m_FP, m_FN;
 * when the prediction folder holds {@code maps/} (from {@code seam infer --save-maps}) also the background sweep.
 */
final class EvalCommand {
    private EvalCommand() {
    }

    static void run(Args a, PrintStream out) throws IOException {
        Path pred = a.existingDir("pred");
        Path data = a.existingDir("data");
        String split = a.string("split", null);
        Path json = a.has("json") ? a.path("json") : null;
        a.finish();

        VocDataset ds = VocDataset.open(data);
        String s = split != null ? split : ds.splits().contains("train") ? "train" : ds.splits().get(0);
        var classes = ds.classes();
        var matrix = new ConfusionMatrix(classes.size());
        boolean sweepable = Files.isDirectory(pred.resolve("maps"));
        ThresholdSweep sweep = sweepable ? new ThresholdSweep(classes.size()) : null;
        int n = 0;
        for (String id : ds.ids(s)) {
            if (!ds.hasMask(id)) {
                continue;
            }
            LabelMask truth = ds.mask(id);
            Path file = pred.resolve("masks").resolve(id + ".png");
            if (!Files.isRegularFile(file)) {
                throw new UsageException("eval: no predicted mask " + file + " for ground-truth image " + id);
            }
            LabelMask p = PaletteMaskCodec.read(file);
            if (p.width() != truth.width() || p.height() != truth.height()) {
                throw new UsageException("eval: " + file + " is " + p.width() + "x" + p.height() + ", its ground truth "
                        + truth.width() + "x" + truth.height());
            }
            matrix.add(p, truth);
            if (sweep != null) {
                Path mf = pred.resolve("maps").resolve(id + ".safetensors");
                NamedTensor t = SafeTensors.read(mf).tensors().get(0);
                long[] sh = t.shape();
                if (sh.length != 3 || sh[0] != classes.foregroundCount() || sh[1] != truth.height() || sh[2] != truth.width()) {
                    throw new UsageException("eval: " + mf + " has shape " + java.util.Arrays.toString(sh) + ", expected ["
                            + classes.foregroundCount() + ", " + truth.height() + ", " + truth.width() + "]");
                }
                sweep.add(new ClassMaps((int) sh[0], (int) sh[1], (int) sh[2], t.data()), truth);
            }
            n++;
        }
        if (n == 0) {
            throw new UsageException("eval: split '" + s + "' of " + data + " has no ground-truth masks");
        }
        EvalReport report = EvalReport.of(classes, matrix);
        out.println("evaluated " + n + " images of split '" + s + "': the masks as written");
        out.print(report.toTable());
        if (sweep != null) {
            // The sweep re-thresholds the saved maps; its table is the one at the best background score.
            report = EvalReport.of(classes, sweep);
            out.println();
            out.println("background score sweep 0.00..0.59 over the saved maps:");
            out.print(report.toTable());
        }
        if (json != null) {
            Files.writeString(json, report.toJson());
        }
    }
}
