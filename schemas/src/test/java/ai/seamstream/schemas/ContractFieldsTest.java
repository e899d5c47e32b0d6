package ai.seamstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the wire contracts: every field and enum value of {@code contract-fields.txt} keeps its number and type, or
 * its number and name are reserved (removed compatibly); every new field must be added to that file on purpose.
 *
 * <p>The current listing is written to {@code target/contract-fields.actual.txt} to copy from.
 */
class ContractFieldsTest {

    /** One line per field or enum value: {@code <qualified name> = <number> <type>}. */
    static Map<String, String> describe(List<FileDescriptor> files) {
        var out = new LinkedHashMap<String, String>();
        for (FileDescriptor f : files) {
            for (Descriptor d : f.getMessageTypes()) {
                describeMessage(d, out);
            }
            for (EnumDescriptor e : f.getEnumTypes()) {
                describeEnum(e, out);
            }
        }
        return out;
    }

    private static void describeMessage(Descriptor d, Map<String, String> out) {
        for (FieldDescriptor fd : d.getFields()) {
            String type = switch (fd.getJavaType()) {
                case MESSAGE -> fd.isMapField() ? "map<" + typeName(fd.getMessageType().findFieldByName("key")) + ","
                        + typeName(fd.getMessageType().findFieldByName("value")) + ">" : fd.getMessageType().getFullName();
                default -> typeName(fd);
            };
            String label = fd.isMapField() ? "" : fd.isRepeated() ? "repeated " : "";
            out.put(fd.getFullName(), fd.getNumber() + " " + label + type);
        }
        for (Descriptor nested : d.getNestedTypes()) {
            if (!nested.getOptions().getMapEntry()) {
                describeMessage(nested, out);
            }
        }
        for (EnumDescriptor e : d.getEnumTypes()) {
            describeEnum(e, out);
        }
    }

    private static String typeName(FieldDescriptor fd) {
        return switch (fd.getType()) {
            case MESSAGE -> fd.getMessageType().getFullName();
            case ENUM -> fd.getEnumType().getFullName();
            default -> fd.getType().name().toLowerCase();
        };
    }

    private static void describeEnum(EnumDescriptor e, Map<String, String> out) {
        for (EnumValueDescriptor v : e.getValues()) {
            out.put(e.getFullName() + "." + v.getName(), v.getNumber() + " enum");
        }
    }

