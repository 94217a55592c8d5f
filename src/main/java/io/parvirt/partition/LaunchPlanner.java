package io.parvirt.partition;

import io.parvirt.hypervisor.Accelerator;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.QemuCommandLine;
import io.parvirt.hypervisor.StorageServerProcess;
import io.parvirt.image.GuestBoot;
import io.parvirt.image.PartitionImage;
import io.parvirt.model.Allocation;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.MacAddresses;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.Profile;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.AdapterType;
import io.parvirt.model.VirtualEthernetAdapter;
import io.parvirt.model.VirtualScsiAdapter;
import io.parvirt.vios.MappedDevice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The step from a profile and the system's state to a launch: a pure function (golden files in
 * the tests start from profiles and pin down the command line, as libvirt's qemuxmlconfdata does).
 * It refuses, with the HMC's error, what cannot be activated: too few free resources, a missing
 * image, a MAC address in use, a virtual SCSI device whose VIOS is down or whose file is gone.
 */
public final class LaunchPlanner {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LaunchPlanner.class);
    /** The exports a VIOS's storage server serves, in its run directory. */
    static final String EXPORTS_FILE = "exports.json";

    private LaunchPlanner() {
    }

    public static LaunchPlan plan(SystemDefinition def, Partition p, Profile prof, LaunchEnvironment env) {
        Allocation a = allocation(def, p, prof, env);
        boolean server = p.env() == LparEnv.VIOSERVER;
        Path runDir = env.runRoot().resolve(Integer.toString(p.id()));
        List<LaunchSpec.Nic> nics = nics(p, prof, env);
        PartitionImage image = server ? null : image(p, prof, env);
        String accel = prof.options().accel() != null ? prof.options().accel() : env.accel();
        List<LaunchSpec.ScsiClient> clients = server ? List.of() : scsiClients(def, prof);
        List<LaunchSpec.ScsiDevice> nbd = server ? List.of() : scsi(def, p, env);
        // vhost-user-blk disks need ports made now (a disk mapped later is plugged into a free one)
        // and guest memory the storage server can map
        int diskPorts = env.vhostUserBlk() && !server && (!clients.isEmpty() || !nbd.isEmpty())
                ? LaunchSpec.MAX_DISK_PORTS : 0;
        List<LaunchSpec.ScsiDevice> scsi = onDiskPorts(p, nbd, env, diskPorts);
        LaunchSpec spec = new LaunchSpec(env.qemuBinary(), p.name(), p.id(), p.uuid(), a.memMb(),
                Math.max(a.memMb(), prof.memory().maxMb()), a.vcpus(), prof.processors().maxProcs(),
                accel.equals("auto") ? (env.hardwareKvm() ? Accelerator.KVM : Accelerator.TCG)
                        : Accelerator.choose(accel),
                server ? null : image.kernel(), server ? null : image.initramfs(), server ? null : image.disk(),
                GuestBoot.kernelCmdline(p.name(), ""), runDir,
                // A VIOS's operating system is the storage server: no guest NICs, its trunks are bridged.
                server ? nics.stream().filter(LaunchSpec.Nic::trunk).toList() : nics,
                scsi,
                server ? new LaunchSpec.StorageServer(env.storageServer().java(), env.storageServer().classPath(),
                        runDir.resolve(EXPORTS_FILE)) : null,
                // A guest boots with its minimum and gets the rest from its virtio-mem device (memory DLPAR).
                server ? a.memMb() : Math.min(a.memMb(), prof.memory().minMb()),
                server ? 0 : prof.io().maxVirtualSlots(), clients,

                // A VIOS's storage server stays the daemon's (it opens the VIOS's disks); its NBD
                // sockets are shared with this user's group, for the clients' QEMU.
                env.qemuUser(),
                // Decided once, here: the run keeps it through adapter DLPAR (the memory QEMU has).
                !server && (LaunchSpec.sharedFor(nics) || diskPorts > 0), diskPorts);
        return new LaunchPlan(prof.name(), a, spec, server ? StorageServerProcess.commandLine(spec)
                : QemuCommandLine.of(spec));
    }

    /** Desired resources if they are free, down to the minimums (as PowerVM does), else refused. */
    static Allocation allocation(SystemDefinition def, Partition p, Profile prof, LaunchEnvironment env) {
        var c = prof.processors();
        ProcUnits poolRoom = c.shared() ? env.poolRoom() : ProcUnits.ZERO;
        var a = Allocation.plan(p.id(), prof, env.availMemMb(), env.availProcUnits(), poolRoom, def.lmbMb());
        if (a.isPresent()) {
            return a.get();
        }
        if (c.shared() && poolRoom.compareTo(c.minUnits()) < 0) {
            String pool = def.pool(c.poolId()).orElseThrow().name();
            throw ModelException.of(ModelException.Kind.INSUFFICIENT_RESOURCES, "There are not enough processing "
                    + "units in shared processor pool " + pool + " to activate partition " + p.name() + " with "
                    + "profile " + prof.name() + ": it needs at least " + c.minUnits() + " and the pool has "
                    + poolRoom + " left below its max_pool_proc_units. Raise the pool's maximum (chhwres -r "
                    + "procpool) or lower min_proc_units.");
        }
        throw ModelException.of(ModelException.Kind.INSUFFICIENT_RESOURCES, "There are not enough resources to "
                + "activate partition " + p.name() + " with profile " + prof.name() + ": it needs at least "
                + prof.memory().minMb() + " MB and " + (c.shared() ? c.minUnits() + " processing units"
                : c.minProcs() + " processors") + "; available are " + env.availMemMb() + " MB and "
                + env.availProcUnits() + " processing units.");
    }

    /**
     * The profile's virtual Ethernet adapters in slot order, each with its MAC address: the
     * profile's own or the one parvirt assigns. An address a running partition uses is refused.
     */
    static List<LaunchSpec.Nic> nics(Partition p, Profile prof, LaunchEnvironment env) {
        Map<String, String> inUse = new HashMap<>(env.macsInUse());
        List<LaunchSpec.Nic> out = new ArrayList<>();
        for (VirtualEthernetAdapter e : prof.io().eth().stream()
                .sorted(Comparator.comparingInt(VirtualEthernetAdapter::slot)).toList()) {
            String mac = e.macAddr() != null ? e.macAddr() : MacAddresses.assign(env.macPrefix(), p.id(), e.slot());
            if (inUse.containsKey(mac)) {
                throw new ModelException(ModelException.Kind.INVALID_STATE, "mac_addr", "The MAC address " + mac
                        + " of the virtual Ethernet adapter in slot " + e.slot() + " of partition " + p.name()
                        + " is in use by running partition " + inUse.get(mac) + ". Give the adapter another "
                        + "mac_addr.");
            }
            inUse.put(mac, p.name());
            out.add(new LaunchSpec.Nic(e.slot(), mac, e.vswitch(), e.portVlanId(), e.ieee(), e.addlVlanIds(),
                    e.trunkPriority(), e.qosPriority(), env.vhostUser() && e.trunkPriority() == 0));
        }
        return out;
    }

    /** The profile's virtual SCSI client adapters, each with the id of the VIOS it names. */
    static List<LaunchSpec.ScsiClient> scsiClients(SystemDefinition def, Profile prof) {
        List<LaunchSpec.ScsiClient> out = new ArrayList<>();
        for (VirtualScsiAdapter s : prof.io().scsi()) {
            if (s.type() != AdapterType.CLIENT) {
                continue;
            }
            var r = s.remote();
            int vios = r.lparId() != null ? r.lparId() : def.partition(r.lparName()).map(Partition::id).orElse(0);
            out.add(new LaunchSpec.ScsiClient(s.slot(), vios, r.slot()));
        }
        out.sort(Comparator.comparingInt(LaunchSpec.ScsiClient::slot));
        return out;
    }

    /** The profile's image ({@code parvirt_image}), or the default one. */
    static PartitionImage image(Partition p, Profile prof, LaunchEnvironment env) {
        String name = prof.options().image();
        if (name != null) {
            PartitionImage i = env.images().get(name);
            if (i == null) {
                throw ModelException.of(ModelException.Kind.INVALID_REFERENCE, "The image " + name + " named by "
                        + "parvirt_image in profile " + prof.name() + " of partition " + p.name() + " is missing or "
                        + "incomplete: see ./parvirt image list.");
            }
            return i;
        }
        PartitionImage i = env.images().get("default");
        if (i == null) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The partition image for " + p.name()
                    + " is not available: the default image is not built (./parvirt image build builds it; an "
                    + "activation builds it first).");
        }
        return i;
    }

    /**
     * The devices the client attaches, in mapping order (client slot, then LUN): each on its
     * serving VIOS's socket for that one mapping, or an empty drive for optical media not loaded.
     */
    static List<LaunchSpec.ScsiDevice> scsi(SystemDefinition def, Partition client, LaunchEnvironment env) {
        List<LaunchSpec.ScsiDevice> out = new ArrayList<>();
        for (LaunchEnvironment.ScsiMapping m : env.scsi()) {
            MappedDevice d = m.device();
            Partition v = def.partition(d.viosId()).orElseThrow();
            LparState state = env.state(v.id());
            if (state != LparState.RUNNING) {
                throw new ModelException(ModelException.Kind.INVALID_STATE, "virtual_scsi_adapters", "The partition "
                        + client.name() + " cannot be activated: its virtual SCSI client adapter in slot "
                        + d.clientSlot() + " is served by Virtual I/O Server " + v.name() + " (ID " + v.id()
                        + "), which is " + state.hmcName() + ". Activate " + v.name() + " first (chsysstate -r lpar "
                        + "-o on -n " + v.name() + ").");
            }
            boolean cdrom = d.kind() == MappedDevice.Kind.OPTICAL;
            if (d.file() == null) {
                out.add(device(d, env.runRoot()));
                continue;
            }
            if (!m.fileExists()) {
                throw new ModelException(ModelException.Kind.INVALID_STATE, "virtual_scsi_adapters", "The partition "
                        + client.name() + " cannot be activated: the " + (cdrom ? "medium" : "backing device")
                        + " of virtual target device " + d.vtd() + " on Virtual I/O Server " + v.name()
                        + " is missing (" + d.file() + "). Restore the file, or remove the mapping (viosvrcmd -p "
                        + v.name() + " -c \"rmvdev -vtd " + d.vtd() + "\").");
            }
            out.add(device(d, env.runRoot()));
        }
        return out;
    }

    /**
     * The client's disks attached as vhost-user-blk devices, one per disk port in mapping order,
     * where that can work (issue 17): read-write disks whose storage server serves the mapping's
     * vhost-user-blk socket. The others stay on NBD, and a disk that could not move says why in
     * the log; optical media always go over NBD.
     */
    static List<LaunchSpec.ScsiDevice> onDiskPorts(Partition client, List<LaunchSpec.ScsiDevice> devices,
            LaunchEnvironment env, int ports) {
        if (ports == 0) {
            return devices;
        }
        List<LaunchSpec.ScsiDevice> out = new ArrayList<>();
        int next = 0;
        for (LaunchSpec.ScsiDevice d : devices) {
            if (d.cdrom() || d.readOnly() || d.socket() == null) {
                out.add(d);
                continue;
            }
            boolean served = env.scsi().stream().anyMatch(m -> m.device().vtd().equals(d.vtd())
                    && m.device().clientSlot() == d.clientSlot() && m.vhostServed());
            if (!served) {
                LOG.warn("partition {}: disk {} goes over NBD: its VIOS's storage server does not serve {} (a server "
                        + "started before vhost-user-blk; restart the VIOS to serve it)", client.name(), d.vtd(),
                        d.vhostSocket());
                out.add(d);
            } else if (next == ports) {
                LOG.warn("partition {}: disk {} goes over NBD: all {} vhost-user-blk disk ports are taken",
                        client.name(), d.vtd(), ports);
                out.add(d);
            } else {
                out.add(d.onDiskPort(next++));
            }
        }
        return out;
    }

    /**
     * The device a client attaches for one mapping: on its serving VIOS's socket for that one
     * mapping, or an empty drive for an optical drive with no medium loaded.
     */
    static LaunchSpec.ScsiDevice device(MappedDevice d, Path runRoot) {
        // The VIOS numbers LUNs 0x81..., the guest's SCSI LUNs count from 0.
        int lun = (int) (d.lun() >>> 56) - 0x81;
        boolean cdrom = d.kind() == MappedDevice.Kind.OPTICAL;
        if (d.file() == null) {
            return new LaunchSpec.ScsiDevice(d.clientSlot(), lun, d.vtd(), null, true, true);
        }
        return new LaunchSpec.ScsiDevice(d.clientSlot(), lun, d.vtd(), nbdSocket(runRoot, d.viosId(), d.vtd()), cdrom,
                cdrom || d.readOnly());
    }

    /** The storage server of VIOS {@code viosId} serves read-write disk {@code vtd} over vhost-user-blk on this socket. */
    static Path vhostSocket(Path runRoot, int viosId, String vtd) {
        return nbdSocket(runRoot, viosId, vtd).resolveSibling(vtd + LaunchSpec.ScsiDevice.VHOST_SUFFIX);
    }

    /** The storage server of VIOS {@code viosId} serves mapping {@code vtd} on this socket alone. */
    static Path nbdSocket(Path runRoot, int viosId, String vtd) {
        return runRoot.resolve(Integer.toString(viosId)).resolve("nbd").resolve(vtd + ".sock");
    }
}
