package io.parvirt.hmc;

import io.parvirt.model.AttributeInput;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.ModelException;
import io.parvirt.model.ModelException.Kind;
import io.parvirt.model.Partition;
import io.parvirt.model.Values;
import io.parvirt.store.Changes;
import io.parvirt.store.ConsoleEvent;
import io.parvirt.store.HmcUser;
import io.parvirt.store.ResourceRole;
import io.parvirt.store.Store;
import io.parvirt.system.ManagedSystem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Managed-resource roles (the HMC's {@code mkaccfg -t resourcerole}): which partitions, or the
 * whole managed system, a user may see and act on. Stored as {@code cec}, {@code lpar:*} and
 * {@code lpar:<partition uuid>} (a partition is kept by identity: one made later with the same id
 * or name is not granted); written and read in the HMC's form
 * {@code cec:root/ibmhscS1_0|MTMS|IBMHSC_ComputerSystem},
 * {@code lpar:root/ibmhscS1_0|ID*MTMS|IBMHSC_Partition} ({@code ALL_PARTITIONS} for the ID), where
 * parvirt also takes the system's name for the MTMS and the short {@code cec:SYSTEM},
 * {@code lpar:PARTITION NAME}.
 */
final class ResourceRoles {
    private static final Pattern HMC_FORM = Pattern.compile("(cec|lpar):root/ibmhscS1_0\\|([^|]+)\\|"
            + "IBMHSC_(ComputerSystem|Partition)");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.\\-]{0,63}");
    static final String CEC = "cec";
    static final String ALL_PARTITIONS = "lpar:*";
    private final ManagedSystem sys;
    private final Store store;

    ResourceRoles(ManagedSystem sys, Store store) {
        this.sys = sys;
        this.store = store;
    }

    List<ResourceRole> all() {
        return store.resourceRoles();
    }

    Optional<ResourceRole> find(String name) {
        return all().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** What {@code user} may reach now; the home's owner (null or {@code local:}) and users without a role: all. */
    ResourceScope scopeOf(String user, Optional<HmcUser> account) {
        if (user == null || user.startsWith("local:") || account.isEmpty() || account.get().resourceRole() == null) {
            return ResourceScope.ALL;
        }
        List<String> resources = find(account.get().resourceRole()).map(ResourceRole::resources).orElse(List.of());
        boolean system = resources.contains(CEC);
        Set<Integer> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Partition p : sys.definition().partitions()) {
            if (system || resources.contains(ALL_PARTITIONS) || resources.contains("lpar:" + p.uuid())) {
                ids.add(p.id());
                names.add(p.name());
            }
        }
        return new ResourceScope(false, system, ids, names, user);
    }

    void make(List<Assignment> attrs, String actor) {
        String name = name(attrs);
        if (find(name).isPresent()) {
            throw new ModelException(Kind.NAME_IN_USE, null, "name", name, "The resource role " + name
                    + " already exists.", null);
        }
        Assignment res = only(attrs, "resources");
        if (res.op() != AttributeInput.Op.SET) {
            throw new ModelException(Kind.INVALID_VALUE, "resources", "The resources of a new resource role "
                    + name + " are given with =, not += or -=.");
        }
        commit(new ResourceRole(name, parse(res.value())), actor, "Resource role " + name + " was created.");
    }

    void change(List<Assignment> attrs, String actor) {
        String name = name(attrs);
        ResourceRole role = existing(name);
        Assignment res = only(attrs, "resources");
        LinkedHashSet<String> next = new LinkedHashSet<>(res.op() == AttributeInput.Op.SET ? List.of() : role.resources());
        List<String> given = parse(res.value());
        if (res.op() == AttributeInput.Op.REMOVE) {
            next.removeAll(given);
        } else {
            next.addAll(given);
        }
        commit(new ResourceRole(name, List.copyOf(next)), actor, "Resource role " + name + " was changed.");
    }

    void remove(String name, String actor) {
        existing(name);
        for (HmcUser u : store.users()) {
            if (name.equals(u.resourceRole())) {
                throw ModelException.of(Kind.INVALID_STATE, "The resource role " + name + " cannot be removed: the "
                        + "user " + u.name() + " holds it. Give that user another resource role first.");
            }
        }
        store.commit(new Changes().removeResourceRole(name).event(event(actor, "Resource role " + name
                + " was removed.")));
    }

    /** A role a user may be given: {@code ALL:} (null, every resource) or an existing role. */
    String assignable(String role) {
        if (role.equals("ALL:") || role.isEmpty()) {
            return null;
        }
        return existing(role).name();
    }

    /** The resources in the HMC's form, for {@code lsaccfg}. */
    List<String> hmcForm(ResourceRole role) {
        String mtms = SystemView.mtms(sys.host());
        List<String> out = new ArrayList<>();
        for (String r : role.resources()) {
            if (r.equals(CEC)) {
                out.add("cec:root/ibmhscS1_0|" + mtms + "|IBMHSC_ComputerSystem");
            } else if (r.equals(ALL_PARTITIONS)) {
                out.add("lpar:root/ibmhscS1_0|ALL_PARTITIONS*" + mtms + "|IBMHSC_Partition");
            } else {
                String uuid = r.substring("lpar:".length());
                // a removed partition's entry stays until the role is changed, as the HMC keeps inactive ones
                sys.definition().partitions().stream().filter(p -> p.uuid().equals(uuid)).findFirst().ifPresent(p ->
                        out.add("lpar:root/ibmhscS1_0|" + p.id() + "*" + mtms + "|IBMHSC_Partition"));
            }
        }
        return out;
    }

    private ResourceRole existing(String name) {
        return find(name).orElseThrow(() -> new ModelException(Kind.INVALID_REFERENCE, null, "name", name,
                "The resource role " + Values.quote(name).replace("\"", "") + " was not found.", null));
    }

    private void commit(ResourceRole role, String actor, String what) {
        store.commit(new Changes().put(role).event(event(actor, what)));
    }

    private static ConsoleEvent event(String actor, String text) {
        return new ConsoleEvent(java.time.Instant.now(), actor == null ? "parvirt" : actor, "parvirt", "access",
                "info", text);
    }

    private static String name(List<Assignment> attrs) {
        Assignment n = only(attrs, "name");
        if (n.op() != AttributeInput.Op.SET || !NAME.matcher(n.value()).matches()) {
            throw new ModelException(Kind.INVALID_VALUE, "name", "The resource role name " + Values.quote(n.value())
                    + " is not valid: a letter, then up to 63 letters, digits, '_', '.' or '-'.");
        }
        return n.value();
    }

    /** The one attribute {@code want}; any attribute but name and resources is unknown. */
    private static Assignment only(List<Assignment> attrs, String want) {
        Assignment found = null;
        for (Assignment a : attrs) {
            if (!a.name().equals("name") && !a.name().equals("resources")) {
                throw new ModelException(Kind.UNKNOWN_ATTRIBUTE, a.name(), "The attribute " + a.name()
                        + " is not valid for a resource role: give name and resources.");
            }
            if (a.name().equals(want)) {
                found = a;
            }
        }
        if (found == null) {
            throw new ModelException(Kind.MISSING_ATTRIBUTE, want, "The attribute " + want
                    + " is required for a resource role.");
        }
        return found;
    }

    /** The stored forms of a {@code resources} value; an unknown system or partition is refused. */
    private List<String> parse(String value) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        String mtms = SystemView.mtms(sys.host());
        String sysName = sys.definition().settings().name();
        for (String item : AttributeInput.splitList("resources", value)) {
            Matcher m = HMC_FORM.matcher(item);
            String type;
            String key;
            if (m.matches()) {
                type = m.group(1);
                key = m.group(2);
                if (!m.group(3).equals(type.equals(CEC) ? "ComputerSystem" : "Partition")) {
                    throw bad(item);
                }
            } else if (item.startsWith("cec:") || item.startsWith("lpar:")) {
                type = item.substring(0, item.indexOf(':'));
                key = item.substring(item.indexOf(':') + 1);
            } else {
                throw bad(item);
            }
            if (type.equals(CEC)) {
                system(key, mtms, sysName, item);
                out.add(CEC);
                continue;
            }
            int star = key.indexOf('*');
            String lpar = star < 0 ? key : key.substring(0, star);
            if (star >= 0) {
                system(key.substring(star + 1), mtms, sysName, item);
            } else if (m.matches()) {
                throw bad(item);
            }
            if (lpar.equals("ALL_PARTITIONS")) {
                out.add(ALL_PARTITIONS);
                continue;
            }
            Optional<Partition> p = m.matches() ? idOf(lpar).flatMap(id -> sys.definition().partition(id))
                    : sys.definition().partition(lpar);
            out.add("lpar:" + p.orElseThrow(() -> ModelException.of(Kind.PARTITION_NOT_FOUND, "The partition "
                    + Values.quote(lpar) + " named in resources was not found.")).uuid());
        }
        return List.copyOf(out);
    }

    private static Optional<Integer> idOf(String s) {
        return s.matches("[0-9]{1,4}") ? Optional.of(Integer.parseInt(s)) : Optional.empty();
    }

    private static void system(String key, String mtms, String sysName, String item) {
        if (!key.equals(mtms) && !key.equals(sysName)) {
            throw ModelException.of(Kind.SYSTEM_NOT_FOUND, "The managed system " + Values.quote(key)
                    + " named in resources " + Values.quote(item) + " was not found.");
        }
    }

    private static ModelException bad(String item) {
        return new ModelException(Kind.INVALID_VALUE, "resources", "The resource " + Values.quote(item)
                + " is not valid: give cec:root/ibmhscS1_0|MTMS|IBMHSC_ComputerSystem or "
                + "lpar:root/ibmhscS1_0|ID*MTMS|IBMHSC_Partition.");
    }
}
