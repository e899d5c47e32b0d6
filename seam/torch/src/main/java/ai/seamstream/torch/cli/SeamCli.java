package ai.seamstream.torch.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** The {@code seam} command line: synth, train, train-affinity, infer, eval, import, export, export-affinity, bench, inspect-pcm. User errors end in one line and exit code 2. */
public final class SeamCli {
    static final String USAGE = """
            usage: seam <command> [options]
              synth  --out DIR [--count 600] [--size 112] [--classes 8] [--seed 1] [--val-fraction 0.2] [--format png|jpg]
                     [--objects 1,3] [--bodies 0.3,0.5] [--markings 0.06,0.10] [--marking-tint 1]
                     [--marking-shade 0.5] [--body-cue 0] [--overwrite]
              train  --data DIR --out DIR [--method seam|cam] [--split train] [--backbone small|full] [--width 0.125]
                     [--units 1] [--head-width 1] [--bn train|frozen] [--freeze-early] [--steps N | --epochs E] [--batch 8] [--crop PX]
                     [--lr 0.01] [--head-lr-mult 10] [--weight-decay 5e-4] [--momentum 0] [--scale 0.3] [--seed 1]
                     [--resize 1,1.714] [--hue 0.1] [--threads 2] [--log-every 10] [--init CHECKPOINT_DIR|WEIGHT_FILE]
              infer  --checkpoint DIR --images DIR --out DIR [--split S] [--scales 0.5,1,1.5,2] [--no-flip]
                     [--background 0.26] [--predict-tags] [--save-maps] [--maps auto|cam] [--threads 2]
                     [--engine djl|onnx]   (onnx: --model DIR from 'seam export' instead of --checkpoint;
                                            scales, flip, background from its manifest; [--batch 1] [--cuda])
                     [--refine none|crf|rw|rw+crf] [--crf-alpha 4] [--crf-iterations 10]
                     [--affinity DIR]  (a 'train-affinity' checkpoint runs on DJL, an 'export-affinity' model on ONNX
                                        Runtime; --engine onnx defaults to the model's own affinity/ sub-folder)
                     [--rw-alpha 6] [--rw-beta 8] [--rw-logt 6] [--rw-crf-iterations 1]
              train-affinity --checkpoint DIR --data DIR --out DIR [--split train] [--steps 300] [--batch 8]
                     [--crop PX] [--lr 0.01] [--head-lr-mult 10] [--weight-decay 5e-4] [--momentum 0] [--low-alpha 4]
                     [--high-alpha 24] [--radius 5] [--hue 0.1] [--scales 0.5,1,1.5,2] [--seed 1] [--threads 2]
              import --from FILE --to DIR [--format auto|params|pth|safetensors] [--strict] [--classes voc|a,b,..|FILE]
                     [--method auto|seam|cam] [--backbone full|small] [--width 0.125] [--units 1|2,1,2,2]
                     [--scales 0.5,1,1.5,2] [--background 0.26] [--threads 2]
              export --checkpoint DIR --out DIR [--opset 17] [--affinity DIR]   (ships the affinity net in affinity/)
              export-affinity --checkpoint DIR --out DIR [--opset 17]
              eval   --pred DIR --data DIR [--split S] [--json FILE]
              bench  quality [--seeds 1,2,3] [--pretrain-steps 1500] [--pretrain-lr 0.05] [--pretrain-momentum 0.9]
                     [--steps 600] [--lr 0.01] [--momentum 0] [--count 240] [--size 96] [--objects 1,3]
                     [--bodies 0.5,0.8] [--markings 0.08,0.14] [--marking-tint 1] [--marking-shade 0.5]
                     [--body-cue 0] [--width 0.125] [--units 1] [--head-width 1] [--batch 8] [--hue 0.1] [--scale 0.3]
                     [--methods cam,seam] [--er-weight 1] [--ecr-weight 1] [--min-weight 1] [--ohem-ratio 0.2]
                     [--crf] [--affinity-steps 0]
                     [--appearance-bins 0 | --dense-bins 0 [--dense-radius 1] [--dense-min-chroma 0.1]
                     [--dense-weight 0.1]] [--fresh-fc8] [--reuse-pretrain] [--out DIR] [--report DIR] [--threads 2]
              inspect-pcm --checkpoint DIR --data DIR [--split train] [--images 120] [--scale 1] [--power 4]
                     [--threads 2] [--json FILE]   (what a SEAM checkpoint's PCM affinity does on the stride-8 grid)
              bench  speed [--threads 2] [--repeats 7]
              bench  infer [--threads 2] [--repeats 5] [--full-repeats 1] [--small-size 128] [--full-size 448]
                     [--no-full] [--work target/bench-infer] [--report docs/benchmarks]
              bench  refine [--sizes 250x188,500x375,1000x750] [--repeats 7] [--feature-channels 448] [--report DIR]
              help
            """;

