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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a VIOS's storage server serves: its exports file, written before it starts and after every
 * change of its mappings (the server re-reads it on SIGHUP).
 */
final class ViosExports {
    private static final Logger LOG = LoggerFactory.getLogger(ViosExports.class);
    private final ViosService vios;

    ViosExports(ViosService vios) {
        this.vios = vios;
    }

    /** Writes the exports of VIOS {@code v} about to be activated into {@code file}. */
    synchronized void write(Partition v, Path file) {
        try {
            Files.createDirectories(file.getParent());
            ExportsFile.write(file, vios.exportsOf(v.id()));
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The Virtual I/O Server " + v.name()
                    + " could not be activated: its exports could not be written to " + file + ": " + e.getMessage());
        }
    }

    /**
     * After a VIOS command: a running VIOS serves its mappings as they now are. Nothing is sent
     * when the exports did not change (read-only commands, or changes to unpaired adapters).
     * Serialised, and the state read inside: two commands that finish together never publish the
     * older list last (issue 12).
     */
    synchronized void refresh(Partition v, PartitionSupervisor s) {
        if (!s.spec().runsStorageServer()) {
            return;
        }
        Path file = s.spec().storageServer().exportsFile();
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
        if (!s.reloadStorage()) {
            LOG.warn("VIOS {}: its storage server could not be told to reload its exports", v.name());
        }
    }
}
