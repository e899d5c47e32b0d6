package ai.seamstream.core.dataset;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The format, size and band count of an image read from its header with an ImageIO reader, without decoding pixels.
 *
 * <p>Sizes are those stored in the file; EXIF orientation is not applied.
 */
record ImageHeader(String format, int width, int height, int bands) {

    /** Reads the header of an image file. */
    static ImageHeader of(Path file) throws DatasetException {
        try (var in = new FileImageInputStream(file.toFile())) {
            return read(in, file.toString());
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read image header (" + e.getMessage() + ")", e);
        }
    }

    /** Reads the header of encoded image bytes, naming them {@code source} in errors. */
    static ImageHeader of(byte[] encoded, String source) throws DatasetException {
        try (var in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            return read(in, source);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(source + ": cannot read image header (" + e.getMessage() + ")", e);
        }
    }

    private static ImageHeader read(ImageInputStream in, String source) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new DatasetException(source + ": not an image format this JDK can read");
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, true);
            int bands = 3;
            var raw = reader.getRawImageType(0);
            if (raw != null) {
                bands = raw.getNumBands();
            }
            return new ImageHeader(reader.getFormatName().toLowerCase(Locale.ROOT), reader.getWidth(0),
                    reader.getHeight(0), bands);
        } catch (RuntimeException e) {
            throw new DatasetException(source + ": corrupt image header (" + e + ")", e);
        } finally {
            reader.dispose();
        }
    }
}
