package ai.seamstream.ingest.http;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/**
 * OpenAPI has one POST per path, so the generated document shows only the multipart upload of {@code /v1/images};
 * this filter adds the raw-body content types and their query parameters to it.
 */
public class RawUploadOpenApiFilter implements OASFilter {
    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getPaths() == null) {
            return;
        }
        PathItem item = api.getPaths().getPathItem("/v1/images");
        if (item == null || item.getPOST() == null) {
            return;
        }
        Operation post = item.getPOST();
        if (post.getRequestBody() == null) {
            post.setRequestBody(OASFactory.createRequestBody().content(OASFactory.createContent()));
        }
        Content content = post.getRequestBody().getContent();
        Schema binary = OASFactory.createSchema().addType(Schema.SchemaType.STRING).format("binary");
        for (String type : new String[] {"image/png", "image/jpeg", "application/octet-stream"}) {
            content.addMediaType(type, OASFactory.createMediaType().schema(binary));
        }
        post.setSummary("Send an image (raw body or multipart form)");
        post.setDescription("Raw body: Content-Type image/png, image/jpeg or application/octet-stream, with query "
                + "parameters id, tags, annotator. Multipart: fields file, id, tags, annotator. The id defaults to the "
                + "hex SHA-256 of the bytes, so a re-sent image is the same image. Answers 202 once the image and its "
                + "tags are on Kafka; 400/413/415 with a reason for bad input.");
        for (String name : new String[] {"id", "tags", "annotator"}) {
            boolean present = post.getParameters() != null
                    && post.getParameters().stream().anyMatch(p -> name.equals(p.getName()));
            if (!present) {
                post.addParameter(OASFactory.createParameter().name(name).in(Parameter.In.QUERY).required(false)
                        .schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING)));
            }
        }
    }
}
