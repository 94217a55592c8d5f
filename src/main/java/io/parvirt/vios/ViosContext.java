package io.parvirt.vios;

import io.parvirt.model.Partition;
import io.parvirt.model.ViosStorage;
import java.util.List;

/**
 * What one VIOS command runs against: the service, the VIOS partition, its location prefix, the
 * caller, and whether the caller may name any host file ({@link HostFiles}).
 */
record ViosContext(ViosService svc, Partition vios, String locationPrefix, String user, boolean anyHostFile) {
    int id() {
        return vios.id();
    }

    ViosStorage storage() {
        return svc.storage(vios.id());
    }

    List<Vhost> vhosts() {
        return svc.vhosts(vios);
    }

    /** The server adapter named {@code vhostN}. */
    Vhost vhost(String name) {
        return vhosts().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow(() ->
                new ViosException(ViosException.Kind.NOT_FOUND, name, "The virtual SCSI server adapter " + name
                        + " does not exist on " + vios.name() + ": it has " + vhosts().size() + " (vhost0 is the "
                        + "lowest server slot of virtual_scsi_adapters)."));
    }

    Vhost vhostOfSlot(int slot) {
        return vhosts().stream().filter(v -> v.slot() == slot).findFirst().orElse(null);
    }

    /** {@code U<type>.<model>.<serial>-V<lpar id>-C<slot>}. */
    String physloc(int slot) {
        return locationPrefix + "-V" + vios.id() + "-C" + slot;
    }

    void apply(java.util.function.Function<ViosStorage, ViosService.Change> edit) {
        svc.apply(vios.id(), user, edit);
    }
}
