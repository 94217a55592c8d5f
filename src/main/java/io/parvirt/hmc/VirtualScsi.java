package io.parvirt.hmc;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.PartitionStatus;
import io.parvirt.hypervisor.PartitionSupervisor;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.SystemDefinition;
import io.parvirt.vios.MappedDevice;
import io.parvirt.vios.ViosService;
import io.parvirt.vios.nbd.Export;
import io.parvirt.vios.nbd.ExportsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Virtual SCSI between running partitions: what a VIOS's storage server serves (its exports file,
 * written before it starts and after every change of its mappings) and what a client partition's
 * QEMU attaches (one NBD-backed device per mapping, on the serving VIOS's socket for that mapping).
 * Mappings are read at a client's activation; a change while the client runs reaches it at its
 * next activation (hot-add is DLPAR's).
 */
final class VirtualScsi {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualScsi.class);
    static final String EXPORTS_FILE = "exports.json";
    /** How long a client's activation waits for a VIOS that is still applying a change to serve it. */
    static final long SOCKET_WAIT_MS = 10_000;

    private final Hypervisor hypervisor;
    private final ViosService vios;

    VirtualScsi(Hypervisor hypervisor, ViosService vios) {
        this.hypervisor = hypervisor;
        this.vios = vios;
    }

    /** Writes the exports of a VIOS about to be activated; returns how its storage server is run. */
    LaunchSpec.StorageServer prepareServer(Partition v) {
        Path runDir = hypervisor.runDir(v.id());
        Path file = runDir.resolve(EXPORTS_FILE);
        try {
            Files.createDirectories(runDir);
            ExportsFile.write(file, vios.exportsOf(v.id()));
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The Virtual I/O Server " + v.name()
                    + " could not be activated: its exports could not be written to " + file + ": " + e.getMessage());
        }
        return new LaunchSpec.StorageServer(javaBinary(), absoluteClassPath(), file);
    }

    /**
     * After a VIOS command: a running VIOS serves its mappings as they now are (the storage server
     * re-reads its exports on SIGHUP). Nothing is sent when the exports did not change.
     */
    void refresh(Partition v) {
        Optional<PartitionSupervisor> s = hypervisor.supervisor(v.id());
        if (s.isEmpty() || !s.get().spec().runsStorageServer()) {
            return;
        }
        Path file = s.get().spec().storageServer().exportsFile();
        List<Export> now = vios.exportsOf(v.id());
        try {
            if (Files.exists(file) && ExportsFile.read(file).equals(now)) {
                return;
            }
            ExportsFile.write(file, now);
        } catch (IOException e) {
            LOG.warn("VIOS {}: exports not updated in {}: {}", v.name(), file, e.getMessage());
            return;
        }
        if (!s.get().reloadStorage()) {
            LOG.warn("VIOS {}: its storage server could not be told to reload its exports", v.name());
        }
    }

    /**
     * The devices client {@code client} attaches, in client slot then LUN order. Refused, naming
     * the VIOS and the fix, when a serving VIOS is not running, a disk's file is gone, or the VIOS
     * does not serve a mapping.
     */
    List<LaunchSpec.ScsiDevice> devicesOf(SystemDefinition def, Partition client) {
        List<LaunchSpec.ScsiDevice> out = new ArrayList<>();
        for (MappedDevice d : vios.mappedDevicesOf(client.id())) {
            Partition v = def.partition(d.viosId()).orElseThrow();
            PartitionStatus st = hypervisor.status(v.id()).orElse(null);
            LparState state = st == null ? LparState.NOT_ACTIVATED : st.state();
            if (state != LparState.RUNNING) {
                throw new ModelException(ModelException.Kind.INVALID_STATE, "virtual_scsi_adapters", "The partition "
                        + client.name() + " cannot be activated: its virtual SCSI client adapter in slot "
                        + d.clientSlot() + " is served by Virtual I/O Server " + v.name() + " (ID " + v.id()
                        + "), which is " + state.hmcName() + ". Activate " + v.name() + " first (chsysstate -r lpar "
                        + "-o on -n " + v.name() + ").");
            }
            int lun = (int) (d.lun() >>> 56) - 0x81;
            boolean cdrom = d.kind() == MappedDevice.Kind.OPTICAL;
            if (d.file() == null) {
                out.add(new LaunchSpec.ScsiDevice(d.clientSlot(), lun, d.vtd(), null, true, true));
                continue;
            }
            if (!Files.isRegularFile(d.file())) {
                throw new ModelException(ModelException.Kind.INVALID_STATE, "virtual_scsi_adapters", "The partition "
                        + client.name() + " cannot be activated: the " + (cdrom ? "medium" : "backing device")
                        + " of virtual target device " + d.vtd() + " on Virtual I/O Server " + v.name()
                        + " is missing (" + d.file() + "). Restore the file, or remove the mapping (viosvrcmd -p "
                        + v.name() + " -c \"rmvdev -vtd " + d.vtd() + "\").");
            }
            Path socket = hypervisor.runDir(v.id()).resolve("nbd").resolve(d.vtd() + ".sock");
            if (!awaitSocket(socket)) {
                throw new ModelException(ModelException.Kind.INVALID_STATE, "virtual_scsi_adapters", "The partition "
                        + client.name() + " cannot be activated: Virtual I/O Server " + v.name() + " does not serve "
                        + "virtual target device " + d.vtd() + ". Its console (mkvterm -p " + v.name()
                        + ") says why; restart " + v.name() + " if it does not recover.");
            }
            out.add(new LaunchSpec.ScsiDevice(d.clientSlot(), lun, d.vtd(), socket, cdrom, cdrom || d.readOnly()));
        }
        return out;
    }

    private static boolean awaitSocket(Path socket) {
        long deadline = System.nanoTime() + SOCKET_WAIT_MS * 1_000_000;
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The Java runtime this daemon runs on: the storage server runs the same classes on the same JVM. */
    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The storage server starts in the run directory's world, not the daemon's: no relative entries. */
    private static String absoluteClassPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) {
                out.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }
}
