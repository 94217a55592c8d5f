package io.parvirt.hmc;

import io.parvirt.hmc.command.HmcCommand;
import java.time.Instant;
import java.util.List;

/**
 * Turns an HMC command line into its typed command, once: the first word picks the family's
 * parser, which gives the HMC's own syntax errors ({@link HmcException}) for what it rejects.
 */
final class CommandParser {
    /** Every command offered, in the order they are listed in the "valid commands" sentence. */
    static final List<String> VERBS = List.of("bklpar", "bkprofdata", "chaccfg", "chhmcusr", "chhwres", "chlparstate",
            "chsyscfg", "chsysstate", "cplpar", "lsaccfg", "lscod", "lscodpool", "lshmc", "lshmcusr", "lshwres", "lsled", "lslic",
            "lslparjob", "lslparmigr", "lslparsnap", "lslparutil", "lsrefcode", "lsrunstate", "lssvcevents", "lssyscfg", "lssysconn",
            "migrdisk", "migrlpar", "mkaccfg", "mkauthkeys", "mkhmcusr", "mklparsnap", "mksyscfg", "mksysconn", "mkvterm", "monhmc", "rmaccfg",
            "rmhmcusr", "rmlparjob", "rmlparsnap", "rmsyscfg", "rmsysconn", "rmvterm", "rstlpar", "rstlparsnap", "rstprofdata", "rsthwres",
            "viosvrcmd");

    private CommandParser() {
    }

    /** The command word, checked: the sentences an HMC prints for no command or an unknown one. */
    static String verb(List<String> argv) {
        if (argv.isEmpty()) {
            throw new HmcException("No command was entered. Valid commands are: " + String.join(", ", VERBS) + ".");
        }
        String verb = argv.getFirst();
        if (!VERBS.contains(verb)) {
            throw new HmcException("The command " + verb + " is not a valid command. Valid commands are: "
                    + String.join(", ", VERBS) + ".");
        }
        return verb;
    }

    static HmcCommand parse(HmcInvocation inv) {
        String verb = verb(inv.argv());
        List<String> args = Options.tail(inv.argv());
        // system profiles, profile data and templates first: additive to the families' own parsers
        var lifecycle = LifecycleParser.parse(verb, args, inv.files());
        if (lifecycle.isPresent()) {
            return lifecycle.get();
        }
        return switch (verb) {
            case "lssyscfg", "mksyscfg", "chsyscfg", "rmsyscfg" -> SyscfgParser.parse(verb, args, inv.files());
            case "chsysstate", "chlparstate", "lsrefcode", "lsrunstate", "mkvterm", "rmvterm" -> PowerParser.parse(verb, args);
            case "lshwres", "chhwres", "rsthwres" -> HwresParser.parse(verb, args);
            case "lssvcevents", "mkhmcusr", "lshmcusr", "rmhmcusr" -> ConsoleParser.parse(verb, args);
            case "lslparutil" -> UtilizationParser.parse(args, Instant.now());
            case "viosvrcmd" -> ViosParser.parse(args);
            case "migrlpar", "lslparmigr" -> MobilityParser.parse(verb, args);
            case "bklpar", "rstlpar", "cplpar", "lslparjob", "rmlparjob", "migrdisk" -> BackupParser.parse(verb, args);
            case "mklparsnap", "lslparsnap", "rstlparsnap", "rmlparsnap" -> SnapshotParser.parse(verb, args);
            case "mksysconn", "lssysconn", "rmsysconn" -> SysconnParser.parse(verb, args);
            case "mkaccfg", "chaccfg", "rmaccfg", "lsaccfg", "chhmcusr" -> AccessParser.parse(verb, args, inv.files());
            case "lshmc", "lslic", "lsled", "lscod", "lscodpool", "mkauthkeys", "monhmc" -> InfoParser.parse(verb, args);
            default -> throw new IllegalStateException("no parser for " + verb);
        };
    }
}
