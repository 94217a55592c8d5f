package io.parvirt.partition;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parvirt.model.ModelException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a migration's source and target say to each other across daemons ({@link RemoteMobilityTarget}
 * and the target's API routes): the {@link MigrationRequest} as JSON (record fields only, as the
 * store and the run records write them) and a list of refusals, each with its kind, so the source
 * prints the target's checks with the same HSCL codes as an in-process target's.
 */
public final class MigrationMessages {
    private MigrationMessages() {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, Visibility.ANY);

    public static JsonNode request(MigrationRequest r) {
        return JSON.valueToTree(r);
    }

    /** The request a source sent; a body that is not one is the caller's INVALID_VALUE. */
    public static MigrationRequest request(JsonNode body) {
        try {
            MigrationRequest r = JSON.treeToValue(body, MigrationRequest.class);
            if (r == null || r.partition() == null || r.profile() == null || (r.spec() == null) != (r.allocation() == null)) {
                throw new IllegalArgumentException("members missing");
            }
            return r;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw ModelException.of(ModelException.Kind.INVALID_VALUE, "The migration request is not one: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    public static ArrayNode refusals(List<ModelException> failures) {
        ArrayNode a = JSON.createArrayNode();
        for (ModelException e : failures) {
            ObjectNode o = a.addObject().put("kind", e.kind().name()).put("message", e.getMessage());
            if (e.partition() != null) {
                o.put("partition", e.partition());
            }
        }
        return a;
    }

    /** The target's refusals as the source reports them; an unknown kind (a newer target) is INVALID_STATE. */
    public static List<ModelException> refusals(JsonNode array) {
        List<ModelException> out = new ArrayList<>();
        for (JsonNode o : array) {
            ModelException.Kind kind;
            try {
                kind = ModelException.Kind.valueOf(o.path("kind").asText());
            } catch (IllegalArgumentException e) {
                kind = ModelException.Kind.INVALID_STATE;
            }
            out.add(new ModelException(kind, o.path("partition").isTextual() ? o.path("partition").asText() : null,
                    null, null, o.path("message").asText(), null));
        }
        return out;
    }
}
