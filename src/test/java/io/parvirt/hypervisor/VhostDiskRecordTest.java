package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcResult;
import io.parvirt.model.Partition;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.testing.InProcessSystem;
import io.parvirt.testing.SnapshotRig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: what a partition with a vhost-user-blk disk leaves in its records, and what that
 * refuses. A record (run record, saved state, a migration peer's request) written before disk
 * ports reads back with its disks on NBD, never on a port; a partition whose disks are
 * vhost-user-blk devices is not migrated, and the refusal names its disks and the setting to
 * change, changing nothing.
 */
@Tag("unit")
class VhostDiskRecordTest {
    @TempDir
    Path dir;

    static LaunchSpec spec(Partition p, List<LaunchSpec.ScsiDevice> disks, int ports) {
        return new LaunchSpec("/usr/bin/qemu-system-x86_64", p.name(), p.id(), p.uuid(), 256, 512, 1, 2,
                Accelerator.TCG, Path.of("/img/vmlinuz"), Path.of("/img/initrd"), null, "console=ttyS0",
                Path.of("/run/lpar/" + p.id()), List.of(), disks, null, 256, 10, List.of(), null, true, ports);
    }

    @Test
    void aRecordFromBeforeDiskPortsHasItsDisksOnNbd() throws Exception {
        LaunchSpec.ScsiDevice nbd = new LaunchSpec.ScsiDevice(2, 0, "vtscsi0", Path.of("/run/lpar/2/nbd/vtscsi0.sock"),
                false, false);
        LaunchSpec.ScsiDevice vhost = nbd.onDiskPort(0);
        assertThat(vhost.vhostUser()).isTrue();
        assertThat(vhost.vhostSocket()).isEqualTo(Path.of("/run/lpar/2/nbd/vtscsi0.vhost"));
        assertThat(nbd.transport()).isEqualTo("nbd");
        ObjectNode old = Hypervisor.JSON.valueToTree(vhost);
        assertThat(old.remove("diskPort").asInt()).isZero();
        LaunchSpec.ScsiDevice back = Hypervisor.JSON.treeToValue(old, LaunchSpec.ScsiDevice.class);
        assertThat(back).as("no diskPort: NBD, not port 0").isEqualTo(nbd);
        assertThat(Hypervisor.JSON.treeToValue(Hypervisor.JSON.valueToTree(vhost), LaunchSpec.ScsiDevice.class))
                .isEqualTo(vhost);
    }

    @Test
    void aSuspendedPartitionWithAVhostUserBlkDiskIsNotMigratedAndTheRefusalSaysWhatToChange() throws Exception {
        try (InProcessSystem system = SnapshotRig.define(dir, true)) {
            PartitionOperations ops = SnapshotRig.operations(system, dir);
            Hmc hmc = SnapshotRig.hmc(system, ops);
            Partition a = system.sys.definition().partition("A").orElseThrow();
            LaunchSpec.ScsiDevice disk = new LaunchSpec.ScsiDevice(2, 0, "vtscsi0",
                    Path.of("/run/lpar/2/nbd/vtscsi0.sock"), false, false);
            Path suspended = dir.resolve("home/suspended");
            Files.createDirectories(suspended);
            SavedStates states = new SavedStates(suspended, Hypervisor.JSON);

            states.save(new Hypervisor.SavedState(spec(a, List.of(disk.onDiskPort(0)), 8), "default", null,
                    suspended.resolve(a.uuid() + ".state")));
            HmcResult r = SnapshotRig.run(hmc, "migrlpar", "-o", "v", "-m", "sys1", "-t", "sys2", "-p", "A");
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.stdout()).contains("Partition A has virtual SCSI disks attached as vhost-user-blk devices "
                    + "(vtscsi0), which parvirt does not migrate: set vios.disk_transport=nbd in the daemon's settings "
                    + "and shut down and activate A again, so that its disks go over NBD, before migrating it.");
            assertThat(states.find(a.id())).as("the record as it was").isPresent();

            states.save(new Hypervisor.SavedState(spec(a, List.of(disk), 8), "default", null,
                    suspended.resolve(a.uuid() + ".state")));
            assertThat(SnapshotRig.run(hmc, "migrlpar", "-o", "v", "-m", "sys1", "-t", "sys2", "-p", "A").stdout())
                    .as("the same disk over NBD").doesNotContain("vhost-user-blk");
        }
    }
}
