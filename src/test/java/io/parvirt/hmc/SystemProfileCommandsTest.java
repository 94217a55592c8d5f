package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 19: {@code -r sysprof} of mksyscfg, lssyscfg, chsyscfg, rmsyscfg, on the real store. */
@Tag("unit")
class SystemProfileCommandsTest {
    static final String SYS = InProcessSystem.SYS;
    @TempDir
    Path dir;
    InProcessSystem system;

    @BeforeEach
    void setUp() {
        system = new InProcessSystem(dir);
        for (String n : new String[] {"vios1", "web1", "web2"}) {
            system.ok("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + n + ",profile_name=default,lpar_env="
                    + (n.startsWith("vios") ? "vioserver" : "aixlinux") + ",min_mem=256,desired_mem=256,max_mem=512,"
                    + "min_procs=1,desired_procs=1,max_procs=1");
        }
        system.ok("mksyscfg", "-r", "prof", "-m", SYS, "-i", "name=big,lpar_name=web2,min_mem=256,desired_mem=512,"
                + "max_mem=512,min_procs=1,desired_procs=1,max_procs=1");
    }

    @AfterEach
    void tearDown() {
        system.close();
    }

    private String list() {
        return system.run("lssyscfg", "-r", "sysprof", "-m", SYS).stdout();
    }

    @Test
    void aSystemProfileIsMadeListedChangedAndRemovedAndKeptAcrossARestart() {
        system.ok("mksyscfg", "-r", "sysprof", "-m", SYS, "-i",
                "name=all,\"lpar_names=web1,vios1,web2\",\"profile_names=default,default,big\"");
        assertThat(list()).isEqualTo("name=all,\"lpar_names=web1,vios1,web2\",\"lpar_ids=2,1,3\","
                + "\"profile_names=default,default,big\"\n");
        system.ok("chsyscfg", "-r", "sysprof", "-m", SYS, "-i", "name=all,lpar_names-=web1");
        system.ok("chsyscfg", "-r", "sysprof", "-m", SYS, "-i", "name=all,new_name=pair,lpar_ids+=2,"
                + "profile_names+=default");
        assertThat(system.run("lssyscfg", "-r", "sysprof", "-m", SYS, "-F", "name,lpar_names").stdout())
                .isEqualTo("pair,\"vios1,web2,web1\"\n");

        system.close();
        system = new InProcessSystem(dir);
        assertThat(system.run("lssyscfg", "-r", "sysprof", "-m", SYS, "--filter", "sysprof_names=pair", "-F",
                "profile_names").stdout()).isEqualTo("\"default,big,default\"\n");
        system.ok("rmsyscfg", "-r", "sysprof", "-m", SYS, "-n", "pair");
        assertThat(list()).isEqualTo("No results were found.\n");
    }

    @Test
    void badSystemProfilesAreRefusedWithOneLineAndNothingChanged() {
        system.ok("mksyscfg", "-r", "sysprof", "-m", SYS, "-i", "name=sp1,lpar_names=web1,profile_names=default");
        String before = list();
        String[][] bad = {
            {"mksyscfg", "-i", "name=sp1,lpar_names=web2,profile_names=default"},
            {"mksyscfg", "-i", "name=sp2,lpar_names=nope,profile_names=default"},
            {"mksyscfg", "-i", "name=sp2,lpar_names=web1,profile_names=missing"},
            {"mksyscfg", "-i", "name=sp2,\"lpar_names=web1,web2\",profile_names=default"},
            {"mksyscfg", "-i", "name=sp2,\"lpar_names=web1,web1\",\"profile_names=default,default\""},
            {"mksyscfg", "-i", "name=sp2,lpar_names=web1,profile_names=default,color=red"},
            {"chsyscfg", "-i", "name=nope,lpar_names=web1,profile_names=default"},
            {"chsyscfg", "-i", "name=sp1,lpar_names-=web2"},
            {"rmsyscfg", "-n", "nope"},
        };
        String[] codes = {"HSCL1308", "HSCL8012", "HSCL130A", "HSCL1302", "HSCL1302", "HSCL1301", "HSCL8013",
            "HSCL130A", "HSCL8013"};
        for (int i = 0; i < bad.length; i++) {
            String[] argv = bad[i][0].equals("rmsyscfg")
                    ? new String[] {"rmsyscfg", "-r", "sysprof", "-m", SYS, bad[i][1], bad[i][2]}
                    : new String[] {bad[i][0], "-r", "sysprof", "-m", SYS, bad[i][1], bad[i][2]};
            HmcResult r = system.run(argv);
            assertThat(r.exitCode()).as(String.join(" ", argv)).isEqualTo(1);
            assertThat(r.stdout()).as(String.join(" ", argv)).startsWith(codes[i] + " ").endsWith("\n")
                    .hasLineCount(1);
            assertThat(list()).isEqualTo(before);
        }
    }

    @Test
    void aPartitionRemovedLeavesTheSystemProfilesThatListedIt() {
        system.ok("mksyscfg", "-r", "sysprof", "-m", SYS, "-i",
                "name=sp1,\"lpar_names=web1,web2\",\"profile_names=default,big\"");
        system.ok("mksyscfg", "-r", "sysprof", "-m", SYS, "-i", "name=sp2,lpar_names=web2,profile_names=big");
        system.ok("rmsyscfg", "-r", "prof", "-m", SYS, "-p", "web2", "-n", "big");
        assertThat(list()).isEqualTo("name=sp1,lpar_names=web1,lpar_ids=2,profile_names=default\n");
        system.ok("rmsyscfg", "-r", "lpar", "-m", SYS, "-n", "web1");
        assertThat(list()).isEqualTo("No results were found.\n");
    }

    @Test
    void activatingASystemProfileWithoutAHypervisorIsRefused() {
        system.ok("mksyscfg", "-r", "sysprof", "-m", SYS, "-i", "name=sp1,lpar_names=web1,profile_names=default");
        HmcResult r = system.run("chsysstate", "-r", "sysprof", "-m", SYS, "-o", "on", "-n", "sp1", "--test");
        assertThat(r.stdout()).startsWith("HSCL130B ");
        assertThat(system.run("chsysstate", "-r", "sysprof", "-m", SYS, "-o", "on", "-n", "nope").stdout())
                .startsWith("HSCL8013 ");
    }
}
