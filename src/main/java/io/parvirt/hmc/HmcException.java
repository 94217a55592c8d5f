package io.parvirt.hmc;

/** A command-syntax error: printed as it is, with no HSCL code, as a real HMC does. */
public final class HmcException extends RuntimeException {
    public HmcException(String message) {
        super(message);
    }

    public static HmcException badParameter(String... params) {
        return new HmcException("The command entered is either missing a required parameter or a parameter value "
                + "is invalid.  The parameters that are missing or have an invalid value are "
                + String.join(", ", params) + ".");
    }

    public static HmcException badAttribute(String attr) {
        return new HmcException("An invalid attribute was entered.  The invalid attribute is " + attr
                + ".  Please correct your entry and retry the command.");
    }
}
