package io.parvirt.hmc;

import io.parvirt.model.ModelException;

/**
 * The one place where error kinds become HSCL codes and HTTP statuses, for the command line and
 * the API alike. HSCL8012 (partition not found), HSCL350B (not authorised), HSCL3653 (no key
 * login to a remote HMC) are the HMC's own codes; the HMC's catalogue of the others is not
 * public, so parvirt numbers them in its own HSCL13xx range (documented in the README). Two
 * codes live below {@code hmc} and so outside this class: the console's HSCL8003 (a second vterm session), written by the console package's
 * VtermServer and recognised by the command line's VtermClient, both naming it as the HMC's.
 */
public final class HsclCode {
    private HsclCode() {
    }

    public static String code(ModelException.Kind kind) {
        return switch (kind) {
            case PARTITION_NOT_FOUND -> "HSCL8012";
            case PROFILE_NOT_FOUND -> "HSCL8013";
            case SYSTEM_NOT_FOUND -> "HSCL8011";
            case POOL_NOT_FOUND -> "HSCL8014";
            case USER_NOT_FOUND -> "HSCL8015";
            case NOT_AUTHORIZED, NOT_AUTHENTICATED -> "HSCL350B";
            case UNKNOWN_ATTRIBUTE -> "HSCL1301";
            case INVALID_VALUE -> "HSCL1302";
            case OUT_OF_RANGE -> "HSCL1303";
            case ORDERING -> "HSCL1304";
            case GRANULARITY -> "HSCL1305";
            case MISSING_ATTRIBUTE -> "HSCL1306";
            case DUPLICATE_ATTRIBUTE -> "HSCL1307";
            case NAME_IN_USE, ID_IN_USE -> "HSCL1308";
            case SLOT_CONFLICT -> "HSCL1309";
            case INVALID_REFERENCE -> "HSCL130A";
            case NOT_SUPPORTED -> "HSCL130B";
            case INVALID_STATE -> "HSCL130C";
            case INSUFFICIENT_RESOURCES -> "HSCL130D";
            case SYNTAX -> "HSCL130E";
            case INCOMPLETE -> "HSCL1310";
            case STORE_FAILURE, INTERNAL -> "HSCL130F";
            case CONNECTION_FAILED -> "HSCL8016";
            case REMOTE_KEY_LOGIN -> "HSCL3653";
            // mobility's storage checks: HSCLA319 is the HMC's (as remembered, README), HSCLA24E parvirt's choice
            case UNREACHABLE_DEVICE -> "HSCLA24E";
            case NO_HOSTING_VIOS -> "HSCLA319";
        };
    }

    public static int httpStatus(ModelException.Kind kind) {
        return switch (kind) {
            case PARTITION_NOT_FOUND, PROFILE_NOT_FOUND, SYSTEM_NOT_FOUND, POOL_NOT_FOUND, USER_NOT_FOUND -> 404;
            case NOT_AUTHENTICATED -> 401;
            case NOT_AUTHORIZED -> 403;
            case NAME_IN_USE, ID_IN_USE, INVALID_STATE, INSUFFICIENT_RESOURCES, INCOMPLETE, REMOTE_KEY_LOGIN,
                    UNREACHABLE_DEVICE, NO_HOSTING_VIOS -> 409;
            case STORE_FAILURE, INTERNAL -> 500;
            case CONNECTION_FAILED -> 503;
            default -> 400;
        };
    }

    /** A rejected input or failed command. */
    public static HmcError error(ModelException e) {
        return new HmcError(code(e.kind()), e.getMessage(), httpStatus(e.kind()));
    }

    /** A command-syntax error: the HMC prints it without a code; the API answers 400. */
    static HmcError syntax(HmcException e) {
        return new HmcError(null, e.getMessage(), 400);
    }

    /** A request the HTTP layer refused before any command saw it (a malformed path or header). */
    public static HmcError httpLayer(int status) {
        return status >= 500 ? new HmcError("HSCL130F", "The request failed in the HTTP layer (HTTP " + status
                + ").", status) : new HmcError("HSCL130E", "The request is malformed: its path or headers cannot be "
                + "read (HTTP " + status + ").", status >= 400 ? status : 400);
    }

    /**
     * The failure of a command another system's daemon ran, relayed as it printed it: its code (when
     * its first line has one) and that line; the status is the one this console gives that code.
     */
    static HmcError relayed(String stdout) {
        String line = stdout.strip().lines().findFirst().orElse("");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(HSCL[0-9A-F]{4}) (.*)$").matcher(line);
        if (!m.matches()) {
            return new HmcError(null, line.isEmpty() ? "The command failed on the managed system." : line, 400);
        }
        int status = 400;
        for (ModelException.Kind k : ModelException.Kind.values()) {
            if (code(k).equals(m.group(1))) {
                status = httpStatus(k);
                break;
            }
        }
        return new HmcError(m.group(1), m.group(2), status);
    }

    /**
     * A VIOS command's refusal reached through {@code viosvrcmd}: the HMC's HSCL2970 followed by
     * the VIOS's own error text, as a real HMC answers when the IOServer command fails (tools test
     * for the code, so an error is never read as a device or a pool). A real HMC puts the VIOS's
     * text on the next line; here it stays on the code's line, as every refusal is one line.
     */
    static HmcError viosRefusal(String output) {
        return new HmcError("HSCL2970", "The IOServer command has failed because of the following reason: "
                + (output.strip().isEmpty() ? "the command ended with a non-zero status." : output.strip()), 400);
    }

    /** The store failed: nothing of the change was applied. */
    static ModelException storeFailure(RuntimeException e) {
        return new ModelException(ModelException.Kind.STORE_FAILURE, null, null, null,
                "The change could not be saved and was not made: " + e.getMessage(), e);
    }

    /**
     * An exception no rule expected: one line naming its class and message (the trace goes to the
     * daemon's log, never to the client).
     */
    public static ModelException unexpected(Throwable e) {
        String why = e.getMessage() == null ? "" : ": " + e.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
        return new ModelException(ModelException.Kind.INTERNAL, null, null, null, "The command failed: "
                + e.getClass().getName() + why, e);
    }
}
