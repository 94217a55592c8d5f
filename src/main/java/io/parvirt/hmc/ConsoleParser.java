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

    private static MakeUser makeUser(List<String> args) {
        Options o = new Options().values("-u", "-a", "--passwd", "-d", "-M").parse(args);
        String name = o.require("-u");
        if (!name.matches("[A-Za-z][A-Za-z0-9_.\\-]{0,31}")) {
            throw HmcException.badParameter("-u");
        }
        String role = o.require("-a");
        if (!HmcUsers.ROLES.contains(role)) {
            throw HmcException.badParameter("-a");
        }
        return new MakeUser(name, role, o.require("--passwd"));
    }
}
