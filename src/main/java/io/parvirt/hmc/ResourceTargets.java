package io.parvirt.hmc;

import io.parvirt.hmc.command.AccessCommand;
import io.parvirt.hmc.command.ConsoleInfoCommand;
import io.parvirt.hmc.command.EventCommand;
import io.parvirt.hmc.command.HmcCommand;
import io.parvirt.hmc.command.HwresCommand;
import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.PowerCommand;
import io.parvirt.hmc.command.SyscfgCommand;
import io.parvirt.hmc.command.UserCommand;
import io.parvirt.hmc.command.ViosCommand;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which managed resources a command acts on, checked against the caller's {@link ResourceScope}
 * before it runs (issue 12). A command on named partitions needs each of them; any other change
 * (new partitions, the system, its pools, switches, system profiles, templates, profile data)
 * needs the managed system itself. Listings are not refused: they show only what the scope sees.
 * Commands on the console's own users and facts name no managed resource. A command added later
 * and not named here needs the managed system, the narrowest default.
 */
final class ResourceTargets {
    private ResourceTargets() {
    }

    static void check(HmcCommand command, ResourceScope scope, SystemDefinition def, String user) {
        if (scope.all() || scope.system() || TaskRoles.taskOf(command.verb()) == TaskRoles.Task.LIST) {
            return;
        }
        List<Optional<Partition>> targets = switch (command) {
            case UserCommand c -> List.of();
            case AccessCommand c -> List.of();
            case ConsoleInfoCommand c -> List.of();
            case EventCommand c -> List.of();
            case HwresCommand.ChangeProcessors c -> List.of(find(def, c.partition()), find(def, c.target()));
            case HwresCommand.ChangeMemory c -> List.of(find(def, c.partition()), find(def, c.target()));
            case HwresCommand.ChangeVirtualAdapter c -> List.of(find(def, c.partition()));
            case HwresCommand.RestoreResources c when c.partition() != null -> List.of(find(def, c.partition()));
            case PowerCommand.ChangeState c -> List.of(find(def, c.partition()));
            case PowerCommand.ChangeLparState c -> List.of(find(def, c.partition()));
            case PowerCommand.OpenVterm c -> List.of(find(def, c.partition()));
            case PowerCommand.CloseVterm c -> List.of(find(def, c.partition()));
            case SyscfgCommand.SaveProfile c -> List.of(find(def, c.partition()));
            case SyscfgCommand.ApplyProfile c -> List.of(find(def, c.partition()));
            case SyscfgCommand.RemovePartition c -> List.of(find(def, c.partition()));
            case SyscfgCommand.RemoveProfile c -> List.of(find(def, c.partition()));
            case SyscfgCommand.ChangePartition c -> named(def, c.records(), "name");
            case SyscfgCommand.ChangeProfile c -> named(def, c.records(), "lpar_name");
            case SyscfgCommand.MakeProfile c -> named(def, c.records(), "lpar_name");
            case ViosCommand c -> List.of(find(def, c.vios()));
            default -> throw refused(user, command.verb() + " changes the managed system");
        };
        for (Optional<Partition> p : targets) {
            // a partition that does not exist is left to the command, which names it as not found
            if (p.isPresent() && !scope.covers(p.get())) {
                throw refused(user, command.verb() + " on partition " + p.get().name());
            }
        }
    }

    /** Guest exec and the console's output name one partition outside any HMC command. */
    static void check(String partition, ResourceScope scope, SystemDefinition def, String user, String what) {
        Optional<Partition> p = def.partition(partition);
        if (p.isPresent() && !scope.covers(p.get())) {
            throw refused(user, what + " on partition " + p.get().name());
        }
    }

    private static Optional<Partition> find(SystemDefinition def, PartitionRef ref) {
        return switch (ref) {
            case null -> Optional.empty();
            case PartitionRef.ByName n -> def.partition(n.name());
            case PartitionRef.ById i -> def.partition(i.id());
        };
    }

    /** The partitions records name by {@code nameAttribute} or {@code lpar_id}. */
    private static List<Optional<Partition>> named(SystemDefinition def, List<List<Assignment>> records,
            String nameAttribute) {
        List<Optional<Partition>> out = new ArrayList<>();
        for (List<Assignment> r : records) {
            for (Assignment a : r) {
                if (a.name().equals(nameAttribute)) {
                    out.add(def.partition(a.value()));
                } else if (a.name().equals("lpar_id") && a.value().matches("[0-9]{1,4}")) {
                    out.add(def.partition(Integer.parseInt(a.value())));
                }
            }
        }
        return out;
    }

    private static ModelException refused(String user, String what) {
        return ModelException.of(ModelException.Kind.NOT_AUTHORIZED, "The user " + Values.quote(user).replace("\"", "")
                + " does not have the authority for " + what + ": it is outside the user's resource role.");
    }
}
