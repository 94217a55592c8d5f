package io.parvirt.partition;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.PartitionStatus;
import io.parvirt.hypervisor.PartitionSupervisor;
import io.parvirt.model.LparState;
import io.parvirt.vios.MappedDevice;
import io.parvirt.vios.ViosService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VIOS's mapping changes reach its running clients (virtual SCSI DLPAR): after a VIOS command,
 * each running client's devices are brought to its mappings in two steps around the VIOS's
 * exports reload. First ({@link #release}) what is no longer mapped (rmvdev, unloadopt) leaves the
 * guest while the VIOS still serves it: the guest lets the device go, then its NBD client closes,
 * so no request is left waiting on a socket that is about to vanish (before, the guest's requests
 * hung for the 30 s reconnect delay and then failed). Then ({@link #attach}) the VIOS serves the
 * new mappings and they are plugged into the guest (mkvdev, loadopt) on the client adapter's
 * controller. A client adapter with no controller (none at activation) gets nothing until its
 * next activation; a client that is not Running gets its mappings at activation, as before.
 */
final class LiveMappings {
    private static final Logger LOG = LoggerFactory.getLogger(LiveMappings.class);
    /** How long a guest gets to release a device, and a VIOS to serve a new mapping. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Hypervisor hypervisor;
    private final ViosService vios;

    LiveMappings(Hypervisor hypervisor, ViosService vios) {
        this.hypervisor = hypervisor;
        this.vios = vios;
    }

    /** Before the VIOS stops serving: devices whose mapping is gone (or whose medium changed) leave their guest. */
    void release() {
        for (PartitionSupervisor s : clients()) {
            replug(s, this::released);
        }
    }

    /** After the VIOS serves its new exports: new mappings (and loaded media) are plugged into their guest. */
    void attach() {
        for (PartitionSupervisor s : clients()) {
            replug(s, spec -> {
                LaunchSpec next = attached(spec);
                List<LaunchSpec.ScsiDevice> devices = new ArrayList<>();
                for (LaunchSpec.ScsiDevice d : next.scsi()) {
                    if (!spec.scsi().contains(d) && d.socket() != null) {
                        awaitServed(d.socket());
                        if (d.vhostUser() && !awaitServed(d.vhostSocket())) {
                            LOG.warn("partition {}: disk {} goes over NBD: its VIOS's storage server does not serve {} "
                                    + "(a server started before vhost-user-blk; restart the VIOS to serve it)",
                                    spec.name(), d.vtd(), d.vhostSocket());
                            d = d.onDiskPort(-1);
                        }
                    }
                    devices.add(d);
                }
                return next.withScsi(next.scsiClients(), devices);
            });
        }
    }

    /** The client's devices that are still mapped as they are; a drive whose medium changed, empty. */
    private LaunchSpec released(LaunchSpec spec) {
        List<LaunchSpec.ScsiDevice> wanted = wanted(spec);
        List<LaunchSpec.ScsiDevice> keep = new ArrayList<>();
        for (LaunchSpec.ScsiDevice d : spec.scsi()) {
            if (wanted.contains(d)) {
                keep.add(d);
            } else if (d.cdrom() && wanted.stream().anyMatch(w -> w.deviceId().equals(d.deviceId())
                    && w.vtd().equals(d.vtd()))) {
                keep.add(new LaunchSpec.ScsiDevice(d.clientSlot(), d.lun(), d.vtd(), null, true, true));
            }
        }
        return spec.withScsi(spec.scsiClients(), keep);
    }

    private LaunchSpec attached(LaunchSpec spec) {
        return spec.withScsi(spec.scsiClients(), wanted(spec));
    }

    /** Running QEMU guests activated with root ports (earlier ones cannot take hot-plugged devices). */
    private List<PartitionSupervisor> clients() {
        List<PartitionSupervisor> out = new ArrayList<>();
        for (PartitionStatus st : hypervisor.running()) {
            hypervisor.supervisor(st.lparId()).filter(s -> !s.spec().runsStorageServer()
                    && s.spec().maxVirtualSlots() > 0 && s.status().state() == LparState.RUNNING).ifPresent(out::add);
        }
        return out;
    }

    /** The client's mappings now, on the client adapters it runs with, in mapping order. */
    private List<LaunchSpec.ScsiDevice> wanted(LaunchSpec spec) {
        int clientId = spec.lparId();
        Set<Integer> controllers = new TreeSet<>();
        spec.scsiClients().forEach(c -> controllers.add(c.slot()));
        spec.scsi().forEach(d -> controllers.add(d.clientSlot()));
        List<LaunchSpec.ScsiDevice> out = new ArrayList<>();
        for (MappedDevice m : vios.mappedDevicesOf(clientId)) {
            LaunchSpec.ScsiDevice d = LaunchPlanner.device(m, hypervisor.config().runRoot());
            // a device plugged already keeps its transport: a disk on NBD stays there, one on a disk port keeps it
            LaunchSpec.ScsiDevice plugged = spec.scsi().stream().filter(p -> p.onDiskPort(-1).equals(d)).findFirst()
                    .orElse(null);
            boolean served = hypervisor.status(m.viosId()).map(st -> st.state() == LparState.RUNNING).orElse(false);
            // A mapping of a VIOS that is down is plugged once it serves it (at the client's next activation).
            if (controllers.contains(m.clientSlot()) && (served || plugged != null)) {
                out.add(plugged != null ? plugged : onDiskPort(spec, d, out));
            }
        }
        return out;
    }

    /**
     * A disk mapped while the client runs, as a vhost-user-blk device on a disk port no other
     * device takes, when the setting asks for it and the client was activated with disk ports
     * (issue 17); else, saying why, over NBD.
     */
    private LaunchSpec.ScsiDevice onDiskPort(LaunchSpec spec, LaunchSpec.ScsiDevice d, List<LaunchSpec.ScsiDevice> taken) {
        if (!hypervisor.config().vhostUserBlk() || d.cdrom() || d.readOnly() || d.socket() == null) {
            return d;
        }
        for (int port = 0; port < spec.diskPorts(); port++) {
            int p = port;
            if (spec.scsi().stream().noneMatch(x -> x.diskPort() == p) && taken.stream().noneMatch(x -> x.diskPort() == p)) {
                return d.onDiskPort(port);
            }
        }
        LOG.warn("partition {}: disk {} goes over NBD: {}", spec.name(), d.vtd(), spec.diskPorts() == 0
                ? "the partition was activated without vhost-user-blk disk ports (reactivate it to have them)"
                : "all " + spec.diskPorts() + " vhost-user-blk disk ports are taken");
        return d;
    }

    private void replug(PartitionSupervisor s, java.util.function.UnaryOperator<LaunchSpec> edit) {
        LaunchSpec now = s.spec();
        if (attached(now).equals(now)) {
            return; // nothing to change (most VIOS commands): no wait behind another DLPAR of the client
        }
        try {
            hypervisor.replug(s.lparId(), edit, TIMEOUT, false);
        } catch (IOException | RuntimeException e) {
            LOG.warn("partition {}: its virtual SCSI devices were not brought to its mappings: {}", s.spec().name(),
                    e.getMessage());
        }
    }

    /** Waits for the storage server's socket to be there; false when it did not come. */
    private static boolean awaitServed(Path socket) {
        long deadline = System.nanoTime() + PartitionOperations.SOCKET_WAIT_MS * 1_000_000;
        while (!Files.exists(socket) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return Files.exists(socket);
    }
}
