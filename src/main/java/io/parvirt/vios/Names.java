package io.parvirt.vios;

import io.parvirt.model.ViosStorage;

/** One VIOS's device names share one name space, as in its device database: pools, backing devices, VTDs, vhosts. */
final class Names {
    private Names() {
    }

    static void checkFree(ViosContext c, ViosStorage s, String name) {
        if (s.pool(name).isPresent()) {
            throw ViosException.nameInUse(name, "a storage pool");
        }
        if (s.device(name).isPresent()) {
            throw ViosException.nameInUse(name, "a backing device");
        }
        if (s.target(name).isPresent()) {
            throw ViosException.nameInUse(name, "a virtual target device");
        }
        if (name.matches("vhost[0-9]+")) {
            throw ViosException.nameInUse(name, "the virtual SCSI server adapters' names (vhostN)");
        }
    }
}
