package io.parvirt.vios;

import io.parvirt.model.AdapterType;
import io.parvirt.model.Partition;
import io.parvirt.model.RemoteRef;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.VirtualScsiAdapter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A VIOS's server adapter as the VIOS names it: {@code vhostN}, numbered in slot order (vhost0 is
 * the lowest slot) among the server entries of the VIOS's default profile's
 * {@code virtual_scsi_adapters}; with the client it pairs with (reference §8), or client id 0.
 */
public record Vhost(int index, int slot, int clientId, int clientSlot) {

    public String name() {
        return "vhost" + index;
    }

    /** The server adapters of {@code vios}, vhost0 first. */
    public static List<Vhost> of(SystemDefinition def, Partition vios) {
        List<VirtualScsiAdapter> servers = def.defaultProfile(vios).io().scsi().stream()
                .filter(a -> a.type() == AdapterType.SERVER).sorted(Comparator.comparingInt(VirtualScsiAdapter::slot))
                .toList();
        List<Vhost> out = new ArrayList<>();
        for (VirtualScsiAdapter s : servers) {
            int[] client = client(def, vios, s);
            out.add(new Vhost(out.size(), s.slot(), client[0], client[1]));
        }
        return out;
    }

    /**
     * The client adapter that pairs with server adapter {@code s}: in another partition's default
     * profile, of type client, naming this VIOS and slot; and, where the server adapter names a
     * partition or a slot, that partition and slot. {0, 0} when none does.
     */
    private static int[] client(SystemDefinition def, Partition vios, VirtualScsiAdapter s) {
        for (Partition p : def.partitions()) {
            if (p.id() == vios.id()) {
                continue;
            }
            for (VirtualScsiAdapter c : def.defaultProfile(p).io().scsi()) {
                if (c.type() == AdapterType.CLIENT && names(c.remote(), vios) && c.remote().slot() != null
                        && c.remote().slot() == s.slot() && (!s.remote().namesPartition() || names(s.remote(), p))
                        && (s.remote().slot() == null || s.remote().slot() == c.slot())) {
                    return new int[] {p.id(), c.slot()};
                }
            }
        }
        return new int[] {0, 0};
    }

    private static boolean names(RemoteRef r, Partition p) {
        if (r.anyPartition()) {
            return true;
        }
        boolean byId = r.lparId() == null || r.lparId() == p.id();
        boolean byName = r.lparName() == null || r.lparName().isEmpty() || r.lparName().equals(p.name());
        return r.namesPartition() && byId && byName;
    }
}
