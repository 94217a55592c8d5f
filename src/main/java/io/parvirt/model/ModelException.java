package io.parvirt.model;

/**
 * A rejected input or request, or a command that failed. Carries a stable {@link Kind} (mapped to
 * an HSCL code and an HTTP status in one place, {@code hmc.HsclCode}), its context where known
 * (the partition, the attribute, the value), one sentence that names the rule, and the cause.
 */
public final class ModelException extends RuntimeException {

    /** Small and stable: each kind maps to one HSCL code and one HTTP status. */
    public enum Kind {
        SYNTAX, UNKNOWN_ATTRIBUTE, INVALID_VALUE, OUT_OF_RANGE, ORDERING, GRANULARITY, MISSING_ATTRIBUTE,
        DUPLICATE_ATTRIBUTE, NAME_IN_USE, ID_IN_USE, SLOT_CONFLICT, INVALID_REFERENCE, NOT_SUPPORTED,
        INVALID_STATE, INSUFFICIENT_RESOURCES, PARTITION_NOT_FOUND, PROFILE_NOT_FOUND, SYSTEM_NOT_FOUND,
        POOL_NOT_FOUND, USER_NOT_FOUND, NOT_AUTHORIZED,
        /** The caller gave no valid credentials (the API answers 401). */
        NOT_AUTHENTICATED,
        /** The change could not be saved: the store failed, nothing was applied. */
        STORE_FAILURE,
        /** A DLPAR the partition's operating system did not finish: part of it was done, or undone. */
        INCOMPLETE,
        /** A fault of parvirt's own (an exception no rule expected): the sentence names its cause. */
        INTERNAL,
        /** A connected managed system could not be reached, refused the console's credential or changed its certificate. */
        CONNECTION_FAILED,
        /** A remote HMC does not let this console's user in with its SSH key ({@code mkauthkeys --test}). */
        REMOTE_KEY_LOGIN,
        /** Mobility: a virtual SCSI device of the partition is not storage the destination can reach (not a SAN disk). */
        UNREACHABLE_DEVICE,
        /** Mobility: no Virtual I/O Server of the destination can host a virtual SCSI adapter of the partition. */
        NO_HOSTING_VIOS
    }

    private final Kind kind;
    private final String partition;
    private final String attribute;
    private final String value;

    public ModelException(Kind kind, String partition, String attribute, String value, String sentence,
            Throwable cause) {
        super(sentence, cause);
        this.kind = kind;
        this.partition = partition;
        this.attribute = attribute;
        this.value = value;
    }

    public ModelException(Kind kind, String attribute, String sentence) {
        this(kind, null, attribute, null, sentence, null);
    }

    public static ModelException of(Kind kind, String sentence) {
        return new ModelException(kind, null, null, null, sentence, null);
    }

    /** An error about one partition (not found, in the wrong state, ...). */
    public static ModelException ofPartition(Kind kind, String partition, String sentence) {
        return new ModelException(kind, partition, null, null, sentence, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The partition the error is about, or null when it is about no one partition. */
    public String partition() {
        return partition;
    }

    /** The attribute the error is about, or null when it is about an object. */
    public String attribute() {
        return attribute;
    }

    /** The rejected value, or null when not known. */
    public String value() {
        return value;
    }
}
