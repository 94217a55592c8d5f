package io.parvirt.hmc;

import io.parvirt.hmc.command.MobilityCommand;
import io.parvirt.hmc.command.MobilityCommand.ListMigrations;
import io.parvirt.hmc.command.MobilityCommand.Listed;
import io.parvirt.hmc.command.MobilityCommand.Migrate;
import io.parvirt.hmc.command.MobilityCommand.Operation;
import java.util.List;
import java.util.Set;

/** {@code migrlpar} and {@code lslparmigr} from their words. */
final class MobilityParser {
    private MobilityParser() {
    }

    static MobilityCommand parse(String verb, List<String> args) {
        if (verb.equals("lslparmigr")) {
            Options o = new Options().values("-r", "-m", "-t", "--filter").withFields().parse(args);
            Listed listed = Listed.valueOf(o.oneOf("-r", "sys", "lpar", "msp", "procpool", "virtualio")
                    .toUpperCase(java.util.Locale.ROOT));
            boolean perPartition = listed != Listed.SYS && listed != Listed.LPAR;
            String target = perPartition ? o.require("-t") : null;
            if (!perPartition && o.has("-t")) {
                throw HmcException.badParameter("-t");
            }
            return new ListMigrations(o.require("-m"), listed, target, o.filter(Set.of("lpar_names", "lpar_ids")),
                    o.format());
        }
        // -i attributes other than virtual_scsi_mappings, -f, --ip, -d, -v and the override switches are
        // accepted and not used yet.
        Options o = new Options().values("-o", "-m", "-t", "-p", "--id", "-n", "-i", "-f", "-w", "-d", "--ip", "-u")
                .flags("--force", "-v").parse(args);
        Operation op = switch (o.oneOf("-o", "v", "m", "s", "r")) {
            case "v" -> Operation.VALIDATE;
            case "m" -> Operation.MIGRATE;
            case "s" -> Operation.STOP;
            default -> Operation.RECOVER;
        };
        String target = o.get("-t");
        if (target == null && (op == Operation.VALIDATE || op == Operation.MIGRATE)) {
            o.require("-t");
        }
        int wait = 0;
        if (o.has("-w")) {
            try {
                wait = Integer.parseInt(o.get("-w"));
            } catch (NumberFormatException e) {
                throw HmcException.badParameter("-w");
            }
            if (wait < 0) {
                throw HmcException.badParameter("-w");
            }
        }
        return new Migrate(o.require("-m"), target, o.partition("-p", "--id"), op, o.get("-n"), wait,
                o.has("-i") ? io.parvirt.model.AttributeInput.parseRecord(o.get("-i")) : List.of());
    }
}
