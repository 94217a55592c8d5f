package io.parvirt.hmc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parvirt.hmc.command.MobilityCommand;
import io.parvirt.hmc.command.MobilityCommand.ListMigrations;
import io.parvirt.hmc.command.MobilityCommand.Migrate;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.partition.MigrationMessages;
import io.parvirt.partition.MigrationOffer;
import io.parvirt.partition.MigrationRequest;
import io.parvirt.partition.MigrationOptions;
import io.parvirt.partition.MigrationStatus;
import io.parvirt.partition.Mobility;
import io.parvirt.partition.MobilityRefusal;
import io.parvirt.partition.MobilityTarget;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.system.ManagedSystem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code migrlpar} and {@code lslparmigr}, carried out by {@link Mobility}. */
final class MobilityCommands {
    /** {@code -w 0} (or none): the HMC waits as long as the migration takes; bounded here all the same. */
    private static final Duration NO_WAIT_BOUND = Duration.ofHours(2);
    private final ManagedSystem sys;
    private final PartitionOperations operations;

    MobilityCommands(ManagedSystem sys, PartitionOperations operations) {
        this.sys = sys;
        this.operations = operations;
    }

    HmcResult run(MobilityCommand command) {
        return switch (command) {
            case Migrate c -> migrate(c);
            case ListMigrations c -> list(c);
        };
    }

    private HmcResult migrate(Migrate c) {
        Systems.check(sys, c.system());
        Partition p = Systems.partition(sys, c.partition());
        Mobility m = operations.mobility();
        try {
            switch (c.operation()) {
                case VALIDATE -> {
                    List<ModelException> failed = m.validate(p, c.target(), scsiChoices(c));
                    if (!failed.isEmpty()) {
                        throw new MobilityRefusal(failed);
                    }
                }
                case MIGRATE -> m.migrate(p, c.target(), c.waitMinutes() == 0 ? NO_WAIT_BOUND
                        : Duration.ofMinutes(c.waitMinutes()), scsiChoices(c));
                case STOP -> m.stop(p);
                case RECOVER -> m.recover(p, c.target());
            }
        } catch (MobilityRefusal r) {
            return refused(r);
        }
        return HmcResult.OK;
    }

    /**
     * {@code -i virtual_scsi_mappings=slot/[vios_name]/vios_id[/vios_slot],...}: the destination VIOS
     * asked for each listed client adapter. A malformed entry is refused before anything is asked.
     */
    static List<MigrationRequest.ScsiChoice> scsiChoices(Migrate c) {
        List<MigrationRequest.ScsiChoice> out = new ArrayList<>();
        for (var a : c.attributes()) {
            if (!a.name().equals("virtual_scsi_mappings")) {
                continue;
            }
            for (String item : io.parvirt.model.AttributeInput.splitList(a.name(), a.value())) {
                String[] f = item.split("/", -1);
                try {
                    if (f.length != 3 && f.length != 4) {
                        throw new NumberFormatException();
                    }
                    int slot = Integer.parseInt(f[0]);
                    int id = Integer.parseInt(f[2]);
                    int viosSlot = f.length == 4 && !f[3].isEmpty() ? Integer.parseInt(f[3]) : 0;
                    if (slot < 2 || id < 1 || viosSlot < 0 || (f.length == 4 && !f[3].isEmpty() && viosSlot < 2)) {
                        throw new NumberFormatException();
                    }
                    out.add(new MigrationRequest.ScsiChoice(slot, f[1].isEmpty() ? null : f[1], id, viosSlot));
                } catch (NumberFormatException e) {
                    throw ModelException.of(ModelException.Kind.INVALID_VALUE, "The value " + HmcError.oneLine(item)
                            + " of attribute virtual_scsi_mappings is not valid: each entry is "
                            + "slot/[vios_name]/vios_id[/vios_slot].");
                }
            }
        }
        return out;
    }

    /** The longest a source may ask the target to wait for the partition to run. */
    private static final Duration COMPLETE_BOUND = Duration.ofMinutes(10);

