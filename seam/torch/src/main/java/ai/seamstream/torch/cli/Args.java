package ai.seamstream.torch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code --name value} and {@code --flag} options of one subcommand; every option read is checked off, and
 * {@link #finish()} rejects any the command does not know, so a typo is an error rather than a silent default.
 */
public final class Args {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> used = new TreeSet<>();

    private Args(String command) {
        this.command = command;
    }

    /**
     * Parses the arguments that follow the subcommand name; an option followed by another option or by nothing is a flag.
     *
     * @throws UsageException for an option given twice
     */
    public static Args parse(String command, String[] argv) {
        var a = new Args(command);
        for (int i = 0; i < argv.length; i++) {
            String s = argv[i];
            if (s.startsWith("--") && s.length() > 2) {
                String name = s.substring(2);
                String value = "true";
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                    value = argv[++i];
                }
                if (a.values.put(name, value) != null) {
                    throw new UsageException(command + ": option --" + name + " given twice");
                }
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    public String command() {
        return command;
    }

    public List<String> positional() {
        used.add("\0positional");
        return positional;
    }

    public boolean has(String name) {
        used.add(name);
        return values.containsKey(name);
    }

    public String string(String name, String def) {
        used.add(name);
        return values.getOrDefault(name, def);
    }

    /** A required option. */
    public String require(String name) {
        used.add(name);
        String v = values.get(name);
        if (v == null || v.equals("true")) {
            throw new UsageException(command + ": missing --" + name + " <value>");
        }
        return v;
    }

    public boolean flag(String name) {
        used.add(name);
        String v = values.get(name);
        if (v == null) {
            return false;
        }
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new UsageException(command + ": --" + name + " takes no value (got '" + v + "')");
    }

    public int integer(String name, int def, int min, int max) {
        String v = string(name, null);
        if (v == null) {
            return def;
        }
        try {
            int x = Integer.parseInt(v);
            if (x < min || x > max) {
                throw new UsageException(command + ": --" + name + " must be in " + min + ".." + max + ", got " + x);
            }
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " needs a whole number, got '" + v + "'");
        }
    }

    public long longValue(String name, long def, long min) {
        String v = string(name, null);
        if (v == null) {
            return def;
        }
        try {
            long x = Long.parseLong(v);
            if (x < min) {
                throw new UsageException(command + ": --" + name + " must be >= " + min + ", got " + x);
            }
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " needs a whole number, got '" + v + "'");
        }
    }

    public double real(String name, double def, double min, double max) {
        String v = string(name, null);
        if (v == null) {
            return def;
        }
        try {
            double x = Double.parseDouble(v);
            if (!(x >= min && x <= max)) {
                throw new UsageException(command + ": --" + name + " must be in [" + min + ", " + max + "], got " + v);
            }
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " needs a number, got '" + v + "'");
        }
    }

    /** A comma-separated list of numbers, e.g. {@code 0.5,1,1.5,2}. */
    public double[] reals(String name, double[] def, double min, double max) {
        String v = string(name, null);
        if (v == null) {
            return def.clone();
        }
        try {
            double[] out = Arrays.stream(v.split(",")).map(String::strip).mapToDouble(Double::parseDouble).toArray();
            for (double x : out) {
                if (!(x >= min && x <= max)) {
                    throw new UsageException(command + ": --" + name + " values must be in [" + min + ", " + max + "], got " + x);
                }
            }
            if (out.length == 0) {
                throw new UsageException(command + ": --" + name + " needs at least one number");
            }
            return out;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " needs comma-separated numbers, got '" + v + "'");
        }
    }

    /** One of a fixed set of words. */
    public String choice(String name, String def, String... allowed) {
        String v = string(name, def);
        if (!Arrays.asList(allowed).contains(v)) {
            throw new UsageException(command + ": --" + name + " must be one of " + String.join("|", allowed) + ", got '" + v + "'");
        }
        return v;
    }

    /** A path that must exist as a directory. */
    public Path existingDir(String name) {
        Path p = Path.of(require(name));
        if (!Files.isDirectory(p)) {
            throw new UsageException(command + ": --" + name + " " + p + " is not a directory");
        }
        return p;
    }

    /** A path that must exist, as a file or a directory. */
    public Path existingPath(String name) {
        Path p = Path.of(require(name));
        if (!Files.exists(p)) {
            throw new UsageException(command + ": --" + name + " " + p + " does not exist");
        }
        return p;
    }

    public Path path(String name) {
        return Path.of(require(name));
    }

    public Path path(String name, Path def) {
        String v = string(name, null);
        return v == null ? def : Path.of(v);
    }

    /**
     * Fails on options the command never read.
     *
     * @throws UsageException naming the unknown options
     */
    public void finish() {
        var unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(used);
        if (!unknown.isEmpty()) {
            throw new UsageException(command + ": unknown option" + (unknown.size() > 1 ? "s" : "") + " --"
                    + String.join(", --", unknown) + " (see 'seam help')");
        }
        if (!positional.isEmpty() && !used.contains("\0positional")) {
            throw new UsageException(command + ": unexpected argument '" + positional.get(0) + "'");
        }
    }
}
