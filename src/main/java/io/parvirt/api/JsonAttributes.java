package io.parvirt.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.model.AttributeInput;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.AttributeInput.Op;
import io.parvirt.model.AttributeOutput;
import io.parvirt.model.ModelException;
import io.parvirt.model.PartitionAttributes;
import io.parvirt.model.ProfileAttributes;
import io.parvirt.model.Values;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON object of attributes as the assignments of one command: strings and numbers as written,
 * booleans as 1/0, arrays as HMC list values; nested objects and nulls are rejected. Types are not
 * coerced where that would change meaning (issue 12): a name or a description must be a JSON string
 * ({@code "name": true} would name a partition {@code 1}), and only list attributes take an array.
 * Attributes the path names come first and may not be repeated in the body.
 */
final class JsonAttributes {
    private JsonAttributes() {
    }

    /** A JSON array of objects: one record of attributes each (a template's deployment). */
    static List<List<Assignment>> parseList(String body) {
        com.fasterxml.jackson.databind.JsonNode a;
        try {
            a = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
        } catch (java.io.IOException e) {
            throw ModelException.of(ModelException.Kind.SYNTAX, "The request body is not valid JSON.");
        }
        if (a == null || !a.isArray() || a.isEmpty()) {
            throw ModelException.of(ModelException.Kind.SYNTAX, "The request body must be a JSON array of one object "
                    + "per partition.");
        }
        List<List<Assignment>> out = new java.util.ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode o : a) {
            out.add(parse(o.toString()));
        }
        return out;
    }

    static List<Assignment> parse(String body, Assignment... fromPath) {
        JsonNode n = Json.read(body.isBlank() ? "{}" : body);
        if (!n.isObject()) {
            throw Json.invalid("The request body must be a JSON object of attribute names to values.");
        }
        List<Assignment> out = new ArrayList<>(List.of(fromPath));
        for (Assignment a : fromPath) {
            if (n.has(a.name())) {
                throw Json.invalid("The attribute " + a.name() + " comes from the path; leave it out of the body.");
            }
        }
        var it = n.fields();
        while (it.hasNext()) {
            var f = it.next();
            if (!f.getKey().matches("[a-z0-9_]{1,64}")) {
                throw new ModelException(ModelException.Kind.UNKNOWN_ATTRIBUTE, f.getKey(), "The attribute "
                        + Values.quote(f.getKey()) + " is not a valid attribute name: names use lower-case "
                        + "letters, digits and underscores.");
            }
            out.add(new Assignment(f.getKey(), Op.SET, value(f.getKey(), f.getValue())));
        }
        if (out.isEmpty()) {
            throw Json.invalid("The request body names no attributes.");
        }
        checkLength(out);
        return out;
    }

    /** The same bound as a typed {@code -i} record: the body is no way around it. */
    private static void checkLength(List<Assignment> attributes) {
        StringBuilder record = new StringBuilder();
        for (Assignment a : attributes) {
            if (!record.isEmpty()) {
                record.append(',');
            }
            AttributeOutput.pair(record, a.name(), a.value());
        }
        if (record.length() > AttributeInput.MAX_RECORD_LENGTH) {
            throw ModelException.of(ModelException.Kind.SYNTAX, "The attribute input is too long: "
                    + record.length() + " characters, at most " + AttributeInput.MAX_RECORD_LENGTH + " are allowed.");
        }
    }

    /** Names and free text: a number or a boolean there is a client's mistake, not a name. */
    static boolean isText(String name) {
        return name.equals("name") || name.endsWith("_name") || name.equals("description")
                || name.equals("default_profile") || name.equals("parvirt_image");
    }

    /** An array is a list value only where the attribute is a list (or unknown: the command says so). */
    static boolean mayBeList(String name) {
        boolean known = ProfileAttributes.TABLE.has(name) || PartitionAttributes.CREATE.has(name)
                || PartitionAttributes.CHANGE.has(name);
        return !known || ProfileAttributes.TABLE.isList(name) || PartitionAttributes.CREATE.isList(name)
                || PartitionAttributes.CHANGE.isList(name);
    }

    private static String value(String name, JsonNode v) {
        if (v.isTextual()) {
            return v.textValue();
        }
        if (isText(name)) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, name, "The value for attribute " + name
                    + " must be a JSON string, not " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + ".");
        }
        if (v.isArray() && !mayBeList(name)) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, name, "The attribute " + name + " takes one "
                    + "value, not a list.");
        }
        if (v.isIntegralNumber()) {
            String s = v.bigIntegerValue().toString();
            if (s.length() > 64) {
                throw outOfRange(name, s);
            }
            return s;
        }
        if (v.isNumber()) {
            BigDecimal d = v.decimalValue();
            if (Math.abs(d.scale()) > 64 || d.precision() > 64) {
                throw outOfRange(name, null);
            }
            return d.toPlainString();
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? "1" : "0";
        }
        if (v.isArray()) {
            List<String> l = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isValueNode() || e.isNull()) {
                    throw new ModelException(ModelException.Kind.SYNTAX, name, "The list for attribute " + name
                            + " must hold strings or numbers.");
                }
                l.add(e.asText());
            }
            return AttributeOutput.list(l);
        }
        throw new ModelException(ModelException.Kind.SYNTAX, name, "The value for attribute " + name
                + " must be a string, number, boolean or list.");
    }

    private static ModelException outOfRange(String name, String value) {
        return new ModelException(ModelException.Kind.OUT_OF_RANGE, null, name, value, "The value for attribute "
                + name + " is out of range.", null);
    }
}
