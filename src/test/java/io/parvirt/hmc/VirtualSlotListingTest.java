package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: {@code lshwres -r virtualio --rsubtype serial|slot}, which inventory tools call for
 * every partition, answer with the HMC's attributes in its order (serial and slot --level lpar as
 * captured from real HMCs); a filter naming a partition that does not exist is HSCL8012.
 */
@Tag("unit")
class VirtualSlotListingTest {
    static final String COMMON = "min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.1,"
            + "desired_proc_units=0.2,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,sharing_mode=uncap,"
            + "uncap_weight=128";
    @TempDir
    Path dir;
    SqliteStore store;
    Hmc hmc;

    @BeforeEach
    void setUp() {
        store = new SqliteStore(dir.resolve("parvirt.db"));
        SystemSettings seed = new SystemSettings("sys1", 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "12345AB", "127.0.0.1"), store, seed);
        hmc = new Hmc(sys, new HmcUsers(store), new Hmc.Services(PartitionOperations.definitionOnly(sys), null, null));
        HmcResult made = run("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/defs");
        assertThat(made.exitCode()).as(made.stdout()).isZero();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    HmcResult run(String... argv) {
        return hmc.run(new HmcInvocation(List.of(argv), Map.of("/defs", ""
                + "name=vios1,lpar_id=2,profile_name=default,lpar_env=vioserver," + COMMON + ",max_virtual_slots=20,"
                + "virtual_scsi_adapters=11/server/any//any/1\n"
                + "name=lp1,lpar_id=5,profile_name=default,lpar_env=aixlinux," + COMMON + ",max_virtual_slots=4,"
                + "virtual_scsi_adapters=2/client/2/vios1/11/1,\"virtual_eth_adapters=3/0/1//0/0\"\n"
                + "name=lp2,lpar_id=6,profile_name=default,lpar_env=aixlinux," + COMMON + ",\"virtual_serial_adapters="
                + "0/server/1/any//any/1,1/server/1/any//any/1,5/client/0/5/lp1/1/0\"\n"),
                "local:test"));
    }

    String out(String... argv) {
        HmcResult r = run(argv);
        assertThat(r.exitCode()).as(r.stdout()).isZero();
        return r.stdout();
    }

    @Test
    void serialAdaptersAreListedWithTheCapturedAttributes() {
        assertThat(out("lshwres", "-r", "virtualio", "--rsubtype", "serial", "--level", "lpar", "-m", "sys1"))
                .isEqualTo(""
                + "lpar_name=vios1,lpar_id=2,slot_num=0,state=0,is_required=1,connect_status=unavailable,"
                + "adapter_type=server,supports_hmc=1,remote_lpar_id=any,remote_lpar_name=,remote_slot_num=any\n"
                + "lpar_name=vios1,lpar_id=2,slot_num=1,state=0,is_required=1,connect_status=unavailable,"
                + "adapter_type=server,supports_hmc=1,remote_lpar_id=any,remote_lpar_name=,remote_slot_num=any\n"
                + "lpar_name=lp1,lpar_id=5,slot_num=0,state=0,is_required=1,connect_status=unavailable,"
                + "adapter_type=server,supports_hmc=1,remote_lpar_id=any,remote_lpar_name=,remote_slot_num=any\n"
                + "lpar_name=lp1,lpar_id=5,slot_num=1,state=0,is_required=1,connect_status=unavailable,"
                + "adapter_type=server,supports_hmc=1,remote_lpar_id=any,remote_lpar_name=,remote_slot_num=any\n"
                + "lpar_name=lp2,lpar_id=6,slot_num=0,state=0,is_required=1,connect_status=unavailable,"
                + "adapter_type=server,supports_hmc=1,remote_lpar_id=any,remote_lpar_name=,remote_slot_num=any\n"
                + "lpar_name=lp2,lpar_id=6,slot_num=1,state=0,is_required=1,connect_status=unavailable,"
                + "adapter_type=server,supports_hmc=1,remote_lpar_id=any,remote_lpar_name=,remote_slot_num=any\n"
                + "lpar_name=lp2,lpar_id=6,slot_num=5,state=0,is_required=0,connect_status=unavailable,"
                + "adapter_type=client,supports_hmc=0,remote_lpar_id=5,remote_lpar_name=lp1,remote_slot_num=1\n");
        assertThat(out("lshwres", "-r", "virtualio", "--rsubtype", "serial", "--level", "lpar", "-m", "sys1",
                "--filter", "lpar_names=lp1,slots=1", "-F", "slot_num,adapter_type,supports_hmc"))
                .isEqualTo("1,server,1\n");
    }

