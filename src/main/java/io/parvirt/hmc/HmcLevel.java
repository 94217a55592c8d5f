package io.parvirt.hmc;

/**
 * The HMC level parvirt reports. Tools read {@code Service Pack:} from {@code lshmc -V} as an
 * integer and change what they send at 930 and at 951, so parvirt reports a modern level (V10 R3,
 * service pack 1060), whose command forms it follows (e.g. {@code rmsyscfg … --vioscfg}).
 */
final class HmcLevel {
    static final String VERSION = "10";
    static final String RELEASE = "3.1060.0";
    static final String SERVICE_PACK = "1060";
    static final String BUILD = "20240712.1";
    static final String BASE = "V" + VERSION + "R" + RELEASE;

    private HmcLevel() {
    }

    /** parvirt's own version (the jar's), which the firmware listings ({@code lslic}) carry. */
    static String parvirt() {
        String v = Hmc.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0" : v.replace("-SNAPSHOT", "");
    }

    /** "0.1.0" as the three digits firmware levels use ("010"). */
    static String parvirtDigits() {
        String[] p = (parvirt() + ".0.0").split("\\.");
        return p[0] + p[1] + p[2].replaceAll("\\D.*", "");
    }
}
