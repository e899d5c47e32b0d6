package ai.seamstream.core.dataset;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/** Reads the object names of a VOC annotation XML and writes such files; the parser never resolves entities. */
final class AnnotationXml {
    private AnnotationXml() {
    }

    /**
     * The {@code <name>} of every {@code <object>} directly under the root, in file order (part names such as a
     * person's "head" sit deeper and are not objects).
     *
     * @throws DatasetException naming the file if it is not well-formed XML or holds a DOCTYPE
     */
    static List<String> objectNames(DocumentBuilder parser, Path file) throws DatasetException {
        org.w3c.dom.Document doc;
        try {
            doc = parser.parse(file.toFile());
        } catch (SAXException e) {
            throw new DatasetException(file + ": not a valid annotation XML (" + oneLine(e.getMessage()) + ")", e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read annotation (" + e.getMessage() + ")", e);
        }
        var names = new ArrayList<String>();
        Element root = doc.getDocumentElement();
        int n = 0;
        for (Node obj = root.getFirstChild(); obj != null; obj = obj.getNextSibling()) {
            if (obj instanceof Element o && o.getTagName().equals("object")) {
                n++;
                Element name = firstChild(o, "name");
                if (name == null || name.getTextContent().strip().isEmpty()) {
                    throw new DatasetException(file + ": <object> number " + n + " has no <name>");
                }
                names.add(name.getTextContent().strip());
            }
        }
        return names;
    }

    /** Writes a VOC-style annotation: folder, filename, size, segmented flag, one {@code <object>} per name. */
    static void write(Path file, String folder, String fileName, int width, int height, int depth, boolean segmented,
            List<String> objectNames) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("annotation");
            leaf(w, 1, "folder", folder);
            leaf(w, 1, "filename", fileName);
            indent(w, 1);
            w.writeStartElement("size");
            leaf(w, 2, "width", Integer.toString(width));
            leaf(w, 2, "height", Integer.toString(height));
            leaf(w, 2, "depth", Integer.toString(depth));
            indent(w, 1);
            w.writeEndElement();
            leaf(w, 1, "segmented", segmented ? "1" : "0");
            for (String name : objectNames) {
                indent(w, 1);
                w.writeStartElement("object");
                leaf(w, 2, "name", name);
                leaf(w, 2, "pose", "Unspecified");
                leaf(w, 2, "truncated", "0");
                leaf(w, 2, "difficult", "0");
                indent(w, 1);
                w.writeEndElement();
            }
            w.writeCharacters("\n");
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IOException(file + ": cannot write annotation (" + e.getMessage() + ")", e);
        }
    }

    /**
     * A DOM parser hardened against XXE: no DOCTYPE at all, no external entities, DTDs, schemas or XInclude. Not
     * thread-safe; one may parse many files in turn.
     */
    static DocumentBuilder newParser() throws DatasetException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            // Rejecting DOCTYPE outright is the OWASP-recommended defence; VOC annotations never carry one.
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(THROWING);
            return b;
        } catch (ParserConfigurationException | IllegalArgumentException e) {
            throw new DatasetException("the JDK XML parser does not support the XXE-safe settings (" + e.getMessage()
                    + ")", e);
        }
    }

    /** Turns parser warnings and errors into exceptions instead of the default handler's printing to stderr. */
    private static final ErrorHandler THROWING = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    private static Element firstChild(Element parent, String tag) {
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static void leaf(XMLStreamWriter w, int depth, String tag, String text) throws XMLStreamException {
        indent(w, depth);
        w.writeStartElement(tag);
        w.writeCharacters(text);
        w.writeEndElement();
    }

    private static void indent(XMLStreamWriter w, int depth) throws XMLStreamException {
        w.writeCharacters("\n" + "\t".repeat(depth));
    }
}
