package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: what HMC client tools send first answers as an HMC does (reference §11), and the
 * listings of what parvirt lacks are empty lists, never errors; mkauthkeys keeps a user's keys.
 */
@Tag("unit")
class ConsoleInfoCommandsTest {
    @TempDir
    Path dir;
    SqliteStore store;
    Hmc hmc;

    @BeforeEach
    void setUp() {
        store = new SqliteStore(dir.resolve("parvirt.db"));
        SystemSettings seed = new SystemSettings("sys1", 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        hmc = new Hmc(new ManagedSystem(new HostFacts(8, 65536, "hmc1.example.com", "1234567", "10.0.0.5"), store,
                seed), new HmcUsers(store));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    HmcResult run(String user, String... argv) {
        return hmc.run(new HmcInvocation(List.of(argv), Map.of(), user));
    }

    String out(String... argv) {
        HmcResult r = run("local:test", argv);
        assertThat(r.exitCode()).as(String.join(" ", argv)).isZero();
        return r.stdout();
    }

    @Test
    void lshmcVersionIsTheCapturedShapeWithAModernServicePack() {
        assertThat(out("lshmc", "-V")).isEqualTo("\"version= Version: 10\n Release: 3.1060.0\n Service Pack: 1060\n"
                + "HMC Build level 20240712.1\n\",\"base_version=V10R3.1060.0\n\"\n");
        assertThat(out("lshmc", "-V", "-F", "base_version")).isEqualTo("V10R3.1060.0\n\n");
        assertThat(out("lshmc", "-v")).startsWith("\"vpd=*FC ????????\n").contains("\n*RM V10R3.1060.0\n")
                .contains("*SE 1234567\n");
    }

    @Test
    void lshmcNetworkBiosAndRemoteAccess() {
        assertThat(out("lshmc", "-n", "-F", "hostname,domain,ipaddr")).isEqualTo("hmc1,example.com,10.0.0.5\n");
        assertThat(out("lshmc", "-b")).isEqualTo("bios=parvirt 0.1.0\n");
        assertThat(out("lshmc", "-r", "-F", "ssh")).isEqualTo("enable\n");
        assertThat(run("local:test", "lshmc").stdout()).startsWith("The command entered is either missing");
    }

    @Test
    void lslicReportsParvirtsVersionAsTheCodeLevel() {
        assertThat(out("lslic", "-m", "sys1", "-t", "sys", "-F", "activated_level,activated_spname,ecnumber"))
                .isEqualTo("10,PV010_10,01PV010\n");
        assertThat(out("lslic", "-m", "PVRT-KVM*1234567")).startsWith("lic_type=Managed System,management_status=");
        assertThat(run("local:test", "lslic", "-m", "nosys").stdout()).startsWith("HSCL8011 ");
    }

    @Test
    void ledsCodAndMissingHardwareAreEmptyAnswers() {
        assertThat(out("lsled", "-r", "sa", "-m", "sys1", "-t", "phys")).isEqualTo("state=off\n");
        assertThat(out("lsled", "-r", "sa", "-m", "sys1", "-t", "virtuallpar")).isEqualTo("No results were found.\n");
        assertThat(out("lssvcevents", "-t", "hardware")).isEqualTo("No results were found.\n");
        assertThat(out("lscod", "-m", "sys1", "-t", "cap", "-r", "proc", "-c", "cuod"))
                .isEqualTo("No results were found.\n");
        assertThat(out("lscodpool", "--level", "pool")).isEqualTo("No results were found.\n");
        assertThat(out("lshwres", "-r", "io", "--rsubtype", "slot", "-m", "sys1", "-F", "drc_index,description"))
                .isEqualTo("No results were found.\n");
        assertThat(out("lshwres", "-r", "io", "--rsubtype", "slotchildren", "-m", "sys1"))
                .isEqualTo("No results were found.\n");
        assertThat(out("lshwres", "-r", "mempool", "-m", "sys1")).isEqualTo("No results were found.\n");
        assertThat(out("lshwres", "-r", "virtualio", "--rsubtype", "fc", "--level", "lpar", "-m", "sys1", "-F",
                "lpar_name,wwpns")).isEqualTo("No results were found.\n");
    }

    @Test
    void mkauthkeysAddsAndRemovesAUsersOwnKeysOnly() {
        assertThat(run("local:test", "mkhmcusr", "-u", "op", "-a", "hmcoperator", "--passwd", "operator1").exitCode())
                .isZero();
        assertThat(run("local:test", "mkhmcusr", "-u", "v", "-a", "hmcviewer", "--passwd", "viewer123").exitCode())
                .isZero();
        String key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIClWG1PHDu2qOgra8oD+3cA73ycr1UmWB2ad2jLXhypG a@b";
        assertThat(run("v", "mkauthkeys", "-a", "  " + key + " ").exitCode()).isZero();
        assertThat(hmc.users().authorizedKeys("v")).containsExactly(key);
        assertThat(run("v", "mkauthkeys", "-u", "op", "-a", key).stdout()).startsWith("HSCL350B ");
        assertThat(run("v", "mkauthkeys", "-a", "ssh-ed25519 not*base64").stdout()).startsWith("HSCL1302 ");
        assertThat(run("v", "mkauthkeys", "-a", key + "\nssh-rsa AAAA x").exitCode()).isEqualTo(1);
        assertThat(run("v", "mkauthkeys", "-r", "a@b").exitCode()).isZero();
        assertThat(hmc.users().authorizedKeys("v")).isEmpty();
        assertThat(run("local:test", "mkauthkeys", "-a", key).stdout()).contains("-u");
        assertThat(run("v", "mkauthkeys", "--ip", "hmc2", "--test").stdout()).startsWith("HSCL130B ");
        run("local:test", "rmhmcusr", "-u", "op");
    }
}
