package io.parvirt.partition;

import io.parvirt.hypervisor.Accelerator;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.PartitionStatus;
import io.parvirt.image.ImageStore;
import io.parvirt.image.PartitionImage;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.Profile;
import io.parvirt.system.Capacity;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.MappedDevice;
import io.parvirt.vios.ViosService;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Gathers, from the live system, everything {@link LaunchPlanner#plan} needs besides the profile. */
final class LaunchFacts {
    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final ImageStore images;
    private final ViosService vios;

    LaunchFacts(ManagedSystem sys, Hypervisor hypervisor, ImageStore images, ViosService vios) {
        this.sys = sys;
        this.hypervisor = hypervisor;
        this.images = images;
        this.vios = vios;
    }

    LaunchEnvironment of(Partition p, Profile prof) {
        Hypervisor.Config cfg = hypervisor.config();
        Capacity cap = sys.capacity();
        ProcUnits poolRoom = prof.processors().shared() ? sys.poolRoom(prof.processors().poolId()) : ProcUnits.ZERO;
        Map<String, PartitionImage> byName = new HashMap<>();
        if (images != null && p.env() != LparEnv.VIOSERVER) {
            String name = prof.options().image() != null ? prof.options().image() : "default";
            images.find(name).ifPresent(i -> byName.put(name, i));
        }
        Map<String, String> macs = new HashMap<>();
        Map<Integer, LparState> states = new HashMap<>();
        for (Partition other : sys.definition().partitions()) {
            hypervisor.status(other.id()).ifPresent(st -> states.put(other.id(), st.state()));
        }
        for (PartitionStatus st : hypervisor.running()) {
            hypervisor.supervisor(st.lparId()).ifPresent(s -> {
                for (LaunchSpec.Nic n : s.spec().nics()) {
                    macs.put(n.mac(), s.spec().name());
                }
            });
        }
        return new LaunchEnvironment(cfg.qemuBinary(), cfg.accel(), Accelerator.hardwareKvm(), cfg.macPrefix(),
                cfg.runRoot(), cap.availMemMb(), cap.availProcUnits(), poolRoom, byName, macs, states, scsi(p),
                new LaunchEnvironment.StorageServerCommand(javaBinary(), absoluteClassPath()), cfg.qemuUser(),
                cfg.vhostUser(), cfg.vhostUserBlk());
    }

    private List<LaunchEnvironment.ScsiMapping> scsi(Partition p) {
        List<LaunchEnvironment.ScsiMapping> out = new ArrayList<>();
        if (vios == null || p.env() == LparEnv.VIOSERVER) {
            return out;
        }
        boolean vhost = hypervisor.config().vhostUserBlk();
        for (MappedDevice d : vios.mappedDevicesOf(p.id())) {
            out.add(new LaunchEnvironment.ScsiMapping(d, d.file() != null && Files.isRegularFile(d.file()),
                    vhost && servesVhost(d)));
        }
        return out;
    }

    /**
     * Whether the VIOS's storage server serves mapping {@code d} over vhost-user-blk too: its
     * {@code .vhost} socket is there, or the mapping is not served yet at all (a VIOS still
     * reloading its exports serves both sockets at once; the activation waits for it). A server
     * that serves the NBD socket alone is one started before vhost-user-blk. The two sockets are
     * made one after the other, so a moment is allowed between them.
     */
    private boolean servesVhost(MappedDevice d) {
        Path runRoot = hypervisor.config().runRoot();
        Path vhost = LaunchPlanner.vhostSocket(runRoot, d.viosId(), d.vtd());
        if (Files.exists(vhost) || !Files.exists(LaunchPlanner.nbdSocket(runRoot, d.viosId(), d.vtd()))) {
            return true;
        }
        long deadline = System.nanoTime() + VHOST_SOCKET_WAIT_NS;
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (Files.exists(vhost)) {
                return true;
            }
        }
        return false;
    }

    /** How long after the NBD socket the vhost-user-blk socket may come. */
    private static final long VHOST_SOCKET_WAIT_NS = 1_000_000_000L;

    /** The Java runtime this daemon runs on: the storage server runs the same classes on the same JVM. */
    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The storage server starts in the run directory's world, not the daemon's: no relative entries. */
    private static String absoluteClassPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                out.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }
}
