package io.parvirt.hmc;

import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.SyscfgCommand;
import io.parvirt.hmc.command.SyscfgCommand.ChangePartition;
import io.parvirt.hmc.command.SyscfgCommand.ChangeProfile;
import io.parvirt.hmc.command.SyscfgCommand.ChangeSystem;
import io.parvirt.hmc.command.SyscfgCommand.ListSyscfg;
import io.parvirt.hmc.command.SyscfgCommand.MakePartition;
import io.parvirt.hmc.command.SyscfgCommand.MakeProfile;
import io.parvirt.hmc.command.SyscfgCommand.RemovePartition;
import io.parvirt.hmc.command.SyscfgCommand.RemoveProfile;
import io.parvirt.hmc.command.SyscfgCommand.Resource;
import io.parvirt.hmc.command.SyscfgCommand.SaveProfile;
import io.parvirt.model.AttributeInput;
import io.parvirt.model.AttributeInput.Assignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code lssyscfg}, {@code mksyscfg}, {@code chsyscfg}, {@code rmsyscfg} from their words. */
final class SyscfgParser {
    private SyscfgParser() {
    }

    static SyscfgCommand parse(String verb, List<String> args, Map<String, String> files) {
        return switch (verb) {
            case "lssyscfg" -> list(args);
            case "mksyscfg" -> make(args, files);
            case "chsyscfg" -> change(args, files);
            case "rmsyscfg" -> remove(args);
            default -> throw new IllegalArgumentException(verb);
        };
    }

    private static ListSyscfg list(List<String> args) {
        Options o = new Options().values("-r", "-m", "--filter").withFields().parse(args);
        Resource r = Resource.valueOf(o.oneOf("-r", "sys", "lpar", "prof").toUpperCase(Locale.ROOT));
        Set<String> allowed = switch (r) {
            case SYS -> Set.of();
            case LPAR -> Set.of("lpar_names", "lpar_ids", "work_groups");
            case PROF -> Set.of("lpar_names", "lpar_ids", "profile_names");
        };
        String system = r == Resource.SYS ? o.get("-m") : o.require("-m");
        return new ListSyscfg(r, system, o.filter(allowed), o.format());
    }

    private static SyscfgCommand make(List<String> args, Map<String, String> files) {
        Options o = new Options().values("-r", "-m", "-i", "-f", "-o", "-p", "-n", "--id").flags("--force")
                .parse(args);
        String r = o.oneOf("-r", "lpar", "prof");
        String system = o.require("-m");
        if (o.has("-o")) {
            // -o save: the current configuration of a running partition, never with records
            o.oneOf("-o", "save");
            if (!r.equals("prof") || o.has("-i") || o.has("-f")) {
                throw HmcException.badParameter(!r.equals("prof") ? "-r" : o.has("-i") ? "-i" : "-f");
            }
            return new SaveProfile(system, o.partition("-p", "--id"), o.require("-n"), o.has("--force"));
        }
        List<List<Assignment>> records = records(o, files);
        return r.equals("lpar") ? new MakePartition(system, records) : new MakeProfile(system, records);
    }

    private static SyscfgCommand change(List<String> args, Map<String, String> files) {
        Options o = new Options().values("-r", "-m", "-i", "-f", "-o", "-p", "-n", "--id").flags("--force")
                .parse(args);
        String r = o.oneOf("-r", "lpar", "prof", "sys");
        String system = o.require("-m");
        if (o.has("-o")) {
            o.oneOf("-o", "apply");
            if (!r.equals("lpar") || o.has("-i") || o.has("-f")) {
                throw HmcException.badParameter(r.equals("lpar") ? "-i" : "-r");
            }
            return new SyscfgCommand.ApplyProfile(system, o.partition("-p", "--id"), o.get("-n"));
        }
        List<List<Assignment>> records = records(o, files);
        return switch (r) {
            case "lpar" -> new ChangePartition(system, records);
            case "prof" -> new ChangeProfile(system, records);
            default -> {
                if (records.size() != 1) {
                    throw HmcException.badParameter("-f");
                }
                yield new ChangeSystem(system, records.getFirst());
            }
        };
    }

    private static SyscfgCommand remove(List<String> args) {
        // --vdisk is what IBM's own tools send, --vdisks what some documents spell
        Options o = new Options().values("-r", "-m", "-n", "-p", "--id").flags("--force", "--vioscfg", "--vdisks",
                "--vdisk").parse(args);
        String r = o.oneOf("-r", "lpar", "prof");
        String system = o.require("-m");
        if (r.equals("lpar")) {
            boolean vdisks = o.has("--vdisk") || o.has("--vdisks");
            if (vdisks && !o.has("--vioscfg")) {
                throw HmcException.badParameter("--vioscfg");
            }
            return new RemovePartition(system, o.partition("-n", "--id"), o.has("--vioscfg"), vdisks);
        }
        PartitionRef p = o.partition("-p", "--id");
        return new RemoveProfile(system, p, o.require("-n"));
    }

    /** The records of {@code -i} (one) or {@code -f} (one per non-blank line). */
    static List<List<Assignment>> records(Options o, Map<String, String> files) {
        if (o.has("-i") == o.has("-f")) {
            throw HmcException.badParameter(o.has("-i") ? new String[] {"-i", "-f"} : new String[] {"-i or -f"});
        }
        List<List<Assignment>> out = new ArrayList<>();
        if (o.has("-i")) {
            out.add(AttributeInput.parseRecord(o.get("-i")));
            return out;
        }
        String content = files.get(o.get("-f"));
        if (content == null) {
            throw new HmcException("The file " + o.get("-f") + " could not be read.  Please check the file name "
                    + "and retry the command.");
        }
        for (String line : content.split("\r?\n")) {
            if (!line.isBlank()) {
                out.add(AttributeInput.parseRecord(line.strip()));
            }
        }
        if (out.isEmpty()) {
            throw new HmcException("The file " + o.get("-f") + " contains no records.");
        }
        return out;
    }
}
