package io.parvirt.partition;

import io.parvirt.hypervisor.PartitionSupervisor;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.vios.ViosService;
import io.parvirt.vios.nbd.Export;
import io.parvirt.vios.nbd.ExportsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a VIOS's storage server serves: its exports file, written before it starts and after every
 * change of its mappings (the server re-reads it on SIGHUP).
 */
final class ViosExports {
    private static final Logger LOG = LoggerFactory.getLogger(ViosExports.class);
    private final ViosService vios;
    /** One lock per VIOS (by id): one VIOS's refresh never waits for another's. */
    private final ConcurrentMap<Integer, Object> locks = new ConcurrentHashMap<>();

    ViosExports(ViosService vios) {
        this.vios = vios;
    }

    private Object lock(Partition v) {
        return locks.computeIfAbsent(v.id(), id -> new Object());
    }

    /** Writes the exports of VIOS {@code v} about to be activated into {@code file}. */
    void write(Partition v, Path file) {
        synchronized (lock(v)) {
            try {
                Files.createDirectories(file.getParent());
                ExportsFile.write(file, vios.exportsOf(v.id()));
            } catch (IOException e) {
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "The Virtual I/O Server " + v.name()
                        + " could not be activated: its exports could not be written to " + file + ": "
                        + e.getMessage());
            }
        }
    }

    /**
     * After a VIOS command: a running VIOS serves its mappings as they now are. Nothing is sent
     * when the exports did not change (read-only commands, or changes to unpaired adapters).
     */
    void refresh(Partition v, PartitionSupervisor s) {
        if (s.spec().runsStorageServer()) {
            refresh(v, s.spec().storageServer().exportsFile(), s::reloadStorage);
        }
    }

    /**
     * Serialised per VIOS, and the state read inside (issue 12): two commands on one VIOS that
     * finish together never publish the older list last; {@code reload} tells its server to re-read.
     */
    void refresh(Partition v, Path file, BooleanSupplier reload) {
        synchronized (lock(v)) {
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
            if (!reload.getAsBoolean()) {
                LOG.warn("VIOS {}: its storage server could not be told to reload its exports", v.name());
            }
        }
    }
}
