package io.parvirt.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code {"argv": ["lssyscfg", ...], "files": {"path": "content"}}}; anything else is rejected. */
record CliRequest(List<String> argv, Map<String, String> files) {
    static CliRequest parse(String body) {
        JsonNode n = Json.read(body);
        if (n == null || !n.isObject()) {
            throw Json.invalid("The request body must be a JSON object with argv and files.");
        }
        List<String> argv = new ArrayList<>();
        Map<String, String> files = new LinkedHashMap<>();
        var it = n.fields();
        while (it.hasNext()) {
            var f = it.next();
            switch (f.getKey()) {
                case "argv" -> {
                    if (!f.getValue().isArray()) {
                        throw Json.invalid("argv must be an array of strings.");
                    }
                    for (JsonNode a : f.getValue()) {
                        if (!a.isTextual()) {
                            throw Json.invalid("argv must be an array of strings.");
                        }
                        argv.add(a.textValue());
                    }
                }
                case "files" -> {
                    if (!f.getValue().isObject()) {
                        throw Json.invalid("files must be an object of path to content.");
                    }
                    var fi = f.getValue().fields();
                    while (fi.hasNext()) {
                        var e = fi.next();
                        if (!e.getValue().isTextual()) {
                            throw Json.invalid("files must be an object of path to content.");
                        }
                        files.put(e.getKey(), e.getValue().textValue());
                    }
                }
                default -> throw Json.invalid("Unknown field " + f.getKey() + ": the request has argv and files.");
            }
        }
        return new CliRequest(argv, files);
    }
}
