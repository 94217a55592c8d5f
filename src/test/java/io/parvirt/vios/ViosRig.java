package io.parvirt.vios;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.HmcUsers;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The HMC of one managed system over a real SQLite store in {@code dir}, with the VIOS service
 * keeping its files under {@code dir/vios}: what the daemon builds, without QEMU. Opening a second
 * rig on the same directory is a daemon restart.
 */
final class ViosRig implements AutoCloseable {
    static final String SYS = "sys1";
    /** What the HMC puts before a VIOS command's own error text. */
    static final String REFUSED = "HSCL2970 The IOServer command has failed because of the following reason: ";
    static final String SERIAL = "12345AB";
    static final String COMMON = "min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.1,"
            + "desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,sharing_mode=uncap,"
            + "uncap_weight=128,max_virtual_slots=20";
    /** vios1 (id 2) serves lp1 (id 5) in slot 11 and lp2 (id 6) in slot 12; slot 13 pairs with no client. */
    static final String DEFINITIONS = "name=vios1,lpar_id=2,profile_name=default,lpar_env=vioserver," + COMMON
            + ",\"virtual_scsi_adapters=12/server/any//any/1,11/server/any//any/1\"\n"
            + "name=lp1,lpar_id=5,profile_name=default,lpar_env=aixlinux," + COMMON
            + ",virtual_scsi_adapters=2/client/2/vios1/11/1\n"
            + "name=lp2,lpar_id=6,profile_name=default,lpar_env=aixlinux," + COMMON
            + ",virtual_scsi_adapters=2/client//vios1/12/1\n";

    final Path dir;
    final SqliteStore store;
    final ManagedSystem sys;
    final ViosService vios;
    final Hmc hmc;

    ViosRig(Path dir) {
        this.dir = dir;
        store = new SqliteStore(dir.resolve("parvirt.db"));
        SystemSettings seed = new SystemSettings(SYS, 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        sys = new ManagedSystem(new HostFacts(8, 65536, "host1", SERIAL, "127.0.0.1"), store, seed);
        vios = new ViosService(sys, store, dir.resolve("vios"));
        hmc = new Hmc(sys, new HmcUsers(store), new Hmc.Services(io.parvirt.partition.PartitionOperations.definitionOnly(sys), null, vios));
    }

    /** A new rig with the three partitions defined. */
    static ViosRig defined(Path dir) {
        ViosRig r = new ViosRig(dir);
        HmcResult made = r.hmc(List.of("mksyscfg", "-r", "lpar", "-m", SYS, "-f", "/defs"));
        if (made.exitCode() != 0) {
            throw new IllegalStateException(made.stdout());
        }
        HmcResult changed = r.hmc(List.of("chsyscfg", "-r", "prof", "-m", SYS, "-i", "name=default,lpar_name=vios1,"
                + "\"virtual_scsi_adapters=12/server/6/lp2/2/1,11/server/5/lp1/2/1,13/server/any//any/1\""));
        if (changed.exitCode() != 0) {
            throw new IllegalStateException(changed.stdout());
        }
        return r;
    }

    HmcResult hmc(List<String> argv) {
        return hmc.run(new HmcInvocation(argv, Map.of("/defs", DEFINITIONS), "local:test"));
    }

    /** {@code viosvrcmd -m sys1 -p vios1 -c COMMAND}. */
    HmcResult vios(String command) {
        return hmc(List.of("viosvrcmd", "-m", SYS, "-p", "vios1", "-c", command));
    }

    /** The command's output, which must have succeeded. */
    String ok(String command) {
        HmcResult r = vios(command);
        if (r.exitCode() != 0) {
            throw new AssertionError(command + " failed: " + r.stdout());
        }
        return r.stdout();
    }

    Path file(String relative) {
        return dir.resolve("vios").resolve(relative);
    }

    @Override
    public void close() {
        store.close();
    }
}
