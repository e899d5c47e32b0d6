package ai.seamstream.torch.pretrained;

import ai.seamstream.core.tensor.NamedTensor;
import ai.seamstream.core.weights.WeightFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames the tensors of a weight file to the project's parameter names, which are the reference SEAM state
 * dict's ({@code conv1a.weight}, {@code b2.conv_branch2a.weight}, {@code b4_5.bn_branch2b1.running_var},
 * {@code bn7.bias}, {@code fc8.weight}, {@code f8_3.weight}, ...).
 *
 * <p>Two naming schemes are recognised, whatever the file format:
 * <ul>
 *   <li>{@link Scheme#MXNET_IMAGENET}: the ImageNet ResNet-38 ({@code ilsvrc-cls_rna-a1_cls1000_ep-0001.params}),
 *       renamed as the reference's {@code convert_mxnet_to_torch} does: {@code res{S}a_branch*_weight} →
 *       {@code b{S}.conv_branch*.weight}, {@code res{S}b{n}_…} → {@code b{S}_{n}.…}, {@code bn{S}{u}_branch*_gamma,
 *       beta, moving_mean, moving_var} → {@code bn_branch*.weight, bias, running_mean, running_var},
 *       {@code bn7_*} → {@code bn7.*}, {@code conv1a_weight} → {@code conv1a.weight}; the {@code arg:}/{@code aux:}
 *       prefixes go, and the 1000-class {@code linear1000} layer is dropped.</li>
 *   <li>{@link Scheme#STATE_DICT}: a PyTorch state dict of the reference network (SEAM, or the classifier it
 *       starts from); a {@code module.} prefix that {@code nn.DataParallel} adds is stripped and BatchNorm's
 *       {@code num_batches_tracked} counters are dropped.</li>
 * </ul>
 */
public final class NameMapping {

    /** Which naming a file uses. */
    public enum Scheme {
        /** MXNet names of the ImageNet-pretrained ResNet-38: backbone only, no fc8 or PCM heads. */
        MXNET_IMAGENET,
        /** The reference PyTorch state dict names (= the project's names). */
        STATE_DICT
    }

    /**
     * The outcome of renaming.
     *
     * @param scheme   the recognised scheme
     * @param tensors  renamed tensors, in file order
     * @param dropped  file names deliberately left out (the ImageNet classifier, BatchNorm counters)
     * @param unmapped file names that fit no rule of the scheme
     * @param sources  the file name of each renamed tensor, by new name
     */
    public record Mapped(Scheme scheme, List<NamedTensor> tensors, List<String> dropped, List<String> unmapped,
                         Map<String, String> sources) {
        public Mapped {
            tensors = List.copyOf(tensors);
            sources = Map.copyOf(sources);
            dropped = List.copyOf(dropped);
            unmapped = List.copyOf(unmapped);
        }
    }

    private static final Pattern MX_UNIT = Pattern.compile(
            "(res|bn)(\\d)(a|b(\\d+))_(branch[0-9a-z]+)_(weight|gamma|beta|moving_mean|moving_var)");
    private static final Pattern MX_BN7 = Pattern.compile("bn7_(gamma|beta|moving_mean|moving_var)");
    private static final Map<String, String> MX_BN = Map.of("gamma", "weight", "beta", "bias",
            "moving_mean", "running_mean", "moving_var", "running_var");
    private static final String DATA_PARALLEL = "module.";

    private NameMapping() {
    }

    /** The scheme of a file: MXNet ImageNet names if any tensor carries one, else a state dict. */
    public static Scheme detect(WeightFile file) {
        for (NamedTensor t : file.tensors()) {
            String n = stripMx(t.name());
            if (n.equals("conv1a_weight") || n.startsWith("linear1000_") || MX_UNIT.matcher(n).matches()
                    || MX_BN7.matcher(n).matches()) {
                return Scheme.MXNET_IMAGENET;
            }
        }
        return Scheme.STATE_DICT;
    }

    /** Renames every tensor of a file under its detected scheme. */
    public static Mapped map(WeightFile file) {
        Scheme scheme = detect(file);
        var out = new ArrayList<NamedTensor>();
        var dropped = new ArrayList<String>();
        var unmapped = new ArrayList<String>();
        var sources = new java.util.HashMap<String, String>();
        boolean allDataParallel = !file.tensors().isEmpty()
                && file.tensors().stream().allMatch(t -> t.name().startsWith(DATA_PARALLEL));
        for (NamedTensor t : file.tensors()) {
            String name = t.name();
            String renamed;
            if (scheme == Scheme.MXNET_IMAGENET) {
                String n = stripMx(name);
                if (n.startsWith("linear1000_")) {
                    dropped.add(name);
                    continue;
                }
                renamed = fromMxnet(n);
            } else {
                renamed = allDataParallel ? name.substring(DATA_PARALLEL.length()) : name;
                if (renamed.endsWith(".num_batches_tracked")) {
                    dropped.add(name);
                    continue;
                }
            }
            if (renamed == null) {
                unmapped.add(name);
            } else {
                out.add(new NamedTensor(renamed, t.shape(), t.data()));
                sources.putIfAbsent(renamed, name);
            }
        }
        return new Mapped(scheme, out, dropped, unmapped, sources);
    }

    /**
     * The project name of an ImageNet ResNet-38 MXNet name without its {@code arg:}/{@code aux:} prefix; null if it
     * fits no rule.
     */
    static String fromMxnet(String n) {
        if (n.equals("conv1a_weight")) {
            return "conv1a.weight";
        }
        Matcher m = MX_BN7.matcher(n);
        if (m.matches()) {
            return "bn7." + MX_BN.get(m.group(1));
        }
        m = MX_UNIT.matcher(n);
        if (!m.matches()) {
            return null;
        }
        boolean conv = m.group(1).equals("res");
        String param = m.group(6);
        if (conv != param.equals("weight")) {
            return null; // res…_gamma or bn…_weight: no such layer in ResNet-38
        }
        String unit = "b" + m.group(2) + (m.group(4) == null ? "" : "_" + Integer.parseInt(m.group(4)));
        return unit + "." + (conv ? "conv_" : "bn_") + m.group(5) + "." + (conv ? "weight" : MX_BN.get(param));
    }

    private static String stripMx(String name) {
        return name.startsWith("arg:") || name.startsWith("aux:") ? name.substring(4) : name;
    }
}
