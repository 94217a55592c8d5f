package io.parvirt.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a store file holds, read through a connection of its own (so only what was committed), as
 * text to compare before and after a command: every table but the event log and utilization
 * samples (a refusal is audited on purpose) and Flyway's history, rows sorted.
 */
public final class StoreSnapshot implements AutoCloseable {
    private static final Set<String> NOT_STATE = Set.of("console_event", "utilization_sample",
            "flyway_schema_history");
    private final Connection db;

    public StoreSnapshot(Path file) {
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public String take() {
        StringBuilder out = new StringBuilder();
        try (Statement st = db.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' "
                    + "AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                if (NOT_STATE.contains(t)) {
                    continue;
                }
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT * FROM \"" + t + "\"")) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder r = new StringBuilder();
                        for (int i = 1; i <= n; i++) {
                            r.append(i > 1 ? "|" : "").append(rs.getString(i));
                        }
                        rows.add(r.toString());
                    }
                }
                rows.sort(null);
                out.append(t).append('\n');
                rows.forEach(r -> out.append("  ").append(r).append('\n'));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
