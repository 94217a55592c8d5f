package io.parvirt.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemSettings;
import io.parvirt.model.UtilizationSample;
import io.parvirt.model.UtilizationSample.ResourceType;
import io.parvirt.model.ViosStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The embedded store: one SQLite file in WAL mode with {@code synchronous=FULL}, so a commit is on
 * stable storage when {@link #commit} returns and a daemon killed at any instant reopens to the
 * last whole transaction. One connection, used under this object's lock.
 */
public final class SqliteStore implements Store {
    private final Connection db;
    private final Path file;
    /** How many console events are kept (the audit trail with them); the oldest go first. */
    private volatile long eventLimit = 100_000;
    private static final int PRUNE_EVERY = 100;
    private int eventsSincePrune;

    public SqliteStore(Path file) {
        this.file = file;
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").load().migrate();
        try {
            db = DriverManager.getConnection(url);
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=5000");
            }
        } catch (SQLException e) {
            throw new StoreException("cannot open store " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Optional<SystemDefinition> load(SystemSettings seed) {
        try {
            SystemSettings settings = seed;
            boolean stored = false;
            try (ResultSet r = query("SELECT doc FROM system_settings WHERE id = 1")) {
                if (r.next()) {
                    settings = Documents.read(r.getString(1), SystemSettings.class);
                    stored = true;
                }
            }
            List<Partition> parts = new ArrayList<>();
            try (ResultSet r = query("SELECT doc FROM lpar ORDER BY lpar_id")) {
                while (r.next()) {
                    parts.add(Documents.read(r.getString(1), Partition.class));
                }
            }
            List<Profile> profiles = new ArrayList<>();
            try (ResultSet r = query("SELECT doc FROM profile")) {
                while (r.next()) {
                    profiles.add(Documents.read(r.getString(1), Profile.class));
                }
            }
            List<SharedProcessorPool> pools = new ArrayList<>();
            try (ResultSet r = query("SELECT doc FROM proc_pool")) {
                while (r.next()) {
                    pools.add(Documents.read(r.getString(1), SharedProcessorPool.class));
                }
            }
            return stored ? Optional.of(new SystemDefinition(settings, parts, profiles, pools)) : Optional.empty();
        } catch (SQLException e) {
            throw new StoreException("cannot load the store: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<io.parvirt.model.SystemProfile> systemProfiles() {
        List<io.parvirt.model.SystemProfile> out = new ArrayList<>();
        try (ResultSet r = query("SELECT doc FROM system_profile ORDER BY name")) {
            while (r.next()) {
                out.add(Documents.read(r.getString(1), io.parvirt.model.SystemProfile.class));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot load the system profiles: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public synchronized List<io.parvirt.model.PartitionTemplate> templates() {
        List<io.parvirt.model.PartitionTemplate> out = new ArrayList<>();
        try (ResultSet r = query("SELECT doc FROM lpar_template ORDER BY name")) {
            while (r.next()) {
                out.add(Documents.read(r.getString(1), io.parvirt.model.PartitionTemplate.class));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot load the partition templates: " + e.getMessage(), e);
        }
        return out;
    }

    private ResultSet query(String sql) throws SQLException {
        Statement s = db.createStatement();
        s.closeOnCompletion();
        return s.executeQuery(sql);
    }

    @Override
    public synchronized void commit(Changes c) {
        transaction("the change", () -> apply(c));
    }

    /** SQL work that runs inside one transaction. */
    private interface Work {
        void run() throws SQLException;
    }

    /** Runs {@code work} as one transaction: all of it is durable when this returns, or none of it. */
    private void transaction(String what, Work work) {
        try {
            db.setAutoCommit(false);
            try {
                work.run();
                db.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    db.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r); // SQLite has already rolled back after a full disk, for one
                }
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(diskFull(e).orElse("the store rejected " + what + ": " + e.getMessage()), e);
        }
    }

    /**
     * SQLite reports a full disk as SQLITE_FULL or, once it has rolled back on its own, as "cannot
     * commit - no transaction is active": say what the administrator must do, and where (issue 12).
     */
    private java.util.Optional<String> diskFull(SQLException e) {
        long free;
        try {
            free = Files.getFileStore(file.toAbsolutePath().getParent()).getUsableSpace();
        } catch (IOException x) {
            return java.util.Optional.empty();
        }
        boolean full = e.getErrorCode() == 13 || String.valueOf(e.getMessage()).contains("SQLITE_FULL")
                || free < 64 * 1024;
        return full ? java.util.Optional.of("the disk holding the store " + file.toAbsolutePath().getParent()
                + " is full (" + free / 1024 + " KB free): free space there and retry") : java.util.Optional.empty();
    }

    private void apply(Changes c) throws SQLException {
        if (c.settings != null) {
            update("INSERT OR REPLACE INTO system_settings (id, doc) VALUES (1, ?)", Documents.write(c.settings));
        }
        for (String name : c.removeSysprofs) {
            update("DELETE FROM system_profile WHERE name = ?", name);
        }
        for (io.parvirt.model.SystemProfile p : c.putSysprofs) {
            update("INSERT OR REPLACE INTO system_profile (name, doc) VALUES (?, ?)", p.name(), Documents.write(p));
        }
        for (String name : c.removeTemplates) {
            update("DELETE FROM lpar_template WHERE name = ?", name);
        }
        for (io.parvirt.model.PartitionTemplate t : c.putTemplates) {
            update("INSERT OR REPLACE INTO lpar_template (name, doc) VALUES (?, ?)", t.name(), Documents.write(t));
        }
        for (Profile p : c.removeProfiles) {
            update("DELETE FROM profile WHERE lpar_id = ? AND name = ?", p.lparId(), p.name());
        }
        for (int id : c.removePartitions) {
            update("DELETE FROM lpar WHERE lpar_id = ?", id);
        }
        for (Partition p : c.putPartitions) {
            // Rename frees the old name first, so the UNIQUE index sees one partition per name.
            update("INSERT INTO lpar (lpar_id, name, doc) VALUES (?, ?, ?) ON CONFLICT (lpar_id) DO UPDATE SET "
                    + "name = excluded.name, doc = excluded.doc", p.id(), p.name(), Documents.write(p));
        }
        for (Profile p : c.putProfiles) {
            update("INSERT OR REPLACE INTO profile (lpar_id, name, doc) VALUES (?, ?, ?)", p.lparId(), p.name(),
                    Documents.write(p));
        }
        for (SharedProcessorPool p : c.putPools) {
            update("INSERT OR REPLACE INTO proc_pool (pool_id, name, doc) VALUES (?, ?, ?)", p.id(), p.name(),
                    Documents.write(p));
        }
        for (ConsoleEvent e : c.events) {
            update("INSERT INTO console_event (time_ms, userid, name, category, severity, text) VALUES (?,?,?,?,?,?)",
                    e.time().toEpochMilli(), e.userid(), e.name(), e.category(), e.severity(), e.text());
        }
        if (!c.events.isEmpty() && ++eventsSincePrune >= PRUNE_EVERY) {
            // The event log (audit trail included) is bounded: the oldest go beyond the limit.
            eventsSincePrune = 0;
            update("DELETE FROM console_event WHERE seq <= (SELECT MAX(seq) FROM console_event) - ?", eventLimit);
        }
        AccessTables.apply(db, c); // resource roles before users, who may name a new one
        for (HmcUser u : c.putUsers) {
            update("INSERT OR REPLACE INTO hmc_user (name, role, salt, hash, iterations, resource_role) "
                    + "VALUES (?,?,?,?,?,?)", u.name(), u.role(), u.salt(), u.hash(), u.iterations(), u.resourceRole());
        }
        for (String u : c.removeUsers) {
            update("DELETE FROM hmc_user WHERE name = ?", u);
            update("DELETE FROM hmc_authorized_key WHERE user_name = ?", u);
        }
        for (String[] k : c.authorizeKeys) {
            update("INSERT OR IGNORE INTO hmc_authorized_key (user_name, key_line) VALUES (?, ?)", k[0], k[1]);
        }
        for (String[] k : c.revokeKeys) {
            update("DELETE FROM hmc_authorized_key WHERE user_name = ? AND key_line = ?", k[0], k[1]);
        }
    }

    private void update(String sql, Object... args) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            s.executeUpdate();
        }
    }

    /** {@code events.max}: how many console events to keep (at least 1000). */
    public void eventLimit(long max) {
        if (max < 1000) {
            throw new IllegalArgumentException("events.max must be at least 1000, not " + max);
        }
        eventLimit = max;
    }

    @Override
    public synchronized List<ConsoleEvent> events(Instant since) {
        List<ConsoleEvent> out = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement("SELECT time_ms, userid, name, category, severity, text "
                + "FROM console_event WHERE time_ms >= ? ORDER BY seq")) {
            s.setLong(1, since.toEpochMilli());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new ConsoleEvent(Instant.ofEpochMilli(r.getLong(1)), r.getString(2), r.getString(3),
                            r.getString(4), r.getString(5), r.getString(6)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read events: " + e.getMessage(), e);
        }
    }

    /** The order of samples of one instant: as lslparutil -r all lists them. */
    private static final List<ResourceType> TYPE_ORDER = List.of(ResourceType.SYS, ResourceType.POOL,
            ResourceType.PROCPOOL, ResourceType.LPAR);

    private static final TypeReference<LinkedHashMap<String, String>> ATTRIBUTES = new TypeReference<>() {
    };

    @Override
    public synchronized void recordUtilization(List<UtilizationSample> samples, Instant dropOlderThan) {
        transaction("the utilization samples", () -> {
            if (dropOlderThan != null) {
                // Per type, so each delete walks the (resource_type, time_ms) index.
                for (ResourceType t : ResourceType.values()) {
                    update("DELETE FROM utilization_sample WHERE resource_type = ? AND time_ms < ?", t.name(),
                            dropOlderThan.toEpochMilli());
                }
            }
            try (PreparedStatement s = db.prepareStatement("INSERT INTO utilization_sample (time_ms, "
                    + "resource_type, resource_id, event_type, attributes) VALUES (?,?,?,?,?)")) {
                for (UtilizationSample u : samples) {
                    if (dropOlderThan != null && u.time().isBefore(dropOlderThan)) {
                        continue;
                    }
                    s.setLong(1, u.time().toEpochMilli());
                    s.setString(2, u.resourceType().name());
                    s.setInt(3, u.resourceId());
                    s.setString(4, u.eventType());
                    s.setString(5, Documents.write(u.attributes()));
                    s.executeUpdate();
                }
            }
        });
    }


    @Override
    public synchronized List<UtilizationSample> utilization(UtilizationQuery q) {
        List<UtilizationSample> out = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT time_ms, resource_id, event_type, attributes FROM "
                + "utilization_sample WHERE resource_type = ? AND time_ms >= ?");
        if (q.until() != null) {
            sql.append(" AND time_ms < ?");
        }
        List<String> events = List.copyOf(q.eventTypes());
        if (!events.isEmpty()) {
            sql.append(" AND event_type IN (").append("?,".repeat(events.size() - 1)).append("?)");
        }
        sql.append(" ORDER BY time_ms DESC, resource_id, seq");
        if (q.limit() > 0) {
            sql.append(" LIMIT ?");
        }
        try (PreparedStatement s = db.prepareStatement(sql.toString())) {
            for (ResourceType t : TYPE_ORDER) {
                if (!q.types().contains(t)) {
                    continue;
                }
                int i = 1;
                s.setString(i++, t.name());
                s.setLong(i++, q.since().toEpochMilli());
                if (q.until() != null) {
                    s.setLong(i++, q.until().toEpochMilli());
                }
                for (String e : events) {
                    s.setString(i++, e);
                }
                if (q.limit() > 0) {
                    s.setInt(i, q.limit());
                }
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new UtilizationSample(Instant.ofEpochMilli(r.getLong(1)), t, r.getInt(2),
                                r.getString(3), attributes(r.getString(4))));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read utilization samples: " + e.getMessage(), e);
        }
        // Each type is already newest first; a stable sort on time interleaves them keeping type order.
        out.sort(Comparator.comparing(UtilizationSample::time).reversed());
        return out;
    }

    private static LinkedHashMap<String, String> attributes(String json) {
        try {
            return Documents.MAPPER.readValue(json, ATTRIBUTES);
        } catch (JsonProcessingException e) {
            throw new StoreException("corrupt utilization sample in the store: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<ViosStorage> viosStorage() {
        return ViosTables.load(db);
    }

    @Override
    public synchronized void commitVios(ViosStorage storage, ConsoleEvent event) {
        transaction("the Virtual I/O Server storage change", () -> {
            ViosTables.replace(db, storage);
            apply(new Changes().event(event));
        });
    }

    @Override
    public synchronized Optional<HmcUser> user(String name) {
        return users().stream().filter(u -> u.name().equals(name)).findFirst();
    }

    @Override
    public synchronized List<HmcUser> users() {
        List<HmcUser> out = new ArrayList<>();
        try (ResultSet r = query("SELECT name, role, salt, hash, iterations, resource_role FROM hmc_user ORDER BY name")) {
            while (r.next()) {
                out.add(new HmcUser(r.getString(1), r.getString(2), r.getBytes(3), r.getBytes(4), r.getInt(5),
                        r.getString(6)));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read users: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<ResourceRole> resourceRoles() {
        return AccessTables.load(db);
    }

    @Override
    public synchronized List<String> authorizedKeys(String user) {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement("SELECT key_line FROM hmc_authorized_key WHERE user_name = ? "
                + "ORDER BY rowid")) {
            s.setString(1, user);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read the SSH keys of " + user + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the store: " + e.getMessage(), e);
        }
    }
}
