package io.parvirt.testing;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.image.ImageStore;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.vios.nbd.Overlay;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The system the partition lifecycle's unit tests (issue 19) share: VIOS {@code vios1} (id 2,
 * not running, storage pool {@code pool1} of 1 GB), client {@code A} (id 5) with backing device
 * {@code bdA} of 16 MB mapped to it, client {@code B} (id 6) with no disk; and an HMC over
 * partition operations that keep snapshots, on a hypervisor that runs nothing.
 */
public final class SnapshotRig {
    private SnapshotRig() {
    }

    /** The system in {@code dir}; {@code disk} false: A's disk is left for the test to make. */
    public static InProcessSystem define(Path dir, boolean disk) {
        InProcessSystem system = new InProcessSystem(dir);
        String common = "min_mem=256,desired_mem=256,max_mem=512,min_procs=1,desired_procs=1,max_procs=2";
        system.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=vios1,lpar_id=2,profile_name=default,"
                + "lpar_env=vioserver," + common + ",\"virtual_scsi_adapters=11/server/any//any/1\"");
        system.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=A,lpar_id=5,profile_name=default,"
                + "lpar_env=aixlinux," + common + ",virtual_scsi_adapters=2/client//vios1/11/1");
        system.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=B,lpar_id=6,profile_name=default,"
                + "lpar_env=aixlinux," + common);
        system.ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mksp -fb pool1 -size 1G");
        if (disk) {
            system.ok("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp pool1 16M -bd bdA -vadapter vhost0");
        }
        return system;
    }

    /** A hypervisor whose home is under {@code dir} and which runs nothing (snapshots need one). */
    public static Hypervisor hypervisor(Path dir) {
        return new Hypervisor(new Hypervisor.Config("/usr/bin/qemu-system-x86_64", "tcg", dir.resolve("home/run/lpar"),
                dir.resolve("logs"), dir.resolve("vterm"), "test", Duration.ofSeconds(30), "0E5056"),
                (id, from, to, ref, detail) -> { });
    }

    /** Partition operations on {@code system} with snapshots (records in {@code dir/home/snapshots}) and backups. */
    public static PartitionOperations operations(InProcessSystem system, Path dir) {
        PartitionOperations ops = new PartitionOperations(system.sys, hypervisor(dir),
                new ImageStore(dir.resolve("images")), null, system.vios, null);
        ops.backups().ifPresent(b -> b.directory(dir.resolve("home/backups")));
        return ops;
    }

    /** The HMC over {@code ops}. */
    public static Hmc hmc(InProcessSystem system, PartitionOperations ops) {
        return new Hmc(system.sys, system.users, new Hmc.Services(ops, null, system.vios));
    }

    /** Writes {@code value} (4 bytes) at {@code at} of a backing device, through its layers if it has any. */
    public static void write(Path disk, long at, int value) throws IOException {
        try (Overlay o = Overlay.open(disk, true)) {
            o.write(ByteBuffer.allocate(4).putInt(0, value), at);
            o.flush();
        }
    }

    /** The 4 bytes at {@code at} of a backing device as its client reads them. */
    public static int read(Path disk, long at) throws IOException {
        try (Overlay o = Overlay.open(disk, false)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            o.read(b, at);
            return b.getInt(0);
        }
    }

    public static HmcResult run(Hmc hmc, String... argv) {
        return hmc.run(new HmcInvocation(List.of(argv), Map.of(), "local:test"));
    }
}