    static Map<String, String> expected() throws IOException {
        var out = new LinkedHashMap<String, String>();
        try (InputStream in = ContractFieldsTest.class.getResourceAsStream("/contract-fields.txt")) {
            assertTrue(in != null, "contract-fields.txt is missing from the test resources");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#")) {
                    continue;
                }
                int eq = s.indexOf(" = ");
                out.put(s.substring(0, eq), s.substring(eq + 3));
            }
        }
        return out;
    }

    /** What breaks compatibility between the pinned listing and the files: changed or unreserved removed fields. */
    static List<String> incompatibilities(Map<String, String> expected, List<FileDescriptor> files) {
        Map<String, String> actual = describe(files);
        var problems = new ArrayList<String>();
        for (var e : expected.entrySet()) {
            String now = actual.get(e.getKey());
            if (now == null) {
                if (!reserved(files, e.getKey(), Integer.parseInt(e.getValue().split(" ")[0]))) {
                    problems.add(e.getKey() + " (" + e.getValue() + ") was removed without reserving its number and name");
                }
            } else if (!now.equals(e.getValue())) {
                problems.add(e.getKey() + " changed from '" + e.getValue() + "' to '" + now + "'");
            }
        }
        return problems;
    }

    @Test
    void everyPinnedFieldKeepsItsNumberAndTypeOrIsReserved() throws IOException {
        writeActual(describe(Contracts.files()));
        assertEquals(List.of(), incompatibilities(expected(), Contracts.files()), "incompatible contract changes");
    }

    @Test
    void theCheckCatchesRenumberingRetypingAndUnreservedRemoval() throws Exception {
        var pinned = Map.of("t.M.a", "1 string", "t.M.b", "2 int64", "t.M.c", "3 bytes");
        // b renumbered to 5, c removed without reserving
        var broken = file(DescriptorProto.newBuilder().setName("M")
                .addField(field("a", 1, FieldDescriptorProto.Type.TYPE_STRING))
                .addField(field("b", 5, FieldDescriptorProto.Type.TYPE_INT64)));
        assertEquals(List.of("t.M.b changed from '2 int64' to '5 int64'",
                "t.M.c (3 bytes) was removed without reserving its number and name"),
                incompatibilities(new java.util.TreeMap<>(pinned), List.of(broken)));
        // a retyped
        var retyped = file(DescriptorProto.newBuilder().setName("M")
                .addField(field("a", 1, FieldDescriptorProto.Type.TYPE_BYTES))
                .addField(field("b", 2, FieldDescriptorProto.Type.TYPE_INT64))
                .addField(field("c", 3, FieldDescriptorProto.Type.TYPE_BYTES)));
        assertEquals(List.of("t.M.a changed from '1 string' to '1 bytes'"),
                incompatibilities(new java.util.TreeMap<>(pinned), List.of(retyped)));
        // c removed the compatible way: number and name reserved
        var evolved = file(DescriptorProto.newBuilder().setName("M")
                .addField(field("a", 1, FieldDescriptorProto.Type.TYPE_STRING))
                .addField(field("b", 2, FieldDescriptorProto.Type.TYPE_INT64))
                .addField(field("d", 4, FieldDescriptorProto.Type.TYPE_STRING))
                .addReservedRange(DescriptorProto.ReservedRange.newBuilder().setStart(3).setEnd(4))
                .addReservedName("c"));
        assertEquals(List.of(), incompatibilities(new java.util.TreeMap<>(pinned), List.of(evolved)));
    }

    private static FieldDescriptorProto.Builder field(String name, int number, FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
    }

    private static FileDescriptor file(DescriptorProto.Builder message) throws Exception {
        return FileDescriptor.buildFrom(FileDescriptorProto.newBuilder().setName("t.proto").setPackage("t")
                .setSyntax("proto3").addMessageType(message).build(), new FileDescriptor[0]);
    }

    @Test
    void everyFieldIsPinned() throws IOException {
        Map<String, String> expected = expected();
        var unpinned = new ArrayList<String>();
        for (var e : describe(Contracts.files()).entrySet()) {
            if (!expected.containsKey(e.getKey())) {
                unpinned.add(e.getKey() + " = " + e.getValue());
            }
        }
        assertEquals(List.of(), unpinned, "new fields: append these lines to src/test/resources/contract-fields.txt");
    }

    @Test
    void describeSeesNumbersTypesAndLabels() {
        Map<String, String> d = describe(Contracts.files());
        assertEquals("2 bytes", d.get("seamstream.v1.Image.data"));
        assertEquals("10 seamstream.v1.CaptureMetadata", d.get("seamstream.v1.Image.capture"));
        assertEquals("3 repeated string", d.get("seamstream.v1.TagEvent.classes"));
        assertEquals("3 map<string,string>", d.get("seamstream.v1.CaptureMetadata.attributes"));
        assertEquals("2 enum", d.get("seamstream.v1.TagAction.TAG_ACTION_REMOVE"));
        assertFalse(d.keySet().stream().anyMatch(k -> k.contains("Entry")), "map entries are not messages of their own");
    }

    /** A removed field is compatible when its message reserves both its number and its name. */
    private static boolean reserved(List<FileDescriptor> files, String qualifiedField, int number) {
        int dot = qualifiedField.lastIndexOf('.');
        String message = qualifiedField.substring(0, dot);
        String field = qualifiedField.substring(dot + 1);
        for (FileDescriptor f : files) {
            Descriptor d = f.findMessageTypeByName(message.substring(message.lastIndexOf('.') + 1));
            if (d != null && d.getFullName().equals(message)) {
                boolean numberReserved = d.toProto().getReservedRangeList().stream()
                        .anyMatch(r -> r.getStart() <= number && number < r.getEnd());
                return numberReserved && d.toProto().getReservedNameList().contains(field);
            }
            EnumDescriptor en = f.findEnumTypeByName(message.substring(message.lastIndexOf('.') + 1));
            if (en != null && en.getFullName().equals(message)) {
                boolean numberReserved = en.toProto().getReservedRangeList().stream()
                        .anyMatch(r -> r.getStart() <= number && number <= r.getEnd());
                return numberReserved && en.toProto().getReservedNameList().contains(field);
            }
        }
        return false;
    }

    private static void writeActual(Map<String, String> actual) throws IOException {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            var lines = new ArrayList<String>();
            actual.forEach((k, v) -> lines.add(k + " = " + v));
            Files.write(target.resolve("contract-fields.actual.txt"), lines, StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyContractFileIsInThePackageAndJavaPackageOfTheContracts() {
        for (FileDescriptor f : Contracts.files()) {
            assertEquals("seamstream.v1", f.getPackage(), f.getName());
            assertEquals("ai.seamstream.schemas.v1", f.getOptions().getJavaPackage(), f.getName());
            if (f.getOptions().getJavaPackage().isEmpty()) {
                fail(f.getName() + " has no java_package");
            }
        }
    }
}
