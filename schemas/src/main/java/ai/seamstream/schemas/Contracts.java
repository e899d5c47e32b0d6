package ai.seamstream.schemas;

import ai.seamstream.schemas.v1.DeadLetterProto;
import ai.seamstream.schemas.v1.ImageProto;
import ai.seamstream.schemas.v1.LabelStateProto;
import ai.seamstream.schemas.v1.LabelledImageProto;
import ai.seamstream.schemas.v1.MaskProto;
import ai.seamstream.schemas.v1.ModelEventProto;
import ai.seamstream.schemas.v1.ReviewProto;
import ai.seamstream.schemas.v1.TagProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.util.List;

/** The protobuf files of the wire contracts (package {@code seamstream.v1}), for tools that walk the descriptors. */
public final class Contracts {
    private Contracts() {
    }

    /** Every contract file, imports before importers. */
    public static List<FileDescriptor> files() {
        return List.of(ImageProto.getDescriptor(), TagProto.getDescriptor(),
                LabelStateProto.getDescriptor(), LabelledImageProto.getDescriptor(),
                MaskProto.getDescriptor(), ReviewProto.getDescriptor(),
                ModelEventProto.getDescriptor(), DeadLetterProto.getDescriptor());
    }
}
