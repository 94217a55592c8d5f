package io.parvirt.model;

/**
 * A rejected input or request. Carries a stable {@link Kind} (mapped to an HSCL code in one place
 * in {@code hmc}) and one sentence that names the attribute, the value and the rule.
 */
public final class ModelException extends RuntimeException {

    /** Small and stable: each kind maps to one HSCL code and one HTTP status. */
    public enum Kind {
        SYNTAX, UNKNOWN_ATTRIBUTE, INVALID_VALUE, OUT_OF_RANGE, ORDERING, GRANULARITY, MISSING_ATTRIBUTE,
        DUPLICATE_ATTRIBUTE, NAME_IN_USE, ID_IN_USE, SLOT_CONFLICT, INVALID_REFERENCE, NOT_SUPPORTED,
        INVALID_STATE, INSUFFICIENT_RESOURCES, PARTITION_NOT_FOUND, PROFILE_NOT_FOUND, SYSTEM_NOT_FOUND,
        POOL_NOT_FOUND, USER_NOT_FOUND, NOT_AUTHORIZED
    }

    private final Kind kind;
    private final String attribute;

    public ModelException(Kind kind, String attribute, String sentence) {
        super(sentence);
        this.kind = kind;
        this.attribute = attribute;
    }

    public static ModelException of(Kind kind, String sentence) {
        return new ModelException(kind, null, sentence);
    }

    public Kind kind() {
        return kind;
    }

    /** The attribute the error is about, or null when it is about an object. */
    public String attribute() {
        return attribute;
    }
}
