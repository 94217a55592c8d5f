package io.parvirt.hmc;

import io.parvirt.hmc.command.AccessCommand;
import io.parvirt.hmc.command.AccessCommand.ChangeResourceRole;
import io.parvirt.hmc.command.AccessCommand.ChangeUser;
import io.parvirt.hmc.command.AccessCommand.ListAccess;
import io.parvirt.hmc.command.AccessCommand.MakeResourceRole;
import io.parvirt.hmc.command.AccessCommand.RemoveResourceRole;
import io.parvirt.model.AttributeInput;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.ModelException;
import io.parvirt.model.Values;
import io.parvirt.store.HmcUser;
import io.parvirt.store.ResourceRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code mkaccfg}, {@code chaccfg}, {@code rmaccfg}, {@code lsaccfg} and {@code chhmcusr}. */
final class AccessCommands {
    private final HmcUsers users;
    private final ResourceRoles roles;

    AccessCommands(HmcUsers users, ResourceRoles roles) {
        this.users = users;
        this.roles = roles;
    }

    HmcResult run(AccessCommand command, String actor) {
        switch (command) {
            case MakeResourceRole m -> roles.make(m.attributes(), actor);
            case ChangeResourceRole c -> roles.change(c.attributes(), actor);
            case RemoveResourceRole r -> roles.remove(r.name(), actor);
            case ChangeUser c -> changeUser(c.attributes(), actor);
            case ListAccess l -> {
                return l.taskRoles() ? taskRoles(l) : resourceRoles(l, roles);
            }
        }
        return HmcResult.OK;
    }

    private static HmcResult resourceRoles(ListAccess l, ResourceRoles roles) {
        List<String> names = l.filter().get("resourceroles");
        List<Row> rows = new ArrayList<>();
        for (ResourceRole r : roles.all()) {
            if (names == null || names.contains(r.name())) {
                rows.add(new Row().put("name", r.name()).put("resources", String.join(",", roles.hmcForm(r))));
            }
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), Set.of("name", "resources"));
    }

    /** The five task roles, fixed; their resources are the HMC commands each may run (parvirt's form, {@code cli:}). */
    private static HmcResult taskRoles(ListAccess l) {
        List<String> names = l.filter().get("taskroles");
        List<Row> rows = new ArrayList<>();
        for (String role : TaskRoles.ROLES) {
            if (names == null || names.contains(role)) {
                List<String> verbs = CommandParser.VERBS.stream().filter(v -> TaskRoles.allows(role,
                        TaskRoles.taskOf(v))).toList();
                rows.add(new Row().put("name", role).put("resources", "cli:" + String.join("+", verbs)));
            }
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), Set.of("name", "resources"));
    }

    /** {@code chhmcusr -i "name=U,taskrole=R,resourcerole=RR"}: every value checked before anything is stored. */
    private void changeUser(List<Assignment> attrs, String actor) {
        String name = null;
        String taskRole = null;
        String resourceRole = null;
        boolean resourceGiven = false;
        for (Assignment a : attrs) {
            if (a.op() != AttributeInput.Op.SET) {
                throw new ModelException(ModelException.Kind.INVALID_VALUE, a.name(), "The attribute " + a.name()
                        + " of a user is given with =.");
            }
            switch (a.name()) {
                case "name" -> name = a.value();
                case "taskrole" -> taskRole = ConsoleParser.taskRole(a.value(), "taskrole");
                case "resourcerole" -> {
                    resourceRole = a.value();
                    resourceGiven = true;
                }
                default -> throw new ModelException(ModelException.Kind.UNKNOWN_ATTRIBUTE, a.name(), "The attribute "
                        + a.name() + " cannot be changed here: give name, taskrole or resourcerole.");
            }
        }
        if (name == null) {
            throw new ModelException(ModelException.Kind.MISSING_ATTRIBUTE, "name", "The attribute name is required.");
        }
        String n = name;
        HmcUser u = users.find(n).orElseThrow(() -> new ModelException(ModelException.Kind.USER_NOT_FOUND, null,
                "name", n, "The user " + Values.quote(n).replace("\"", "") + " was not found.", null));
        HmcUser next = new HmcUser(u.name(), taskRole == null ? u.role() : taskRole, u.salt(), u.hash(), u.iterations(),
                resourceGiven ? roles.assignable(resourceRole) : u.resourceRole());
        users.save(next, actor);
    }
}
