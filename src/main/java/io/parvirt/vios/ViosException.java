package io.parvirt.vios;

/**
 * A Virtual I/O Server command that was refused: a small stable kind, the device or option it is
 * about and one sentence naming the rule. Nothing was changed when this is thrown.
 */
public final class ViosException extends RuntimeException {
    public enum Kind { USAGE, UNKNOWN_COMMAND, NOT_FOUND, NAME_IN_USE, IN_USE, NO_SPACE, INVALID_STATE, IO, ACCESS }

    private final Kind kind;
    private final String device;

    public ViosException(Kind kind, String device, String sentence) {
        super(sentence);
        this.kind = kind;
        this.device = device;
    }

    public Kind kind() {
        return kind;
    }

    /** The device, pool, medium or option the error is about. */
    public String device() {
        return device;
    }

    static ViosException usage(String command, String what) {
        return new ViosException(Kind.USAGE, command, "Incorrect usage of " + command + ": " + what + ".");
    }

    static ViosException notFound(String what, String name) {
        return new ViosException(Kind.NOT_FOUND, name, "The " + what + " " + name + " does not exist.");
    }

    static ViosException nameInUse(String name, String usedBy) {
        return new ViosException(Kind.NAME_IN_USE, name, "The name " + name + " is already used by " + usedBy + ".");
    }
}
