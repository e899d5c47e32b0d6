package ai.seamstream.core.dataset;

import java.util.Locale;

/** The rules an image id or split name obeys, shared by the reader and the writer of the VOC layout. */
final class DatasetIds {
    /** Image file extensions of {@code JPEGImages}, in the order the writer and the reader try them. */
    static final String[] IMAGE_EXTENSIONS = {"jpg", "jpeg", "png"};

    private DatasetIds() {
    }

    /**
     * Why a string cannot be an id or split name, or null if it can: ids become file names and lines of list files,
     * so they must be one token with no path separator (a listed "../x" must not reach outside the data set).
     */
    static String problem(String id) {
        if (id == null || id.isEmpty()) {
            return "an id must not be empty";
        }
        if (id.equals(".") || id.equals("..")) {
            return "'" + id + "' is not a valid id";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '/' || c == '\\') {
                return "id '" + id + "' contains a path separator";
            }
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "id '" + id + "' contains whitespace or a control character";
            }
        }
        return null;
    }

    /** The id part of an image file name, or null if the extension is not an image one. */
    static String idOfImageFile(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        String ext = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        for (String e : IMAGE_EXTENSIONS) {
            if (e.equals(ext)) {
                return fileName.substring(0, dot);
            }
        }
        return null;
    }
}