    /** One step of a migration to this system, asked by the source's daemon ({@link io.parvirt.partition.RemoteMobilityTarget}). */
    JsonNode target(String step, JsonNode body) {
        MobilityTarget t = operations.mobilityTarget();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        switch (step) {
            case "validate" -> out.set("refusals", MigrationMessages.refusals(t.validate(MigrationMessages.request(body))));
            case "prepare" -> out.put("uri", t.prepare(MigrationMessages.request(body)));
            case "complete" -> {
                long seconds = body == null ? 0 : body.path("timeout_seconds").asLong(0);
                if (seconds < 1 || seconds > COMPLETE_BOUND.toSeconds()) {
                    throw ModelException.of(ModelException.Kind.INVALID_VALUE, "timeout_seconds must be 1 to "
                            + COMPLETE_BOUND.toSeconds() + ".");
                }
                t.complete(sys.partition(partitionOf(body)).name(), Duration.ofSeconds(seconds));
            }
            case "abort" -> out.put("removed", t.abort(partitionOf(body)));
            case "settle" -> out.put("runs_here", t.settle(partitionOf(body)));
            case "offer" -> out.setAll((ObjectNode) MigrationMessages.offer(t.offer(MigrationMessages.units(body),
                    MigrationMessages.identifiers(body))));
            default -> throw ModelException.of(ModelException.Kind.INVALID_VALUE, "There is no migration step "
                    + HmcError.oneLine(step) + ": validate, prepare, complete, abort, settle or offer.");
        }
        return out;
    }

    private static String partitionOf(JsonNode body) {
        String name = body == null ? "" : body.path("partition").asText("");
        if (!io.parvirt.model.Names.isValidPartitionName(name)) {
            throw ModelException.of(ModelException.Kind.INVALID_VALUE, "The migration step names no partition.");
        }
        return name;
    }

    /** What each of {@code lslparmigr -r msp|procpool|virtualio} prints, in the HMC's order (names unconfirmed: README). */
    private static final Set<String> MSP = Set.of("source_msp_name", "source_msp_id", "dest_msp_names", "dest_msp_ids");
    private static final Set<String> PROCPOOL = Set.of("shared_proc_pool_ids", "shared_proc_pool_names");
    private static final Set<String> VIRTUALIO = Set.of("possible_virtual_scsi_mappings",
            "suggested_virtual_scsi_mappings", "possible_virtual_fc_mappings", "suggested_virtual_fc_mappings");

    /** {@code lslparmigr -r msp|procpool|virtualio -t DST --filter lpar_names=X}: one partition's options on DST. */
    private HmcResult options(ListMigrations c, Mobility m) {
        List<Partition> named = c.filter().values().isEmpty() ? List.of()
                : SyscfgCommands.partitions(sys.definition(), new Filter(c.filter().values()));
        if (named.size() != 1) {
            throw ModelException.of(ModelException.Kind.INVALID_VALUE, "lslparmigr -r " + c.listed().name()
                    .toLowerCase(java.util.Locale.ROOT) + " lists the options of one partition: name it with "
                    + "--filter lpar_names=NAME or lpar_ids=ID.");
        }
        if (ResourceScope.visible(List.of(new Row().put("lpar_id", named.getFirst().id()))).isEmpty()) {
            throw io.parvirt.system.ManagedSystem.notFound(named.getFirst().name()); // beyond the user's resource role
        }
        MigrationOptions o = m.options(named.getFirst(), c.target());
        List<Row> rows = new ArrayList<>();
        switch (c.listed()) {
            case MSP -> {
                if (!o.destMsps().isEmpty()) {
                    for (MigrationOffer.Member src : o.sourceMsps()) {
                        rows.add(new Row().put("source_msp_name", src.name()).put("source_msp_id", src.id())
                                .put("dest_msp_names", names(o.destMsps())).put("dest_msp_ids", ids(o.destMsps())));
                    }
                }
            }
            case PROCPOOL -> rows.add(new Row().put("shared_proc_pool_ids", orNone(ids(o.pools())))
                    .put("shared_proc_pool_names", orNone(names(o.pools()))));
            default -> {
                List<String> possible = new ArrayList<>();
                List<String> suggested = new ArrayList<>();
                for (MigrationOptions.ScsiMapping s : o.scsiMappings()) {
                    s.vioses().forEach(v -> possible.add(s.slot() + "/" + v.name() + "/" + v.id()));
                    s.vioses().stream().findFirst().ifPresent(v -> suggested.add(s.slot() + "/" + v.name() + "/" + v.id()));
                }
                rows.add(new Row().put("possible_virtual_scsi_mappings", orNone(String.join(",", possible)))
                        .put("suggested_virtual_scsi_mappings", orNone(String.join(",", suggested)))
                        .put("possible_virtual_fc_mappings", "none").put("suggested_virtual_fc_mappings", "none"));
            }
        }
        Set<String> known = switch (c.listed()) {
            case MSP -> MSP;
            case PROCPOOL -> PROCPOOL;
            default -> VIRTUALIO;
        };
        return Listing.render(rows, c.format().fields(), c.format().header(), known);
    }

