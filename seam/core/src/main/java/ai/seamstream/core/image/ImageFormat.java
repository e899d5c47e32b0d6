package ai.seamstream.core.image;

/** The encoded image formats that {@link ImageDecoder} reads and {@link ImageEncoder} writes. */
public enum ImageFormat {
    JPEG("jpeg"),
    PNG("png");

    private final String imageIoName;

    ImageFormat(String imageIoName) {
        this.imageIoName = imageIoName;
    }

    /** The format name javax.imageio knows this format by. */
    String imageIoName() {
        return imageIoName;
    }
}
