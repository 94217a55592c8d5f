package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.HmcUsers;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.ViosService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: where a suspended partition's saved state goes (PowerVM's reserved storage device):
 * beside the backing device of its first virtual SCSI disk, in that VIOS storage pool's directory;
 * in the home when it has no VIOS disk.
 */
@Tag("unit")
class SavedStatePlacementTest {
    private static final String COMMON = "min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,"
            + "min_proc_units=0.1,desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,"
            + "sharing_mode=uncap,uncap_weight=128,max_virtual_slots=20";
    private static final String DEFINITIONS = "name=vios1,lpar_id=2,profile_name=default,lpar_env=vioserver,"
            + COMMON + ",virtual_scsi_adapters=11/server/any//any/1\n"
            + "name=lp1,lpar_id=5,profile_name=default,lpar_env=aixlinux," + COMMON
            + ",virtual_scsi_adapters=2/client/2/vios1/11/1\n"
            + "name=lp2,lpar_id=6,profile_name=default,lpar_env=aixlinux," + COMMON + "\n";

    @TempDir
    Path dir;

    @Test
    void theSavedStateGoesToThePoolOfTheFirstDiskElseToTheHome() {
        try (SqliteStore store = new SqliteStore(dir.resolve("parvirt.db"))) {
            SystemSettings seed = new SystemSettings("sys1", 256, ProcUnits.parse("host.reserved_proc_units", "0"),
                    1024, HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
            ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store,
                    seed);
            ViosService vios = new ViosService(sys, store, dir.resolve("vios"));
            Hmc hmc = new Hmc(sys, new HmcUsers(store), new Hmc.Services(PartitionOperations.definitionOnly(sys),
                    null, vios));
            ok(hmc, "mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/defs");
            ok(hmc, "chsyscfg", "-r", "prof", "-m", "sys1", "-i", "name=default,lpar_name=vios1,"
                    + "virtual_scsi_adapters=11/server/5/lp1/2/1");
            for (String c : List.of("mksp -fb pool1 -size 10G", "mkbdsp -sp pool1 64M -bd lp1_root -vadapter vhost0",
                    "mkbdsp -sp pool1 64M -bd lp1_data -vadapter vhost0")) {
                ok(hmc, "viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", c);
            }
            Hypervisor hv = new Hypervisor(new Hypervisor.Config("/usr/bin/qemu-system-x86_64", "tcg",
                    dir.resolve("home/run/lpar"), dir.resolve("logs"), dir.resolve("vterm"), "test",
                    Duration.ofSeconds(30), "0E5056"), (id, from, to, ref, detail) -> { });
            Suspension s = new Suspension(sys, hv, null, vios, id -> Optional.empty(), 1L << 30);

            Partition lp1 = sys.partition("lp1");
            assertThat(s.stateFile(lp1)).isEqualTo(dir.resolve("vios/2/pools/pool1/parvirt-suspend-" + lp1.uuid()
                    + ".state"));
            assertThat(s.stateFile(lp1).resolveSibling("lp1_root")).as("beside its disk").exists();
            Partition lp2 = sys.partition("lp2");
            assertThat(s.stateFile(lp2)).isEqualTo(dir.resolve("home/suspended/" + lp2.uuid() + ".state"));
        }
    }

    private static void ok(Hmc hmc, String... argv) {
        HmcResult r = hmc.run(new HmcInvocation(List.of(argv), Map.of("/defs", DEFINITIONS), "local:test"));
        assertThat(r.exitCode()).as(String.join(" ", argv) + ": " + r.stdout()).isZero();
    }
}
