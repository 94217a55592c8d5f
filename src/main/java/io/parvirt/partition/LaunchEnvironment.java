package io.parvirt.partition;

import io.parvirt.image.PartitionImage;
import io.parvirt.model.LparState;
import io.parvirt.model.ProcUnits;
import io.parvirt.vios.MappedDevice;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Every fact outside the profile that an activation depends on, gathered before planning so that
 * {@link LaunchPlanner#plan} stays a pure function.
 *
 * @param accel the system's accelerator setting ({@code auto}, {@code kvm} or {@code tcg}); a
 *     profile's {@code parvirt_accel} overrides it
 * @param hardwareKvm whether {@code auto} means KVM on this host (real hardware virtualization)
 * @param runRoot where partitions' run directories are ({@code <runRoot>/<lpar id>})
 * @param availProcUnits processing units free in the system; {@code poolRoom} those free below the
 *     profile's shared processor pool's maximum
 * @param images the images that exist, by name ({@code default} is built on first use)
 * @param macsInUse MAC addresses of running partitions' adapters, to the partition's name
 * @param states the run states of the other partitions (the VIOSes a client depends on)
 * @param scsi the client's virtual SCSI mappings, with whether each backing file exists
 * @param storageServer how a VIOS's storage server is started (the daemon's own Java and classes)
 * @param qemuUser the unprivileged user QEMU runs as, or null for the daemon's own user
 * @param vhostUser guest NICs are vhost-user ports ({@code vswitch.transport=vhost-user})
 * @param vhostUserBlk disks are attached as vhost-user-blk devices where they can be
 *     ({@code vios.disk_transport=vhost-user-blk})
 */
public record LaunchEnvironment(String qemuBinary, String accel, boolean hardwareKvm, String macPrefix, Path runRoot,
        long availMemMb, ProcUnits availProcUnits, ProcUnits poolRoom, Map<String, PartitionImage> images,
        Map<String, String> macsInUse, Map<Integer, LparState> states, List<ScsiMapping> scsi,
        StorageServerCommand storageServer, String qemuUser, boolean vhostUser, boolean vhostUserBlk) {

    public LaunchEnvironment {
        images = Map.copyOf(images);
        macsInUse = Map.copyOf(macsInUse);
        states = Map.copyOf(states);
        scsi = List.copyOf(scsi);
    }

    /**
     * A mapped device of the client, whether its backing file (or loaded medium) exists now, and
     * whether its VIOS's storage server serves it over vhost-user-blk too (its socket is there).
     */
    public record ScsiMapping(MappedDevice device, boolean fileExists, boolean vhostServed) {
        public ScsiMapping(MappedDevice device, boolean fileExists) {
            this(device, fileExists, false);
        }
    }

    /** The Java runtime and class path a VIOS's storage server runs with. */
    public record StorageServerCommand(String java, String classPath) {
    }

    /**
     * The same environment with these partitions taken as Running: a system profile's clients are
     * planned as they will be started, after its VIOSes (which start first and are waited for).
     */
    public LaunchEnvironment assumingRunning(java.util.Collection<Integer> ids) {
        Map<Integer, LparState> st = new java.util.HashMap<>(states);
        ids.forEach(id -> st.put(id, LparState.RUNNING));
        return new LaunchEnvironment(qemuBinary, accel, hardwareKvm, macPrefix, runRoot, availMemMb, availProcUnits,
                poolRoom, images, macsInUse, st, scsi, storageServer, qemuUser, vhostUser, vhostUserBlk);
    }

    /** The run state of partition {@code id}: Not Activated when it is not listed. */
    public LparState state(int id) {
        return states.getOrDefault(id, LparState.NOT_ACTIVATED);
    }
}