    private static String names(List<MigrationOffer.Member> members) {
        return String.join(",", members.stream().map(MigrationOffer.Member::name).toList());
    }

    private static String ids(List<MigrationOffer.Member> members) {
        return String.join(",", members.stream().map(x -> Integer.toString(x.id())).toList());
    }

    private static String orNone(String list) {
        return list.isEmpty() ? "none" : list;
    }

    /** Every failed check on a line of its own, each with its code; the first one is the API's error. */
    private static HmcResult refused(MobilityRefusal r) {
        StringBuilder out = new StringBuilder();
        HmcError first = null;
        for (ModelException e : r.failures()) {
            HmcError err = HsclCode.error(e);
            first = first == null ? err : first;
            out.append(err.line()).append('\n');
        }
        return new HmcResult(out.toString(), 1, null, first, null);
    }

    private HmcResult list(ListMigrations c) {
        Systems.check(sys, c.system());
        Mobility m = operations.mobility();
        if (c.target() != null) {
            return options(c, m);
        }
        List<Row> rows = new ArrayList<>();
        Set<Integer> shown = new java.util.HashSet<>();
        for (Partition p : SyscfgCommands.partitions(sys.definition(), new Filter(c.filter().values()))) {
            shown.add(p.id());
        }
        if (!c.lpars()) {
            rows.add(new Row().put("inactive_lpar_mobility_capable", 1)
                    .put("num_inactive_migrations_supported", m.maxInactive())
                    .put("num_inactive_migrations_in_progress", m.inactiveInProgress())
                    .put("active_lpar_mobility_capable", 1)
                    .put("num_active_migrations_supported", m.maxActive())
                    .put("num_active_migrations_in_progress", m.inProgress()));
        } else {
            for (MigrationStatus s : m.list()) {
                if (!shown.contains(s.lparId())) {
                    continue;
                }
                Row r = new Row().put("name", s.name()).put("lpar_id", s.lparId()).put("migration_state", s.state());
                if (s.destSystem() != null) {
                    r.put("migration_type", s.inactive() ? "inactive" : "active").put("dest_sys_name", s.destSystem())
                            .put("dest_lpar_id", s.destLparId()).put("bytes_transmitted", s.bytesTransmitted())
                            .put("bytes_remaining", s.bytesRemaining());
                }
                rows.add(r);
            }
        }
        Set<String> known = Set.of("name", "lpar_id", "migration_state", "migration_type", "dest_sys_name",
                "dest_lpar_id", "bytes_transmitted", "bytes_remaining", "inactive_lpar_mobility_capable",
                "num_inactive_migrations_supported", "num_inactive_migrations_in_progress",
                "active_lpar_mobility_capable", "num_active_migrations_supported", "num_active_migrations_in_progress");
        return Listing.render(rows, c.format().fields(), c.format().header(), known);
    }
}
