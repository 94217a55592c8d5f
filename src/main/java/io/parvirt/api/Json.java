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
            throw invalid("The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A request that cannot be turned into a command. */
    static ModelException invalid(String sentence) {
        return ModelException.of(ModelException.Kind.SYNTAX, sentence);
    }
}
