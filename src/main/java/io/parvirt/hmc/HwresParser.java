package io.parvirt.hmc;

import io.parvirt.hmc.command.HwresCommand;
import io.parvirt.hmc.command.HwresCommand.ChangePool;
import io.parvirt.hmc.command.HwresCommand.ChangeMemory;
import io.parvirt.hmc.command.HwresCommand.ChangeProcessors;
import io.parvirt.hmc.command.HwresCommand.AdapterOperation;
import io.parvirt.hmc.command.HwresCommand.ChangeVirtualAdapter;
import io.parvirt.hmc.command.HwresCommand.ChangeVswitch;
import io.parvirt.hmc.command.HwresCommand.ListHwres;
import io.parvirt.hmc.command.HwresCommand.MemOperation;
import io.parvirt.hmc.command.HwresCommand.MoveToPool;
import io.parvirt.hmc.command.HwresCommand.ProcOperation;
import io.parvirt.hmc.command.HwresCommand.Resource;
import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.model.AttributeInput;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ModelException;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.Values;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code lshwres} and {@code chhwres} from their words, with the syntax errors of their handler in
 * {@link HwresCommands}. {@code chhwres -r procpool} (pool settings) and {@code -r virtualio} run
 * from these records; the listing and the changes to running partitions are parsed here and still
 * run through the handler's own parsing until it takes these records.
 */
final class HwresParser {
    private HwresParser() {
    }

    static HwresCommand parse(String verb, List<String> args) {
        return switch (verb) {
            case "lshwres" -> list(args);
            case "chhwres" -> change(args);
            case "rsthwres" -> restore(args);
            default -> throw new IllegalArgumentException(verb);
        };
    }

    private static ListHwres list(List<String> args) {
        Options o = new Options().values("-r", "-m", "--level", "--filter", "--maxmem", "--hptratio", "--rsubtype")
                .withFields().parse(args);
        Resource r = Resource.valueOf(o.oneOf("-r", "proc", "mem", "procpool", "virtualio", "io", "mempool").toUpperCase(Locale.ROOT));
        String system = o.require("-m");
        return switch (r) {
            case PROCPOOL -> new ListHwres(system, r, null, null, null, null, o.filter(Set.of("pool_names",
                    "pool_ids")), o.format());
            case VIRTUALIO -> virtualio(o, system);
            case IO -> new ListHwres(system, r, o.has("--level") ? o.get("--level") : null, o.oneOf("--rsubtype",
                    "slot", "slotchildren", "unit", "bus", "iopool", "taggedio"), null, null, o.filter(HwresView.IO_FILTERS),
                    o.format());
            case MEMPOOL -> new ListHwres(system, r, null, null, null, null, o.filter(Set.of()), o.format());
            case PROC, MEM -> {
                String level = r == Resource.PROC ? o.oneOf("--level", "sys", "lpar", "pool")
                        : o.oneOf("--level", "sys", "lpar");
                if (level.equals("lpar")) {
                    yield new ListHwres(system, r, level, null, null, null, o.filter(Set.of("lpar_names",
                            "lpar_ids", "pools")), o.format());
                }
                Long maxMem = null;
                HptRatio ratio = null;
                if (r == Resource.MEM && o.has("--maxmem")) {
                    maxMem = value(() -> Values.parseLong("--maxmem", o.get("--maxmem"), 1, 64L * 1024 * 1024),
                            "--maxmem");
                    ratio = o.has("--hptratio") ? value(() -> HptRatio.parse("--hptratio", o.get("--hptratio")),
                            "--hptratio") : null;
                }
                yield new ListHwres(system, r, level, null, maxMem, ratio, o.filter(Set.of()), o.format());
            }
        };
    }

    private static ListHwres virtualio(Options o, String system) {
        String sub = o.oneOf("--rsubtype", "eth", "vswitch", "scsi", "fc", "serial", "slot");
        if (sub.equals("vswitch")) {
            return new ListHwres(system, Resource.VIRTUALIO, null, sub, null, null, o.filter(Set.of()), o.format());
        }
        String level = sub.equals("slot") ? o.oneOf("--level", "lpar", "slot")
                : sub.equals("eth") ? o.oneOf("--level", "lpar", "sys") : o.oneOf("--level", "lpar");
        Set<String> allowed = sub.equals("eth") && level.equals("sys") ? Set.of()
                : sub.equals("eth") ? Set.of("lpar_names", "lpar_ids", "slots", "vlans")
                : sub.equals("slot") && level.equals("lpar") ? Set.of("lpar_names", "lpar_ids")
                : Set.of("lpar_names", "lpar_ids", "slots");
        return new ListHwres(system, Resource.VIRTUALIO, level, sub, null, null, o.filter(allowed), o.format());
    }