    private SeamCli() {
    }

    /**
     * The usage lines of one command (each entry of {@link #USAGE} starts at two spaces of indentation and runs until the
     * next): all of {@code bench}'s entries, or only those of {@code bench <sub>} when {@code sub} names one.
     *
     * @throws UsageException when no entry is for {@code cmd} (or for {@code sub} of it)
     */
    static String usageOf(String cmd, String sub) {
        boolean bench = cmd.equals("bench");
        var sb = new StringBuilder("usage: seam ").append(cmd).append(bench ? " " + (sub == null ? "<which>" : sub) : "")
                .append(" [options]\n");
        boolean any = false;
        boolean in = false;
        for (String line : USAGE.lines().skip(1).toList()) {
            if (line.length() > 2 && line.charAt(2) != ' ') {
                String[] words = line.strip().split("\\s+");
                in = words[0].equals(cmd) && (sub == null || !bench || words[1].equals(sub));
                any |= in;
            }
            if (in) {
                sb.append(line).append('\n');
            }
        }
        if (!any) {
            throw new UsageException("no command '" + cmd + (sub != null && bench ? " " + sub : "")
                    + "'; 'seam help' lists them");
        }
        return sb.toString();
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs one command; returns the process exit code (0 ok, 1 failure of the work, 2 user error). */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
            if (argv.length > 1) { // 'seam help train', 'seam help bench quality'
                try {
                    out.print(usageOf(argv[1], argv.length > 2 ? argv[2] : null));
                    return 0;
                } catch (UsageException e) {
                    err.println("seam help: error: " + e.getMessage());
                    return 2;
                }
            }
            out.print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        String cmd = argv[0];
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        boolean debug = System.getenv("SEAM_DEBUG") != null;
        try {
            if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
                // 'seam train --help', 'seam bench quality -h': that command's lines of the usage.
                out.print(usageOf(cmd, rest.length > 0 && !rest[0].startsWith("-") ? rest[0] : null));
                return 0;
            }
            switch (cmd) {
                case "synth" -> SynthCommand.run(Args.parse("synth", rest), out);
                case "train" -> TrainCommand.run(Args.parse("train", rest), out);
                case "infer" -> InferCommand.run(Args.parse("infer", rest), out);
                case "train-affinity" -> TrainAffinityCommand.run(Args.parse("train-affinity", rest), out);
                case "eval" -> EvalCommand.run(Args.parse("eval", rest), out);
                case "import" -> ImportCommand.run(Args.parse("import", rest), out);
                case "export" -> ExportCommand.run(Args.parse("export", rest), out);
                case "export-affinity" -> ExportCommand.runAffinity(Args.parse("export-affinity", rest), out);
                case "bench" -> BenchCommand.run(rest, out);
                case "inspect-pcm" -> InspectPcmCommand.run(Args.parse("inspect-pcm", rest), out);
                default -> throw new UsageException("unknown command '" + cmd + "'; commands: synth, train, train-affinity, infer, eval, import, export, export-affinity, bench, help");
            }
            return 0;
        } catch (UsageException | IllegalArgumentException e) {
            err.println("seam " + cmd + ": error: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return 2;
        } catch (IOException | UncheckedIOException e) {
            err.println("seam " + cmd + ": error: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return 2;
        } catch (RuntimeException e) {
            // A fault of ours, not the user's: keep the trace, it is what a bug report needs.
            err.println("seam " + cmd + ": internal error: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }
}
