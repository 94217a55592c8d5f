package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.image.ImageStore;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chsysstate -r lpar -o on --test} (issue 11): prints the resource plan and the command line
 * an activation would run, with a real hypervisor service and image store, and starts nothing.
 */
@Tag("unit")
class ActivationDryRunTest {
    static final String SYS = "sys1";
    static final String LPAR = "name=web1,lpar_id=1,profile_name=default,lpar_env=aixlinux,min_mem=256,"
            + "desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.4,"
            + "max_proc_units=1.0,min_procs=1,desired_procs=2,max_procs=4,sharing_mode=uncap,uncap_weight=64,"
            + "virtual_eth_adapters=2/0/1//0/0,parvirt_image=disk1,parvirt_accel=tcg";

    @TempDir
    Path dir;
    SqliteStore store;
    ManagedSystem sys;
    Hypervisor hypervisor;
    Hmc hmc;

    @BeforeEach
    void setUp() throws Exception {
        store = new SqliteStore(dir.resolve("parvirt.db"));
        SystemSettings seed = new SystemSettings(SYS, 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store, seed);
        hypervisor = new Hypervisor(new Hypervisor.Config("/usr/bin/qemu-system-x86_64", "tcg", dir.resolve("run"),
                dir.resolve("logs"), dir.resolve("vterm"), "test", Duration.ofSeconds(30), "0E5056"),
                (id, from, to, ref, detail) -> { });
        sys.activeResources(hypervisor::allocations, 128);
        Path image = Files.createDirectories(dir.resolve("images/disk1"));
        Files.write(image.resolve("disk.img"), new byte[4096]);
        Files.writeString(image.resolve("image.properties"), "description=a test disk\n");
        hmc = new Hmc(sys, new HmcUsers(store), new Hmc.Services(new PartitionOperations(sys, hypervisor,
                new ImageStore(dir.resolve("images")), null, null, null), null, null));
        HmcResult made = run("mksyscfg", "-r", "lpar", "-m", SYS, "-i", LPAR);
        assertThat(made.exitCode()).as(made.stdout()).isZero();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    HmcResult run(String... argv) {
        return hmc.run(new HmcInvocation(List.of(argv), Map.of(), "local:test"));
    }

    @Test
    void testPrintsThePlanAndTheCommandLineAndStartsNothing() {
        String availBefore = run("lshwres", "-r", "mem", "-m", SYS, "--level", "sys", "-F", "curr_avail_sys_mem")
                .stdout();
        HmcResult r = run("chsysstate", "-m", SYS, "-r", "lpar", "-o", "on", "-n", "web1", "--test");
        assertThat(r.exitCode()).as(r.stdout()).isZero();
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.getFirst()).isEqualTo("lpar_name=web1,lpar_id=1,curr_profile=default,curr_mem=512,"
                + "curr_max_mem=1024,curr_proc_mode=shared,curr_procs=2,curr_max_procs=4,curr_proc_units=0.4,"
                + "curr_uncap_weight=64,curr_shared_proc_pool_id=0,curr_sharing_mode=uncap,accel=tcg");
        String uuid = run("lssyscfg", "-r", "lpar", "-m", SYS, "-F", "uuid").stdout().strip();
        assertThat(lines.get(1)).startsWith("setsid /usr/bin/qemu-system-x86_64 -name guest=web1,debug-threads=on -uuid "
                + uuid + " -machine pc-q35-7.2,accel=tcg")
                .contains(" -m size=256M,maxmem=1024M -smp 2,maxcpus=4 ")
                .contains(" -device virtio-mem-pci,id=vmem0,memdev=mem-vmem0,requested-size=256M,")
                .contains(" -drive file=" + dir.resolve("images/disk1/disk.img") + ",if=virtio,format=raw ")
                .contains("virtio-net-pci,id=vnic2,netdev=net2,mac=0e:50:56:00:10:02,bus=vslot2");
        assertThat(run("lssyscfg", "-r", "lpar", "-m", SYS, "-F", "state").stdout()).isEqualTo("Not Activated\n");
        assertThat(dir.resolve("run/1")).doesNotExist();
        assertThat(run("lshwres", "-r", "mem", "-m", SYS, "--level", "sys", "-F", "curr_avail_sys_mem").stdout())
                .isEqualTo(availBefore);
    }

    @Test
    void argumentsAreQuotedForAShellOnlyWhenTheyNeedIt() {
        assertThat(LaunchPlans.quote("console=ttyS0 quiet")).isEqualTo("'console=ttyS0 quiet'");
        assertThat(LaunchPlans.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(LaunchPlans.quote("file=/a/b.img,if=virtio")).isEqualTo("file=/a/b.img,if=virtio");
        assertThat(LaunchPlans.quote("")).isEqualTo("''");
    }

    @Test
    void aRefusedPlanIsTheActivationsErrorAndChangesNothing() {
        assertThat(run("chsyscfg", "-r", "prof", "-m", SYS, "-i", "name=default,lpar_name=web1,parvirt_image=nope")
                .exitCode()).isZero();
        HmcResult r = run("chsysstate", "-m", SYS, "-r", "lpar", "-o", "on", "-n", "web1", "--test");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).startsWith("HSCL130A The image nope named by parvirt_image in profile default of "
                + "partition web1 is missing");
        assertThat(dir.resolve("run/1")).doesNotExist();
    }

    @Test
    void testGoesOnlyWithPowerOn() {
        HmcResult r = run("chsysstate", "-m", SYS, "-r", "lpar", "-o", "shutdown", "-n", "web1", "--test");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).contains("The parameters that are missing or have an invalid value are --test");
    }
}
