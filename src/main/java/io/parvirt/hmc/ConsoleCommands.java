package io.parvirt.hmc;

import io.parvirt.hmc.command.EventCommand.ListEvents;
import io.parvirt.hmc.command.UserCommand;
import io.parvirt.hmc.command.UserCommand.ListUsers;
import io.parvirt.hmc.command.UserCommand.MakeUser;
import io.parvirt.hmc.command.UserCommand.RemoveUser;
import io.parvirt.model.ModelException;
import io.parvirt.model.Values;
import io.parvirt.store.ConsoleEvent;
import io.parvirt.store.HmcUser;
import io.parvirt.system.ManagedSystem;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code lssvcevents -t console} and the HMC user commands {@code mkhmcusr}, {@code lshmcusr}, {@code rmhmcusr}. */
final class ConsoleCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private final ManagedSystem sys;
    private final HmcUsers users;
    private final ResourceRoles roles;
    /** The SSH client for {@code mkauthkeys --ip}; null where none was handed in (tests of the grammar). */
    private final RemoteConsoleKeys remoteKeys;

    ConsoleCommands(ManagedSystem sys, HmcUsers users, ResourceRoles roles, RemoteConsoleKeys remoteKeys) {
        this.sys = sys;
        this.users = users;
        this.roles = roles;
        this.remoteKeys = remoteKeys;
    }

    HmcResult events(ListEvents l) {
        List<Row> rows = new ArrayList<>();
        if (l.console()) {
            Instant since = LocalDate.now().minusDays(l.days()).atStartOfDay(ZoneId.systemDefault()).toInstant();
            for (ConsoleEvent e : sys.events(since)) {
                rows.add(new Row().put("time", TIME.format(e.time())).put("userid", e.userid()).put("pid", "0")
                        .put("name", e.name()).put("category", e.category()).put("severity", e.severity())
                        .put("text", e.text()));
            }
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), l.console() ? Set.of("time", "userid",
                "pid", "name", "category", "severity", "text") : HARDWARE_ATTRIBUTES);
    }

    /** A serviceable (hardware) event's attributes (reference §4), which -F may name though none is listed. */
    private static final Set<String> HARDWARE_ATTRIBUTES = Set.of("problem_num", "pmh_num", "refcode", "status",
            "first_time", "last_time", "sys_name", "sys_mtms", "enclosure_mtms", "text", "created_time",
            "reporting_mtms", "failing_mtms", "analyzing_hmc", "event_time", "files", "duplicate_count",
            "event_severity", "sys_refcode", "fru_details");

    HmcResult users(UserCommand command, String user) {
        return switch (command) {
            case MakeUser m -> makeUser(m, user);
            case ListUsers l -> listUsers(l);
            case UserCommand.AuthorizeKey k -> new AuthorizedKeys(users, sys).run(k, user);
            case UserCommand.RemoteKeys k -> remoteKeys(k, user);
            case RemoveUser rm -> {
                if (users.find(rm.name()).isEmpty()) {
                    throw new ModelException(ModelException.Kind.USER_NOT_FOUND, null, "name", rm.name(),
                            "The user " + Values.quote(rm.name()).replace("\"", "") + " was not found.", null);
                }
                users.remove(rm.name());
                yield HmcResult.OK;
            }
        };
    }

    /**
     * {@code mkauthkeys --ip}: the caller's own key pair with a remote console. The home's owner
     * (a {@code local:} caller) has the key pair {@code local} and is {@code hscroot} there unless
     * {@code -u} says otherwise; an HMC user is themself on both sides by default.
     */
    private HmcResult remoteKeys(UserCommand.RemoteKeys k, String caller) {
        if (remoteKeys == null) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "This console makes no SSH connections, so "
                    + "it cannot use keys with the remote HMC " + Values.quote(k.host()) + ".");
        }
        boolean owner = caller == null || caller.startsWith("local:");
        String local = owner ? "local" : caller;
        String remote = k.remoteUser() != null ? k.remoteUser() : owner ? "hscroot" : caller;
        switch (k.op()) {
            case ADD -> {
                if (k.password() == null) {
                    // an HMC prompts for it on a terminal; a daemon's command has none to prompt on
                    throw HmcException.badParameter("--passwd");
                }
                remoteKeys.add(local, k.host(), remote, k.password());
                sys.logEvent(owner ? "parvirt" : caller, "user", "SSH key of user " + local + " authorized for user "
                        + remote + " on the remote HMC " + k.host() + ".");
            }
            case REMOVE -> {
                remoteKeys.remove(local, k.host(), remote, k.password());
                sys.logEvent(owner ? "parvirt" : caller, "user", "SSH key of user " + local + " removed from user "
                        + remote + " on the remote HMC " + k.host() + ".");
            }
            case TEST -> remoteKeys.test(local, k.host(), remote);
        }
        return HmcResult.OK;
    }

    private HmcResult makeUser(MakeUser m, String user) {
        String pw = m.password();
        if (pw.length() < 8 || pw.length() > 128) {
            throw new ModelException(ModelException.Kind.OUT_OF_RANGE, "passwd", "The password for user " + m.name()
                    + " is not valid: it must have 8 to 128 characters.");
        }
        if (users.find(m.name()).isPresent()) {
            throw new ModelException(ModelException.Kind.NAME_IN_USE, null, "name", m.name(), "The user " + m.name()
                    + " already exists.", null);
        }
        String resourceRole = m.resourceRole() == null ? null : roles.assignable(m.resourceRole());
        users.save(users.create(m.name(), m.role(), pw).withResourceRole(resourceRole), user);
        return HmcResult.OK;
    }

    private HmcResult listUsers(ListUsers l) {
        List<String> names = l.filter().get("names");
        List<Row> rows = new ArrayList<>();
        for (HmcUser u : users.all()) {
            if (names == null || names.contains(u.name())) {
                rows.add(new Row().put("name", u.name()).put("taskrole", u.role()).put("description", "")
                        .put("resourcerole", u.resourceRole() == null ? "ALL:" : u.resourceRole()).put("authentication_type", "local"));
            }
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), Set.of("name", "taskrole",
                "description", "resourcerole", "authentication_type"));
    }
}
