package io.parvirt.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.model.AttributeOutput;
import io.parvirt.model.Values;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON object of attributes as one HMC attribute record: strings and numbers as written,
 * booleans as 1/0, arrays as HMC lists; nested objects and nulls are rejected.
 */
final class JsonRecord {
    private JsonRecord() {
    }

    static String toRecord(String body, String... selectors) {
        JsonNode n = Routes.readJson(body.isBlank() ? "{}" : body);
        if (!n.isObject()) {
            throw new BadRequest("The request body must be a JSON object of attribute names to values.");
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i + 1 < selectors.length; i += 2) {
            if (selectors[i] != null) {
                sep(out);
                AttributeOutput.pair(out, selectors[i], selectors[i + 1]);
                if (n.has(selectors[i])) {
                    throw new BadRequest("The attribute " + selectors[i] + " comes from the path; leave it out of "
                            + "the body.");
                }
            }
        }
        var it = n.fields();
        while (it.hasNext()) {
            var f = it.next();
            if (!f.getKey().matches("[a-z0-9_]{1,64}")) {
                throw new BadRequest("HSCL1301", "The attribute " + Values.quote(f.getKey()) + " is not a valid "
                        + "attribute name: names use lower-case letters, digits and underscores.");
            }
            sep(out);
            AttributeOutput.pair(out, f.getKey(), value(f.getKey(), f.getValue()));
        }
        if (out.isEmpty()) {
            throw new BadRequest("The request body names no attributes.");
        }
        return out.toString();
    }

    private static void sep(StringBuilder out) {
        if (!out.isEmpty()) {
            out.append(',');
        }
    }

    private static String value(String name, JsonNode v) {
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isIntegralNumber()) {
            String s = v.bigIntegerValue().toString();
            if (s.length() > 64) {
                throw new BadRequest("HSCL1303", "The value for attribute " + name + " is out of range.");
            }
            return s;
        }
        if (v.isNumber()) {
            java.math.BigDecimal d = v.decimalValue();
            if (Math.abs(d.scale()) > 64 || d.precision() > 64) {
                throw new BadRequest("HSCL1303", "The value for attribute " + name + " is out of range.");
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
                    throw new BadRequest("The list for attribute " + name + " must hold strings or numbers.");
                }
                l.add(e.asText());
            }
            return AttributeOutput.list(l);
        }
        throw new BadRequest("The value for attribute " + name + " must be a string, number, boolean or list.");
    }
}
