package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The HMC command line end to end: ./parvirt in its own JVM, the daemon it starts, the real store.
 * Output contracts are the HMC's (reference §10): silent success, errors on stdout with stderr
 * empty and exit 1, "No results were found." for an empty list, HSCL8012 for a missing partition.
 */
@Tag("daemon")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HmcCliTest {
    static CliHome home;

    static final String LP1 = "name=lp1,profile_name=default,lpar_env=aixlinux,min_mem=1024,desired_mem=2048,"
            + "max_mem=4096,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.5,max_proc_units=2.0,"
            + "min_procs=1,desired_procs=2,max_procs=4,sharing_mode=uncap,uncap_weight=128,max_virtual_slots=20,"
            + "\"virtual_eth_adapters=2/0/1//0/0,\"\"3/1/10/20,30/0/1\"\"\",boot_mode=norm,auto_start=0";

    @BeforeAll
    static void start() {
        home = new CliHome();
    }

    @AfterAll
    static void stop() {
        home.close();
    }

    static void assertSilentSuccess(Cli.Result r) {
        assertThat(r.stdout()).as("stdout").isEmpty();
        assertThat(r.exit()).as("exit, stderr=" + r.stderr()).isZero();
    }

    static void assertHmcError(Cli.Result r, String startsWith) {
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr()).as("stderr").isEmpty();
        assertThat(r.stdout()).startsWith(startsWith).endsWith("\n");
        assertThat(r.stdout().strip()).doesNotContain("\n");
    }

    @Test
    @Order(1)
    void firstCommandStartsTheDaemonAndSaysSoOnStderrInOneLine() {
        Cli.Result r = home.run("lssyscfg", "-r", "lpar", "-m", "sys1");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEqualTo("No results were found.\n");
        assertThat(r.stderr().strip().lines()).hasSize(1).first().asString().contains("started");
        Cli.Result again = home.run("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name", "--header");
        assertThat(again.stderr()).isEmpty();
        assertThat(again.stdout()).as("no header for an empty result").isEqualTo("No results were found.\n");
    }

    @Test
    @Order(2)
    void definingAPartitionIsSilentAndListsWithHmcQuoting() {
        assertSilentSuccess(home.run("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", LP1));
        Cli.Result prof = home.run("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=lp1");
        assertThat(prof.exit()).isZero();
        assertThat(prof.stdout()).startsWith("name=default,lpar_name=lp1,lpar_id=1,lpar_env=aixlinux,all_resources=0,"
                + "min_mem=1024,desired_mem=2048,max_mem=4096,")
                .contains(",proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.5,max_proc_units=2.0,")
                .contains(",sharing_mode=uncap,uncap_weight=128,shared_proc_pool_id=0,shared_proc_pool_name=DefaultPool,")
                .contains("\"virtual_serial_adapters=0/server/1/any//any/1,1/server/1/any//any/1\"")
                .contains("\"virtual_eth_adapters=2/0/1//0/0/ETHERNET0//all/none,\"\"3/1/10/20,30/0/1/ETHERNET0//all/none\"\"\"")
                .contains(",virtual_scsi_adapters=none,");
        Cli.Result lpar = home.run("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name:lpar_id:state:rmc_state");
        assertThat(lpar.stdout()).isEqualTo("lp1:1:Not Activated:inactive\n");
    }

    @Test
    @Order(3)
    void fieldListWithHeaderKeepsTheCallersSeparatorsAndQuotesValuesWithCommas() {
        Cli.Result r = home.run("lssyscfg", "-r", "prof", "-m", "sys1", "-F", "name,virtual_eth_adapters",
                "--header");
        assertThat(r.stdout()).isEqualTo("name,virtual_eth_adapters\n"
                + "default,\"2/0/1//0/0/ETHERNET0//all/none,\"\"3/1/10/20,30/0/1/ETHERNET0//all/none\"\"\"\n");
    }

    @Test
    @Order(4)
    void aMissingPartitionIsHscl8012EvenInAFilter() {
        assertHmcError(home.run("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=nope"),
                "HSCL8012 ");
        assertHmcError(home.run("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "\"lpar_names=lp1,nope\""),
                "HSCL8012 ");
        assertHmcError(home.run("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_ids=9"), "HSCL8012 ");
        assertHmcError(home.run("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "nope"), "HSCL8012 ");
        assertHmcError(home.run("chsyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=nope,lpar_avail_priority=3"),
                "HSCL8012 ");
    }

    @Test
    @Order(5)
    void syntaxErrorsNameTheParameterWithoutACode() {
        Cli.Result r = home.run("lssyscfg", "-r", "lpar");
        assertHmcError(r, "The command entered is either missing a required parameter");
        assertThat(r.stdout()).contains("are -m.");
        assertHmcError(home.run("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,bogus"),
                "An invalid attribute was entered.  The invalid attribute is bogus.");
        assertHmcError(home.run("lssyscfg", "-r", "frobs", "-m", "sys1"), "The command entered is either missing");
        assertHmcError(home.run("lssyscfg", "-r", "lpar", "-m", "othersys"), "HSCL8011 ");
        assertHmcError(home.run("frobnicate"), "The command frobnicate is not a valid command.");
    }

    @Test
    @Order(6)
    void rejectedDefinitionsNameAttributeValueAndRuleAndChangeNothing() {
        String before = home.run("lssyscfg", "-r", "prof", "-m", "sys1").stdout();
        String base = LP1.replace("name=lp1", "name=lp2");
        String[][] cases = {
            {base.replace("min_mem=1024", "min_mem=3072"), "HSCL1304 ", "min_mem"},
            {base.replace("desired_mem=2048", "desired_mem=2000"), "HSCL1305 ", "desired_mem"},
            {base.replace("desired_proc_units=0.5", "desired_proc_units=0.055"), "HSCL1305 ", "desired_proc_units"},
            {base.replace("min_proc_units=0.1,desired_proc_units=0.5", "min_proc_units=0.05,desired_proc_units=0.05"),
                "HSCL1303 ", "desired_proc_units"},
            {base.replace("uncap_weight=128", "uncap_weight=256"), "HSCL1303 ", "uncap_weight"},
            {base + ",frobs=1", "HSCL1301 ", "frobs"},
            {base.replace("name=lp2", "name=lp1"), "HSCL1308 ", "lp1"},
            {base + ",lpar_id=1", "HSCL1308 ", "lpar_id"},
            {base + ",lpar_id=1001", "HSCL1303 ", "lpar_id"},
            {base.replace("max_virtual_slots=20", "max_virtual_slots=3"), "HSCL1303 ", "max_virtual_slots"},
            {base + ",\"virtual_scsi_adapters=5/client/9/vios9/2/1\"", "HSCL130A ", "virtual_scsi_adapters"},
            {base + ",shared_proc_pool_id=5", "HSCL130A ", "shared_proc_pool_id"},
            {base.replace("lpar_env=aixlinux", "lpar_env=os400"), "HSCL130B ", "lpar_env"},
            {"name=lp2,\"description=unbalanced", "HSCL130E ", "quote"},
        };
        for (String[] c : cases) {
            Cli.Result r = home.run("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", c[0]);
            assertHmcError(r, c[1]);
            assertThat(r.stdout()).as(c[0]).contains(c[2]);
        }
        assertThat(home.run("lssyscfg", "-r", "prof", "-m", "sys1").stdout()).isEqualTo(before);
    }

    @Test
    @Order(7)
    void changeLpar_and_profile_withListDeltas() {
        assertSilentSuccess(home.run("chsyscfg", "-r", "prof", "-m", "sys1", "-i",
                "name=default,lpar_name=lp1,desired_mem=3072,virtual_eth_adapters+=4/0/20//0/0"));
        Cli.Result r = home.run("lssyscfg", "-r", "prof", "-m", "sys1", "-F", "desired_mem,virtual_eth_adapters");
        assertThat(r.stdout()).startsWith("3072,").contains("4/0/20//0/0/ETHERNET0//all/none");
        assertSilentSuccess(home.run("chsyscfg", "-r", "prof", "-m", "sys1", "-i",
                "name=default,lpar_name=lp1,virtual_eth_adapters-=4/0/20//0/0"));
        assertThat(home.run("lssyscfg", "-r", "prof", "-m", "sys1", "-F", "virtual_eth_adapters").stdout())
                .doesNotContain("4/0/20");
        assertSilentSuccess(home.run("chsyscfg", "-r", "lpar", "-m", "sys1", "-i",
                "name=lp1,new_name=web01,lpar_avail_priority=200"));
        assertThat(home.run("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,lpar_avail_priority").stdout())
                .isEqualTo("web01,200\n");
    }

    @Test
    @Order(8)
    void filesGiveOneRecordPerLineAndAreAllOrNothing(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.cfg");
        Files.writeString(good, LP1.replace("name=lp1", "name=f1").replace(",\"virtual_eth_adapters=2/0/1//0/0,"
                + "\"\"3/1/10/20,30/0/1\"\"\"", "") + "\n" + LP1.replace("name=lp1", "name=f2") + "\n");
        Path bad = dir.resolve("bad.cfg");
        Files.writeString(bad, LP1.replace("name=lp1", "name=f3") + "\n" + LP1.replace("name=lp1", "name=f4")
                .replace("min_mem=1024", "min_mem=9999") + "\n");
        assertSilentSuccess(home.run("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", good.toString()));
        assertHmcError(home.run("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", bad.toString()), "HSCL1305 ");
        assertThat(home.run("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name").stdout())
                .isEqualTo("web01\nf1\nf2\n");
        assertHmcError(home.run("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", dir.resolve("none").toString()),
                "The file ");
    }

    @Test
    @Order(9)
    void profilesAreCreatedListedAndRemoved() {
        assertSilentSuccess(home.run("mksyscfg", "-r", "prof", "-m", "sys1", "-i", "name=small,lpar_name=f1,"
                + "min_mem=256,desired_mem=256,max_mem=512,min_procs=1,desired_procs=1,max_procs=1"));
        assertThat(home.run("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=f1",
                "-F", "name,proc_mode,sharing_mode").stdout()).isEqualTo("default,shared,uncap\nsmall,ded,keep_idle_procs\n");
        assertThat(home.run("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "profile_names=small",
                "-F", "name,min_proc_units").stdout()).as("dedicated: no proc units").isEqualTo("small,null\n");
        assertHmcError(home.run("rmsyscfg", "-r", "prof", "-m", "sys1", "-p", "f1", "-n", "default"), "HSCL130C ");
        assertSilentSuccess(home.run("rmsyscfg", "-r", "prof", "-m", "sys1", "-p", "f1", "-n", "small"));
        assertHmcError(home.run("rmsyscfg", "-r", "prof", "-m", "sys1", "-p", "f1", "-n", "small"), "HSCL8013 ");
    }

    @Test
    @Order(10)
    void poolsAreNamedAndSizedAndPartitionsMayUseThemOnceSized() {
        assertHmcError(home.run("chhwres", "-r", "procpool", "-m", "sys1", "-o", "s", "--poolname", "SharedPool01",
                "-a", "max_pool_proc_units=1.5"), "HSCL1305 ");
        assertSilentSuccess(home.run("chhwres", "-r", "procpool", "-m", "sys1", "-o", "s", "--poolname",
                "SharedPool01", "-a", "new_name=pool1,max_pool_proc_units=1"));
        assertSilentSuccess(home.run("chsyscfg", "-r", "prof", "-m", "sys1", "-i",
                "name=default,lpar_name=f2,shared_proc_pool_name=pool1"));
        Cli.Result r = home.run("lshwres", "-r", "procpool", "-m", "sys1", "--filter", "pool_names=pool1");
        assertThat(r.stdout()).isEqualTo("name=pool1,shared_proc_pool_id=1,max_pool_proc_units=1.0,"
                + "curr_reserved_pool_proc_units=0.0,pend_reserved_pool_proc_units=0.0,lpar_names=f2,lpar_ids=3\n");
        assertHmcError(home.run("chhwres", "-r", "procpool", "-m", "sys1", "-o", "s", "--poolname", "pool1",
                "-a", "max_pool_proc_units=0"), "HSCL130C ");
        assertHmcError(home.run("chhwres", "-r", "procpool", "-m", "sys1", "-o", "s", "--id", "0",
                "-a", "max_pool_proc_units=1"), "HSCL130B ");
        assertThat(home.run("lshwres", "-r", "procpool", "-m", "sys1", "-F", "name").stdout().lines()).hasSize(64);
    }

    @Test
    @Order(11)
    void capacityIsWhereTheHmcKeepsIt() {
        Cli.Result sys = home.run("lssyscfg", "-r", "sys", "-F", "name,state,max_lpars,micro_lpar_capable");
        assertThat(sys.stdout()).isEqualTo("sys1,Operating,1000,1\n");
        assertThat(home.run("lssyscfg", "-r", "sys").stdout()).doesNotContain("configurable_sys_mem");
        Cli.Result proc = home.run("lshwres", "-r", "proc", "-m", "sys1", "--level", "sys", "-F",
                "configurable_sys_proc_units,curr_avail_sys_proc_units");
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(proc.stdout()).isEqualTo(cores + ".0," + cores + ".0\n");
        Cli.Result mem = home.run("lshwres", "-r", "mem", "-m", "sys1", "--level", "sys", "-F",
                "configurable_sys_mem,curr_avail_sys_mem,sys_firmware_mem,mem_region_size");
        String[] v = mem.stdout().strip().split(",");
        assertThat(Long.parseLong(v[0]) - Long.parseLong(v[2])).isEqualTo(Long.parseLong(v[1]));
        assertThat(v[3]).isEqualTo("256");
        assertThat(Long.parseLong(v[2]) % 256).isZero();
    }

    @Test
    @Order(12)
    void removingAPartitionTakesItsProfilesAndEventsAreLogged() {
        assertSilentSuccess(home.run("rmsyscfg", "-r", "lpar", "-m", "sys1", "--id", "2"));
        assertThat(home.run("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name").stdout()).isEqualTo("web01\nf2\n");
        assertThat(home.run("lssyscfg", "-r", "prof", "-m", "sys1", "-F", "lpar_name").stdout())
                .doesNotContain("f1");
        assertThat(home.run("lssvcevents", "-t", "console", "-F", "text").stdout())
                .contains("Partition f1 (id 2) removed");
    }
}
