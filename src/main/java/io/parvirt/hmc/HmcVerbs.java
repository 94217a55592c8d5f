package io.parvirt.hmc;

import java.util.List;

/** The HMC commands this console offers (for role tables and help; the parser's own list). */
public final class HmcVerbs {
    private HmcVerbs() {
    }

    public static List<String> all() {
        return CommandParser.VERBS;
    }
}
