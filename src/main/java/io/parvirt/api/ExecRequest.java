package io.parvirt.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** {@code {"argv": ["/bin/nproc"], "timeout_seconds": 60}}: what to run in the guest. */
record ExecRequest(List<String> argv, int timeoutSeconds) {
    static ExecRequest parse(String body) {
        JsonNode n = Json.read(body);
        if (n == null || !n.isObject() || !n.path("argv").isArray() || n.path("argv").isEmpty()) {
            throw Json.invalid("The request must be {\"argv\": [program, args...], \"timeout_seconds\": N}.");
        }
        List<String> argv = new ArrayList<>();
        for (JsonNode a : n.get("argv")) {
            if (!a.isTextual()) {
                throw Json.invalid("argv must be an array of strings.");
            }
            argv.add(a.textValue());
        }
        var it = n.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!f.equals("argv") && !f.equals("timeout_seconds")) {
                throw Json.invalid("Unknown field " + f + ": the request has argv and timeout_seconds.");
            }
        }
        int t = n.path("timeout_seconds").asInt(60);
        if (t < 1 || t > 3600) {
            throw Json.invalid("timeout_seconds must be between 1 and 3600.");
        }
        return new ExecRequest(argv, t);
    }
}
