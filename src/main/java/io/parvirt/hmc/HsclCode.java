package io.parvirt.hmc;

import io.parvirt.model.ModelException;

/**
 * The one place where error kinds become HSCL codes and HTTP statuses. HSCL8012 (partition not
 * found), HSCL350B (not authorised) are the HMC's own codes; the HMC's catalogue of the others is
 * not public, so parvirt numbers them in its own HSCL13xx range (documented in the README).
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
            case NOT_AUTHORIZED -> "HSCL350B";
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
        };
    }

    public static int httpStatus(ModelException.Kind kind) {
        return switch (kind) {
            case PARTITION_NOT_FOUND, PROFILE_NOT_FOUND, SYSTEM_NOT_FOUND, POOL_NOT_FOUND, USER_NOT_FOUND -> 404;
            case NOT_AUTHORIZED -> 403;
            case NAME_IN_USE, ID_IN_USE, INVALID_STATE, INSUFFICIENT_RESOURCES -> 409;
            default -> 400;
        };
    }

    /** The line an HMC prints: {@code HSCLnnnn sentence}. */
    public static String line(ModelException e) {
        return code(e.kind()) + " " + e.getMessage();
    }
}
