package io.parvirt.hmc;

import io.parvirt.hmc.command.EventCommand.ListEvents;
import io.parvirt.hmc.command.HmcCommand;
import io.parvirt.hmc.command.UserCommand.ListUsers;
import io.parvirt.hmc.command.UserCommand.MakeUser;
import io.parvirt.hmc.command.UserCommand.RemoveUser;
import java.util.List;
import java.util.Set;

/** {@code lssvcevents} and the HMC user commands from their words. */
final class ConsoleParser {
    private ConsoleParser() {
    }

    static HmcCommand parse(String verb, List<String> args) {
        return switch (verb) {
            case "lssvcevents" -> events(args);
            case "mkhmcusr" -> makeUser(args);
            case "lshmcusr" -> {
                Options o = new Options().values("--filter").withFields().parse(args);
                yield new ListUsers(o.filter(Set.of("names")), o.format());
            }
            case "rmhmcusr" -> new RemoveUser(new Options().values("-u").parse(args).require("-u"));
            default -> throw new IllegalArgumentException(verb);
        };
    }

    /** {@code -m} and {@code --filter} are accepted and ignored, as parvirt has one system and few events. */
    private static ListEvents events(List<String> args) {
        Options o = new Options().values("-t", "-d", "-m", "--filter").withFields().parse(args);
        String type = o.oneOf("-t", "console", "hardware");
        int days = o.has("-d") ? Options.integer("-d", o.get("-d"), 0, 3650) : 7;
        return new ListEvents(type.equals("console"), days, o.format());
    }

    /**
     * {@code mkhmcusr -u NAME -a ROLE [--passwd PW]}, or the HMC's attribute form
     * {@code -i "name=NAME,taskrole=ROLE[,resourcerole=RR][,passwd=PW]"} (the password may also
     * come as {@code --passwd}, which is how the CLI passes one read from standard input).
     */
    private static MakeUser makeUser(List<String> args) {
        Options o = new Options().values("-u", "-a", "--passwd", "-d", "-M", "-i").parse(args);
        if (!o.has("-i")) {
            return new MakeUser(userName(o.require("-u"), "-u"), taskRole(o.require("-a"), "-a"), o.require("--passwd"));
        }
        if (o.has("-u") || o.has("-a")) {
            throw HmcException.badParameter(o.has("-u") ? "-u" : "-a");
        }
        java.util.Map<String, String> a = new java.util.HashMap<>();
        for (var x : io.parvirt.model.AttributeInput.parseRecord(o.get("-i"))) {
            if (!Set.of("name", "taskrole", "resourcerole", "passwd").contains(x.name())
                    || x.op() != io.parvirt.model.AttributeInput.Op.SET) {
                throw HmcException.badAttribute(x.name());
            }
            a.put(x.name(), x.value());
        }
        String pw = a.containsKey("passwd") ? a.get("passwd") : o.get("--passwd");
        if (pw == null || !a.containsKey("name") || !a.containsKey("taskrole")) {
            throw HmcException.badParameter(pw == null ? "passwd" : !a.containsKey("name") ? "name" : "taskrole");
        }
        return new MakeUser(userName(a.get("name"), "name"), taskRole(a.get("taskrole"), "taskrole"), pw,
                a.get("resourcerole"));
    }

    static String userName(String name, String param) {
        if (!name.matches("[A-Za-z][A-Za-z0-9_.\\-]{0,31}")) {
            throw HmcException.badParameter(param);
        }
        return name;
    }

    static String taskRole(String role, String param) {
        if (!HmcUsers.ROLES.contains(role)) {
            throw HmcException.badParameter(param);
        }
        return role;
    }
}
