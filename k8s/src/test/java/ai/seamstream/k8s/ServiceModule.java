package ai.seamstream.k8s;

import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.MemberValuePair;
import com.github.javaparser.ast.expr.NormalAnnotationExpr;
import com.github.javaparser.ast.expr.SingleMemberAnnotationExpr;
import com.github.javaparser.ast.expr.StringLiteralExpr;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import com.github.javaparser.ast.type.Type;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What a Quarkus service module of this repository says about itself: its {@code application.properties}, the
 * configuration keys of its {@code @ConfigMapping} interfaces (read from the Java sources with a Java parser), and
 * its Quarkus extensions. Ports and health paths follow Quarkus's rules and defaults for the keys involved.
 *
 * @param name       folder name (ingest, labeler, trainer)
 * @param properties the module's {@code application.properties}
 * @param mapped     every key of its {@code @ConfigMapping} interfaces, with its {@code @WithDefault} (or null)
 * @param mapKeys    prefixes of {@code Map}-valued mapping members: any key below them is read
 * @param extensions artifact ids of its dependencies
 */
record ServiceModule(String name, Properties properties, Map<String, String> mapped, Set<String> mapKeys,
                     Set<String> extensions) {

    /**
     * The module in {@code ROOT/NAME}, or empty when the repository has no Quarkus service there yet (no
     * {@code src/main/resources/application.properties}). The system property {@code seam.k8s.module.NAME} points
     * at another folder (to check the manifests against a service being written elsewhere).
     */
    static Optional<ServiceModule> load(Path root, String name) {
        String override = System.getProperty("seam.k8s.module." + name);
        Path dir = override != null ? Path.of(override) : root.resolve(name);
        Path props = dir.resolve("src/main/resources/application.properties");
        if (!Files.isRegularFile(props) || !Files.isRegularFile(dir.resolve("pom.xml"))) {
            return Optional.empty();
        }
        var p = new Properties();
        try (Reader r = Files.newBufferedReader(props, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var mapped = new TreeMap<String, String>();
        var mapKeys = new TreeSet<String>();
        StaticJavaParser.getParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17);
        try (Stream<Path> files = Files.walk(dir.resolve("src/main/java"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                CompilationUnit cu = StaticJavaParser.parse(f);
                for (ClassOrInterfaceDeclaration t : cu.findAll(ClassOrInterfaceDeclaration.class)) {
                    Optional<AnnotationExpr> a = t.getAnnotationByName("ConfigMapping");
                    if (a.isPresent()) {
                        String prefix = annotationValue(a.get(), "prefix").orElse("");
                        walk(cu, t, prefix, mapped, mapKeys);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(new ServiceModule(name, p, mapped, mapKeys, dependencies(dir.resolve("pom.xml"))));
    }

    private static void walk(CompilationUnit cu, ClassOrInterfaceDeclaration group, String prefix,
                             Map<String, String> mapped, Set<String> mapKeys) {
        for (MethodDeclaration m : group.getMethods()) {
            if (m.isStatic() || m.isDefault() || m.getBody().isPresent() || !m.getParameters().isEmpty()) {
                continue;
            }
            String segment = m.getAnnotationByName("WithName").flatMap(x -> annotationValue(x, "value"))
                    .orElse(kebab(m.getNameAsString()));
            String key = prefix.isEmpty() ? segment : prefix + "." + segment;
            Type type = m.getType();
            String raw = rawName(type);
            if (raw.equals("Optional") || raw.equals("List")) {
                type = typeArgument(type, 0).orElse(type);
                raw = rawName(type);
            }
            if (raw.equals("Map")) {
                mapKeys.add(key);
                continue;
            }
            Optional<ClassOrInterfaceDeclaration> nested = groupNamed(cu, raw);
            if (nested.isPresent()) {
                walk(cu, nested.get(), key, mapped, mapKeys);
            } else {
                mapped.put(key, m.getAnnotationByName("WithDefault").flatMap(x -> annotationValue(x, "value"))
                        .orElse(null));
            }
        }
    }

    private static Optional<ClassOrInterfaceDeclaration> groupNamed(CompilationUnit cu, String simpleName) {
        return cu.findAll(ClassOrInterfaceDeclaration.class).stream()
                .filter(c -> c.isInterface() && c.getNameAsString().equals(simpleName)).findFirst();
    }

    private static String rawName(Type t) {
        return t instanceof ClassOrInterfaceType c ? c.getNameAsString() : t.asString();
    }

    private static Optional<Type> typeArgument(Type t, int i) {
        if (t instanceof ClassOrInterfaceType c && c.getTypeArguments().isPresent()
                && c.getTypeArguments().get().size() > i) {
            return Optional.of(c.getTypeArguments().get().get(i));
        }
        return Optional.empty();
    }

    private static Optional<String> annotationValue(AnnotationExpr a, String member) {
        if (a instanceof SingleMemberAnnotationExpr s && member.equals("value")) {
            return literal(s.getMemberValue().toString(), s.getMemberValue());
        }
        if (a instanceof NormalAnnotationExpr n) {
            for (MemberValuePair p : n.getPairs()) {
                if (p.getNameAsString().equals(member)) {
                    return literal(p.getValue().toString(), p.getValue());
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> literal(String text, com.github.javaparser.ast.expr.Expression e) {
        if (e instanceof StringLiteralExpr s) {
            return Optional.of(s.asString());
        }
        throw new IllegalArgumentException("not a string literal in a configuration annotation: " + text);
    }

    /** SmallRye Config's member-name rule: {@code bootstrapServers} is {@code bootstrap-servers}. */
    static String kebab(String camel) {
        var sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('-').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The environment variable that sets a property: non-alphanumerics to {@code _}, upper case (MicroProfile Config). */
    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /**
     * The property an environment variable sets for this service, or empty when the service reads no such key:
     * a key of its mapping or its application.properties, or a key below one of its mapping's maps.
     */
    Optional<String> keyOfEnv(String env) {
        var known = new HashMap<String, String>();
        for (String k : mapped.keySet()) {
            known.put(envName(k), k);
        }
        for (String k : properties.stringPropertyNames()) {
            known.put(envName(k), k);
        }
        if (known.containsKey(env)) {
            return Optional.of(known.get(env));
        }
        for (String m : mapKeys) {
            String p = envName(m) + "_";
            if (env.startsWith(p) && env.length() > p.length()) {
                return Optional.of(m + ".*");
            }
        }
        return Optional.empty();
    }

    /** The value the service runs with when nothing overrides it: application.properties, else the mapping's default. */
    Optional<String> effective(String key) {
        String v = properties.getProperty(key);
        return Optional.ofNullable(v != null ? v : mapped.get(key));
    }

    int httpPort() {
        return Integer.parseInt(properties.getProperty("quarkus.http.port", "8080"));
    }

    /** {@code /q/health/live} unless the non-application root or the health paths are moved. */
    String livenessPath() {
        return healthRoot() + "/" + properties.getProperty("quarkus.smallrye-health.liveness-path", "live");
    }

    String readinessPath() {
        return healthRoot() + "/" + properties.getProperty("quarkus.smallrye-health.readiness-path", "ready");
    }

    String metricsPath() {
        return nonApplicationRoot() + "/" + properties.getProperty("quarkus.micrometer.export.prometheus.path", "metrics");
    }

    private String healthRoot() {
        return nonApplicationRoot() + "/" + properties.getProperty("quarkus.smallrye-health.root-path", "health");
    }

    private String nonApplicationRoot() {
        String r = properties.getProperty("quarkus.http.non-application-root-path", "q");
        return "/" + r.replaceAll("^/+|/+$", "");
    }

    private static Set<String> dependencies(Path pom) {
        try {
            var f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var doc = f.newDocumentBuilder().parse(pom.toFile());
            var out = new TreeSet<String>();
            NodeList deps = doc.getElementsByTagName("dependency");
            for (int i = 0; i < deps.getLength(); i++) {
                var d = (Element) deps.item(i);
                NodeList a = d.getElementsByTagName("artifactId");
                if (a.getLength() > 0) {
                    out.add(a.item(0).getTextContent().trim());
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pom, e);
        }
    }

    /** The names of the service modules the manifests deploy, in their folders. */
    static final List<String> SERVICES = List.of("ingest", "labeler", "trainer");
}
