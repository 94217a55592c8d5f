package io.parvirt.hmc;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HMC's task roles and what each may do: the one table every command, route and (later) SSH
 * or web action is authorised against (issue 12). The home's owner (its local token) may do
 * everything. The matrix is in the README.
 */
public final class TaskRoles {
    /** What an action needs. */
    public enum Task {
        /** Listings and figures: {@code ls*}, the API's GET routes, {@code /metrics}. */
        LIST,
        /** Console output: {@code mkvterm}, {@code rmvterm}, the console route (guests print secrets). */
        CONSOLE,
        /** Any change to partitions, profiles, pools, switches or VIOS storage. */
        CHANGE,
        /** A program run as root in a partition ({@code guest exec}). */
        GUEST_EXEC,
        /** Making, changing and removing HMC users and their managed-resource roles. */
        MANAGE_USERS,
        /** One's own SSH keys ({@code mkauthkeys}; naming another user is checked by the command). */
        OWN_KEYS,
        /** The host itself: any host file ({@code mkvopt -file}), stopping the daemon. */
        HOST,
        /** Connecting and removing managed systems ({@code mksysconn}, {@code rmsysconn}): their credentials are kept here. */
        CONNECTIONS
    }

    public static final List<String> ROLES = List.of("hmcsuperadmin", "hmcoperator", "hmcpe", "hmcservicerep",
            "hmcviewer");

    private static final Map<String, Set<Task>> GRANTS = Map.of(
            "hmcsuperadmin", EnumSet.allOf(Task.class),
            "hmcoperator", EnumSet.of(Task.LIST, Task.OWN_KEYS, Task.CONSOLE, Task.CHANGE, Task.GUEST_EXEC),
            // a product engineer diagnoses: sees everything, consoles included, changes nothing
            "hmcpe", EnumSet.of(Task.LIST, Task.OWN_KEYS, Task.CONSOLE),
            // a service representative looks at the system and its events
            "hmcservicerep", EnumSet.of(Task.LIST, Task.OWN_KEYS),
            "hmcviewer", EnumSet.of(Task.LIST, Task.OWN_KEYS));

    private TaskRoles() {
    }

    /** The task an HMC command (or one of parvirt's own actions) needs. */
    public static Task taskOf(String verb) {
        return switch (verb) {
            case "mkvterm", "rmvterm", "console" -> Task.CONSOLE;
            // users and their roles (the managed-resource roles: mkaccfg, chaccfg, rmaccfg)
            case "mkhmcusr", "rmhmcusr", "chhmcusr", "mkaccfg", "chaccfg", "rmaccfg" -> Task.MANAGE_USERS;
            case "mkauthkeys" -> Task.OWN_KEYS;
            case "monhmc" -> Task.LIST;
            case "guestexec" -> Task.GUEST_EXEC;
            // rsthwres changes running partitions as chhwres does (some HMC levels ask hmcsuperadmin for it)
            case "rsthwres" -> Task.CHANGE;
            // suspend and resume change a partition's state, as chsysstate does
            case "chlparstate" -> Task.CHANGE;
            case "daemonstop", "hostfile" -> Task.HOST;
            case "mksysconn", "rmsysconn" -> Task.CONNECTIONS;
            default -> verb.startsWith("ls") ? Task.LIST : Task.CHANGE;
        };
    }

    /** Whether {@code role} may do {@code task}; an unknown role may do nothing. */
    public static boolean allows(String role, Task task) {
        return GRANTS.getOrDefault(role, Set.of()).contains(task);
    }
}
