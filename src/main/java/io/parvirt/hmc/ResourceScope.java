package io.parvirt.hmc;

import java.util.List;
import java.util.Set;

/**
 * What one caller's managed-resource role lets it reach at this moment (issue 12): every resource,
 * or the managed system as a whole ({@code system}) and the partitions in {@code ids}. Resolved
 * from the store for each command, so a role's change applies to the next command.
 *
 * <p>Listings are narrowed here, in one place: {@link Listing#render} keeps only the rows this
 * scope may see ({@link #visible}), found through {@link #CURRENT}, which {@link Hmc} binds for
 * the command it runs. A row about a partition ({@code lpar_id}, else {@code lpar_name}) is shown
 * only for a partition in scope, a console event ({@code userid}) only when it is the caller's own;
 * rows about the system itself (its pools, switches, system-level figures) stay visible.
 */
record ResourceScope(boolean all, boolean system, Set<Integer> ids, Set<String> names, String user) {
    static final ResourceScope ALL = new ResourceScope(true, true, Set.of(), Set.of(), null);

    /** The scope of the command {@link Hmc} is running; unbound (tests, start-up work): everything. */
    static final ScopedValue<ResourceScope> CURRENT = ScopedValue.newInstance();

    ResourceScope {
        ids = Set.copyOf(ids);
        names = Set.copyOf(names);
    }

    boolean covers(io.parvirt.model.Partition p) {
        return all || system || ids.contains(p.id());
    }

    /** The rows of a listing the current scope may see. */
    static List<Row> visible(List<Row> rows) {
        ResourceScope s = CURRENT.orElse(ALL);
        // the managed system covers all it holds: parvirt serves one
        return s.all || s.system ? rows : rows.stream().filter(s::sees).toList();
    }

    private boolean sees(Row r) {
        String id = r.get("lpar_id");
        if (id != null) {
            try {
                return ids.contains(Integer.parseInt(id.strip()));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        String name = r.get("lpar_name");
        if (name != null) {
            return names.contains(name);
        }
        String userid = r.get("userid");
        return userid == null || userid.equals(user);
    }
}