    @Test
    void slotsPerPartitionAndPerSlot() {
        assertThat(out("lshwres", "-r", "virtualio", "--rsubtype", "slot", "--level", "lpar", "-m", "sys1"))
                .isEqualTo(""
                + "lpar_name=vios1,lpar_id=2,curr_max_virtual_slots=20,pend_max_virtual_slots=20,"
                + "next_avail_virtual_slot=2\n"
                + "lpar_name=lp1,lpar_id=5,curr_max_virtual_slots=4,pend_max_virtual_slots=4,"
                + "next_avail_virtual_slot=none\n"
                + "lpar_name=lp2,lpar_id=6,curr_max_virtual_slots=20,pend_max_virtual_slots=20,"
                + "next_avail_virtual_slot=2\n");
        assertThat(out("lshwres", "-r", "virtualio", "--rsubtype", "slot", "--level", "slot", "-m", "sys1",
                "--filter", "lpar_ids=5")).isEqualTo(""
                + "slot_num=0,config=serial,state=0,drc_name=UPVRT.KVM.12345AB-V5-C0,lpar_name=lp1,lpar_id=5\n"
                + "slot_num=1,config=serial,state=0,drc_name=UPVRT.KVM.12345AB-V5-C1,lpar_name=lp1,lpar_id=5\n"
                + "slot_num=2,config=scsi,state=0,drc_name=UPVRT.KVM.12345AB-V5-C2,lpar_name=lp1,lpar_id=5\n"
                + "slot_num=3,config=eth,state=0,drc_name=UPVRT.KVM.12345AB-V5-C3,lpar_name=lp1,lpar_id=5\n");
        // what libvirt's phyp driver sends to find the highest slot in use
        assertThat(out("lshwres", "-r", "virtualio", "--rsubtype", "slot", "--level", "slot", "-m", "sys1",
                "-F", "slot_num", "--filter", "lpar_names=vios1")).isEqualTo("0\n1\n11\n");
    }

    @Test
    void theSystemsVirtualEthernetSettingsAtLevelSys() {
        // a console with no hypervisor assigns no MAC addresses: no prefix
        assertThat(out("lshwres", "-r", "virtualio", "--rsubtype", "eth", "--level", "sys", "-m", "sys1"))
                .isEqualTo("max_vlans_per_port=4094,mac_prefix=none,pend_mac_prefix=none\n");
        assertThat(out("lshwres", "-r", "virtualio", "--rsubtype", "eth", "--level", "sys", "-m", "sys1", "-F",
                "max_vlans_per_port")).isEqualTo("4094\n");
        HmcResult filtered = run("lshwres", "-r", "virtualio", "--rsubtype", "eth", "--level", "sys", "-m", "sys1",
                "--filter", "lpar_names=lp1");
        assertThat(filtered.exitCode()).as(filtered.stdout()).isEqualTo(1);
    }

    @Test
    void refusalsAreTheHmcs() {
        HmcResult absent = run("lshwres", "-r", "virtualio", "--rsubtype", "serial", "--level", "lpar", "-m", "sys1",
                "--filter", "lpar_names=nope");
        assertThat(absent.exitCode()).isEqualTo(1);
        assertThat(absent.stdout()).startsWith("HSCL8012 ");
        HmcResult level = run("lshwres", "-r", "virtualio", "--rsubtype", "serial", "--level", "sys", "-m", "sys1");
        assertThat(level.exitCode()).isEqualTo(1);
        assertThat(level.stdout()).doesNotStartWith("HSCL").contains("--level");
    }
}
