package io.parvirt.store;

import io.parvirt.model.ViosStorage;
import io.parvirt.model.ViosStorage.BackingDevice;
import io.parvirt.model.ViosStorage.Media;
import io.parvirt.model.ViosStorage.Pool;
import io.parvirt.model.ViosStorage.Repository;
import io.parvirt.model.ViosStorage.Target;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The V3 tables of Virtual I/O Server storage. A change replaces all rows of one VIOS: deleted
 * children first, inserted parents first, so the foreign keys hold at every statement.
 */
final class ViosTables {
    private ViosTables() {
    }

    static List<ViosStorage> load(Connection db) {
        Map<Integer, ViosStorage> byId = new TreeMap<>();
        try {
            for (Row r : rows(db, "SELECT vios_id, doc FROM vios_pool ORDER BY vios_id, rowid")) {
                ViosStorage s = get(byId, r.id);
                byId.put(r.id, s.withPools(ViosStorage.plus(s.pools(), Documents.read(r.doc, Pool.class))));
            }
            for (Row r : rows(db, "SELECT vios_id, doc FROM vios_backing_device ORDER BY vios_id, rowid")) {
                ViosStorage s = get(byId, r.id);
                byId.put(r.id, s.withDevices(ViosStorage.plus(s.devices(), Documents.read(r.doc,
                        BackingDevice.class))));
            }
            for (Row r : rows(db, "SELECT vios_id, doc FROM vios_target ORDER BY vios_id, rowid")) {
                ViosStorage s = get(byId, r.id);
                byId.put(r.id, s.withTargets(ViosStorage.plus(s.targets(), Documents.read(r.doc, Target.class))));
            }
            for (Row r : rows(db, "SELECT vios_id, doc FROM vios_repository")) {
                byId.put(r.id, get(byId, r.id).withRepository(Documents.read(r.doc, Repository.class)));
            }
            for (Row r : rows(db, "SELECT vios_id, doc FROM vios_media ORDER BY vios_id, rowid")) {
                ViosStorage s = get(byId, r.id);
                byId.put(r.id, s.withMedia(ViosStorage.plus(s.media(), Documents.read(r.doc, Media.class))));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the Virtual I/O Server storage: " + e.getMessage(), e);
        }
        return List.copyOf(byId.values());
    }

    private record Row(int id, String doc) {
    }

    private static ViosStorage get(Map<Integer, ViosStorage> byId, int id) {
        return byId.getOrDefault(id, ViosStorage.empty(id));
    }

    private static List<Row> rows(Connection db, String sql) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement(sql); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.add(new Row(r.getInt(1), r.getString(2)));
            }
        }
        return out;
    }

    static void replace(Connection db, ViosStorage s) throws SQLException {
        int id = s.viosId();
        for (String t : List.of("vios_target", "vios_media", "vios_repository", "vios_backing_device", "vios_pool")) {
            update(db, "DELETE FROM " + t + " WHERE vios_id = ?", id);
        }
        for (Pool p : s.pools()) {
            update(db, "INSERT INTO vios_pool (vios_id, name, doc) VALUES (?,?,?)", id, p.name(), Documents.write(p));
        }
        for (BackingDevice d : s.devices()) {
            update(db, "INSERT INTO vios_backing_device (vios_id, name, pool, doc) VALUES (?,?,?,?)", id, d.name(),
                    d.pool(), Documents.write(d));
        }
        if (s.repository() != null) {
            update(db, "INSERT INTO vios_repository (vios_id, pool, doc) VALUES (?,?,?)", id, s.repository().pool(),
                    Documents.write(s.repository()));
        }
        for (Media m : s.media()) {
            update(db, "INSERT INTO vios_media (vios_id, name, doc) VALUES (?,?,?)", id, m.name(), Documents.write(m));
        }
        for (Target t : s.targets()) {
            update(db, "INSERT INTO vios_target (vios_id, name, server_slot, lun, backing, doc) VALUES (?,?,?,?,?,?)",
                    id, t.name(), t.serverSlot(), t.lun(),
                    // a physical volume is not a backing device of a pool: its LUN is in the doc only
                    t.kind() == ViosStorage.TargetKind.PV ? null : t.backing(), Documents.write(t));
        }
    }

    private static void update(Connection db, String sql, Object... args) throws SQLException {
        try (PreparedStatement st = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            st.executeUpdate();
        }
    }
}
