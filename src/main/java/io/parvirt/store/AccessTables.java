package io.parvirt.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The V6 tables of managed-resource roles: a role replaces all its resource rows at once. */
final class AccessTables {
    private AccessTables() {
    }

    static List<ResourceRole> load(Connection db) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        try (PreparedStatement s = db.prepareStatement("SELECT r.name, x.resource FROM resource_role r "
                + "LEFT JOIN resource_role_resource x ON x.role_name = r.name ORDER BY r.name, x.rowid");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                List<String> resources = byName.computeIfAbsent(r.getString(1), n -> new ArrayList<>());
                if (r.getString(2) != null) {
                    resources.add(r.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the resource roles: " + e.getMessage(), e);
        }
        List<ResourceRole> out = new ArrayList<>();
        byName.forEach((name, resources) -> out.add(new ResourceRole(name, resources)));
        return out;
    }

    /** Within the caller's transaction. */
    static void apply(Connection db, Changes c) throws SQLException {
        for (String name : c.removeResourceRoles) {
            update(db, "DELETE FROM resource_role_resource WHERE role_name = ?", name);
            update(db, "DELETE FROM resource_role WHERE name = ?", name);
        }
        for (ResourceRole role : c.putResourceRoles) {
            update(db, "INSERT OR IGNORE INTO resource_role (name) VALUES (?)", role.name());
            update(db, "DELETE FROM resource_role_resource WHERE role_name = ?", role.name());
            for (String resource : role.resources()) {
                update(db, "INSERT OR IGNORE INTO resource_role_resource (role_name, resource) VALUES (?, ?)",
                        role.name(), resource);
            }
        }
    }

    private static void update(Connection db, String sql, String... args) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            s.executeUpdate();
        }
    }
}