    private static HwresCommand change(List<String> args) {
        Options o = new Options().values("-r", "-m", "-o", "--poolname", "--id", "-a", "-p", "-w", "-d", "-t",
                "--tid", "--procs", "--procunits", "--rsubtype", "--vswitch", "-q", "-s").flags("--force").parse(args);
        String r = o.oneOf("-r", "procpool", "proc", "mem", "virtualio");
        String system = o.require("-m");
        if (r.equals("proc")) {
            return processors(o, system);
        }
        if (r.equals("mem")) {
            return memory(o, system);
        }
        if (r.equals("virtualio")) {
            String sub = o.oneOf("--rsubtype", "vswitch", "eth", "scsi");
            if (!sub.equals("vswitch")) {
                return adapter(o, system, sub);
            }
            String op = o.oneOf("-o", "a", "r");
            return new ChangeVswitch(system, o.require("--vswitch"), op.equals("a"));
        }
        o.oneOf("-o", "s");
        if (o.has("-p")) {
            return new MoveToPool(system, o.get("-p"), o.pool());
        }
        return new ChangePool(system, o.pool(), AttributeInput.parseRecord(o.require("-a")));
    }

    /** {@code rsthwres -r proc|mem|io -m SYS [-p LPAR | --id N]}. */
    private static HwresCommand.RestoreResources restore(List<String> args) {
        Options o = new Options().values("-r", "-m", "-p", "--id").parse(args);
        HwresCommand.RestoreResource r = HwresCommand.RestoreResource.valueOf(o.oneOf("-r", "proc", "mem", "io")
                .toUpperCase(Locale.ROOT));
        String system = o.require("-m");
        PartitionRef p = o.has("-p") || o.has("--id") ? o.partition("-p", "--id") : null;
        return new HwresCommand.RestoreResources(system, r, p);
    }

    private static ChangeProcessors processors(Options o, String system) {
        ProcOperation op = switch (o.oneOf("-o", "a", "r", "s", "m")) {
            case "a" -> ProcOperation.ADD;
            case "r" -> ProcOperation.REMOVE;
            case "s" -> ProcOperation.SET;
            default -> ProcOperation.MOVE;
        };
        PartitionRef p = o.partition("-p", "--id");
        List<Assignment> attrs = op == ProcOperation.SET && o.has("-a") ? AttributeInput.parseRecord(o.get("-a"))
                : List.of();
        Integer procs = null;
        if (o.has("--procs")) {
            procs = value(() -> Values.parseInt("--procs", o.get("--procs"), 1, 1024), "--procs");
        }
        ProcUnits units = null;
        if ((attrs.isEmpty() && procs == null) || o.has("--procunits")) {
            units = value(() -> ProcUnits.parse("--procunits", o.require("--procunits")), "--procunits");
        }
        PartitionRef target = op == ProcOperation.MOVE ? o.partition("-t", "--tid") : null;
        return new ChangeProcessors(system, p, op, attrs, units, target, procs, waitMinutes(o));
    }

    private static ChangeMemory memory(Options o, String system) {
        MemOperation op = switch (o.oneOf("-o", "a", "r", "m")) {
            case "a" -> MemOperation.ADD;
            case "r" -> MemOperation.REMOVE;
            default -> MemOperation.MOVE;
        };
        PartitionRef p = o.partition("-p", "--id");
        long mb = value(() -> Values.parseLong("-q", o.require("-q"), 1, 64L * 1024 * 1024), "-q");
        PartitionRef target = op == MemOperation.MOVE ? o.partition("-t", "--tid") : null;
        return new ChangeMemory(system, p, op, mb, target, waitMinutes(o));
    }

    /** {@code chhwres -r virtualio --rsubtype eth|scsi}: an adapter of a running partition. */
    private static ChangeVirtualAdapter adapter(Options o, String system, String sub) {
        AdapterOperation op = switch (sub.equals("eth") ? o.oneOf("-o", "a", "r", "s") : o.oneOf("-o", "a", "r")) {
            case "a" -> AdapterOperation.ADD;
            case "r" -> AdapterOperation.REMOVE;
            default -> AdapterOperation.SET;
        };
        PartitionRef p = o.partition("-p", "--id");
        int slot = value(() -> Values.parseInt("-s", o.require("-s"), 0, 65535), "-s");
        List<Assignment> attrs = o.has("-a") ? AttributeInput.parseRecord(o.get("-a")) : List.of();
        return new ChangeVirtualAdapter(system, p, sub, op, slot, attrs, waitMinutes(o));
    }

    /** {@code -w MINUTES}: how long a DLPAR may take (0: no limit). */
    private static Integer waitMinutes(Options o) {
        return o.has("-w") ? value(() -> Values.parseInt("-w", o.get("-w"), 0, 10_000), "-w") : null;
    }

    private static <T> T value(Supplier<T> s, String option) {
        try {
            return s.get();
        } catch (ModelException e) {
            throw HmcException.badParameter(option);
        }
    }
}
