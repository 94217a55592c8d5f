package io.parvirt.vios.nbd;

import io.parvirt.durable.AtomicFile;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The list of exports a VIOS serves, as a file the host daemon writes and the server reads (at
 * start and on SIGHUP):
 *
 * <pre>
 * {"exports":[{"name":"vtscsi0","file":"/pool/a.img","readOnly":false}, ...]}
 * </pre>
 *
 * Every field is required; fields it does not know are ignored, so a newer writer can add some.
 * Files should be absolute paths: the server resolves a relative one against its own working
 * directory. The file is replaced atomically, so a reader never sees half a list.
 */
public final class ExportsFile {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ExportsFile() {
    }

    /** Replaces {@code file} with {@code exports}; a name given twice is refused, as {@link #read} would. */
    public static void write(Path file, List<Export> exports) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("exports");
        Set<String> names = new HashSet<>();
        for (Export e : exports) {
            if (!names.add(e.name())) {
                throw new IllegalArgumentException("export name " + e.name() + " is given twice");
            }
            list.addObject().put("name", e.name()).put("file", e.file().toString()).put("readOnly", e.readOnly());
        }
        byte[] text = JSON.writeValueAsBytes(root);
        byte[] content = new byte[text.length + 1];
        System.arraycopy(text, 0, content, 0, text.length);
        content[text.length] = '\n';
        AtomicFile.replace(file, content);
    }

    /**
     * The exports {@code file} lists, in its order.
     *
     * @throws IOException naming the file and the problem: unreadable, not JSON, a field missing or
     *     of the wrong type, a bad export name, a name listed twice
     */
    public static List<Export> read(Path file) throws IOException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("exports file " + file + ": no such file", e);
        } catch (IOException e) {
            throw new IOException("exports file " + file + ": cannot read: " + e, e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            // the original message without Jackson's multi-line source excerpt or its placeholder for the source
            String message = e.getOriginalMessage()
                    .replaceAll("\\[Source: [^;\\]]*; (line: \\d+, column: \\d+)\\]", "[$1]");
            throw new IOException("exports file " + file + ": not valid JSON: " + message
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column "
                            + e.getLocation().getColumnNr()), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException("exports file " + file + ": not a JSON object");
        }
        JsonNode list = root.get("exports");
        if (list == null || !list.isArray()) {
            throw new IOException("exports file " + file + ": no \"exports\" array");
        }
        List<Export> exports = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "exports file " + file + ": export " + (i + 1);
            JsonNode e = list.get(i);
            if (!e.isObject()) {
                throw new IOException(where + ": not a JSON object");
            }
            String name = text(e, "name", where);
            String path = text(e, "file", where);
            JsonNode ro = e.get("readOnly");
            if (ro == null || !ro.isBoolean()) {
                throw new IOException(where + ": \"readOnly\" must be true or false");
            }
            Export export;
            try {
                export = new Export(name, Path.of(path), ro.booleanValue());
            } catch (IllegalArgumentException bad) { // a bad name, or a path with a NUL
                throw new IOException(where + ": " + bad.getMessage(), bad);
            }
            if (!names.add(name)) {
                throw new IOException(where + ": export name " + name + " is listed twice");
            }
            exports.add(export);
        }
        return List.copyOf(exports);
    }

    private static String text(JsonNode export, String field, String where) throws IOException {
        JsonNode v = export.get(field);
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            throw new IOException(where + ": \"" + field + "\" must be a non-empty string");
        }
        return v.textValue();
    }
}
