package io.parvirt.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.model.ModelException;

/** Strict JSON reading: a duplicate key, trailing data or malformed text is a syntax error (HSCL130E). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Json() {
    }

    static JsonNode read(String body) {
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw invalid("The request body is not valid JSON" + (at == null || at.getLineNr() < 1 ? "" : " at line "
                    + at.getLineNr() + ", column " + at.getColumnNr()) + ": " + reason(e) + ".");
        }
    }

    /**
     * Why, in words of the request: Jackson's own message where it speaks of the text, never where it
     * names its classes, features or limits (issue 12: such lines leaked library internals; found
     * again by ApiRefusalFuzzTest for trailing data).
     */
    private static String reason(JsonProcessingException e) {
        String why = String.valueOf(e.getOriginalMessage());
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            return "it is nested too deeply, or a number or a string in it is too long";
        }
        if (why.startsWith("Trailing token")) {
            return "there is more text after the JSON value";
        }
        if (why.contains("com.fasterxml") || why.contains("Feature") || why.contains("Constraints")
                || why.contains("`")) {
            return "it cannot be read as one JSON value";
        }
        return why.replaceAll("\\.$", "");
    }

    /** A request that cannot be turned into a command. */
    static ModelException invalid(String sentence) {
        return ModelException.of(ModelException.Kind.SYNTAX, sentence);
    }
}
