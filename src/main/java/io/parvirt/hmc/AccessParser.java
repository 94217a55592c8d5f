package io.parvirt.hmc;

import io.parvirt.hmc.command.AccessCommand;
import io.parvirt.hmc.command.AccessCommand.ChangeResourceRole;
import io.parvirt.hmc.command.AccessCommand.ChangeUser;
import io.parvirt.hmc.command.AccessCommand.ListAccess;
import io.parvirt.hmc.command.AccessCommand.MakeResourceRole;
import io.parvirt.hmc.command.AccessCommand.RemoveResourceRole;
import io.parvirt.model.AttributeInput.Assignment;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code mkaccfg}, {@code chaccfg}, {@code rmaccfg}, {@code lsaccfg} and {@code chhmcusr} from
 * their words. Of the HMC's access-control types parvirt takes {@code resourcerole} (and lists
 * {@code taskrole}: its five task roles are fixed); {@code chhmcusr} takes the {@code -i}/{@code -f}
 * form with {@code name}, {@code taskrole} and {@code resourcerole}.
 */
final class AccessParser {
    private AccessParser() {
    }

    static AccessCommand parse(String verb, List<String> args, Map<String, String> files) {
        return switch (verb) {
            case "mkaccfg" -> new MakeResourceRole(record(resourceRoleOnly(args, "-i", "-f"), files));
            case "chaccfg" -> new ChangeResourceRole(record(resourceRoleOnly(args, "-i", "-f"), files));
            case "rmaccfg" -> new RemoveResourceRole(resourceRoleOnly(args, "-n").require("-n"));
            case "lsaccfg" -> {
                Options o = new Options().values("-t", "--filter").withFields().parse(args);
                boolean task = o.oneOf("-t", "resourcerole", "taskrole").equals("taskrole");
                yield new ListAccess(task, o.filter(Set.of(task ? "taskroles" : "resourceroles")), o.format());
            }
            case "chhmcusr" -> new ChangeUser(record(new Options().values("-i", "-f").parse(args), files));
            default -> throw new IllegalArgumentException(verb);
        };
    }

    private static Options resourceRoleOnly(List<String> args, String... values) {
        String[] all = new String[values.length + 1];
        all[0] = "-t";
        System.arraycopy(values, 0, all, 1, values.length);
        Options o = new Options().values(all).parse(args);
        o.oneOf("-t", "resourcerole"); // task roles are the HMC's five, which cannot be changed
        return o;
    }

    /** The one record of {@code -i} or of a one-record {@code -f} file, as the HMC takes it. */
    private static List<Assignment> record(Options o, Map<String, String> files) {
        List<List<Assignment>> records = SyscfgParser.records(o, files);
        if (records.size() != 1) {
            throw HmcException.badParameter("-f");
        }
        return records.getFirst();
    }
}
