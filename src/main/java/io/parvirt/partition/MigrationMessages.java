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

    /**
     * The {@code offer} step's question: the partition's entitlement in hundredths, absent for
     * dedicated processors, and the unique identifiers of its SAN disks.
     */
    public static JsonNode units(io.parvirt.model.ProcUnits units, List<String> identifiers) {
        ObjectNode o = JSON.createObjectNode();
        o.set("lun_identifiers", JSON.valueToTree(identifiers));
        return units == null ? o : o.put("proc_units_hundredths", units.hundredths());
    }

    /** The LUN identifiers a source asked about (none when it asked about none). */
    public static List<String> identifiers(JsonNode body) {
        List<String> out = new ArrayList<>();
        JsonNode a = body == null ? null : body.get("lun_identifiers");
        if (a == null || a.isNull()) {
            return out;
        }
        if (!a.isArray()) {
            throw ModelException.of(ModelException.Kind.INVALID_VALUE, "lun_identifiers must be a list of strings.");
        }
        for (JsonNode x : a) {
            if (!x.isTextual()) {
                throw ModelException.of(ModelException.Kind.INVALID_VALUE, "lun_identifiers must be a list of strings.");
            }
            out.add(x.asText());
        }
        return out;
    }

    /** The units a source asked about; anything but a whole number of hundredths in range is the caller's INVALID_VALUE. */
    public static io.parvirt.model.ProcUnits units(JsonNode body) {
        JsonNode u = body == null ? null : body.get("proc_units_hundredths");
        if (u == null || u.isNull()) {
            return null;
        }
        try {
            if (!u.isIntegralNumber() || !u.canConvertToInt()) {
                throw new IllegalArgumentException();
            }
            return new io.parvirt.model.ProcUnits(u.asInt());
        } catch (IllegalArgumentException e) {
            throw ModelException.of(ModelException.Kind.INVALID_VALUE, "proc_units_hundredths must be a whole number "
                    + "of hundredths of a processing unit.");
        }
    }

    public static JsonNode offer(MigrationOffer o) {
        ObjectNode out = JSON.createObjectNode();
        out.set("vioses", JSON.valueToTree(o.vioses()));
        out.set("pools", JSON.valueToTree(o.pools()));
        ArrayNode luns = out.putArray("luns");
        for (MigrationOffer.LunHosts l : o.luns()) {
            luns.addObject().put("identifier", l.identifier()).set("vioses", JSON.valueToTree(l.vioses()));
        }
        return out;
    }

    /** The target's offer as the source reads it; a body that is not one is an error of the target. */
    public static MigrationOffer offer(JsonNode body) {
        try {
            List<MigrationOffer.LunHosts> luns = new ArrayList<>();
            for (JsonNode l : body.path("luns")) { // an older target names none
                if (!l.path("identifier").isTextual()) {
                    throw new IllegalArgumentException("a LUN without identifier");
                }
                luns.add(new MigrationOffer.LunHosts(l.path("identifier").asText(), members(l.path("vioses"))));
            }
            return new MigrationOffer(members(body.path("vioses")), members(body.path("pools")), luns);
        } catch (IllegalArgumentException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The destination's answer is not an offer: "
                    + e.getMessage());
        }
    }

    private static List<MigrationOffer.Member> members(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("no list");
        }
        List<MigrationOffer.Member> out = new ArrayList<>();
        for (JsonNode m : array) {
            if (!m.path("id").isIntegralNumber() || !m.path("id").canConvertToInt() || !m.path("name").isTextual()) {
                throw new IllegalArgumentException("a member without id or name");
            }
            out.add(new MigrationOffer.Member(m.path("id").asInt(), m.path("name").asText()));
        }
        return out;
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
