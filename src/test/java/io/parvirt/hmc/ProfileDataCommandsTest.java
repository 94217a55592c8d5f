package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.InProcessSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 19: {@code bkprofdata} and {@code rstprofdata}'s four restore types, on the real store and files. */
@Tag("unit")
class ProfileDataCommandsTest {
    static final String SYS = InProcessSystem.SYS;
    @TempDir
    Path dir;
    InProcessSystem system;
    Path profiles;

    @BeforeEach
    void setUp() {
        system = new InProcessSystem(dir);
        profiles = dir.resolve("profiles");
        system.sys.profileDataDir(profiles);
        make("web1", 256);
        make("web2", 256);
        system.ok("mksyscfg", "-r", "sysprof", "-m", SYS, "-i", "name=both,\"lpar_names=web1,web2\","
                + "\"profile_names=default,default\"");
    }

    @AfterEach
    void tearDown() {
        system.close();
    }

    private void make(String name, int mem) {
        system.ok("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + name + ",profile_name=default,lpar_env="
                + "aixlinux,min_mem=256,desired_mem=" + mem + ",max_mem=512,min_procs=1,desired_procs=1,max_procs=1");
    }

    /** Everything profile data covers, as the HMC lists it. */
    private String definition() {
        return system.run("lssyscfg", "-r", "lpar", "-m", SYS, "-F", "name,lpar_id").stdout()
                + system.run("lssyscfg", "-r", "prof", "-m", SYS, "-F", "lpar_name,name,desired_mem").stdout()
                + system.run("lssyscfg", "-r", "sysprof", "-m", SYS).stdout();
    }

    @Test
    void aFullRestoreBringsBackWhatWasBackedUpAndAnInitializeDeletesIt() {
        system.ok("bkprofdata", "-m", SYS, "-f", "backup1");
        String saved = definition();
        assertThat(Files.exists(profiles.resolve("backup1"))).isTrue();

        system.ok("rmsyscfg", "-r", "lpar", "-m", SYS, "-n", "web2");
        make("db1", 512);
        system.ok("chsyscfg", "-r", "prof", "-m", SYS, "-i", "name=default,lpar_name=web1,desired_mem=512");
        system.ok("rstprofdata", "-m", SYS, "-l", "1", "-f", "backup1");
        assertThat(definition()).isEqualTo(saved);

        system.ok("rstprofdata", "-m", SYS, "-l", "4");
        assertThat(definition()).isEqualTo("No results were found.\n".repeat(3));
        system.close();
        system = new InProcessSystem(dir);
        system.sys.profileDataDir(profiles);
        assertThat(definition()).as("after a restart").isEqualTo("No results were found.\n".repeat(3));
        system.ok("rstprofdata", "-m", SYS, "-l", "1", "-f", "backup1");
        assertThat(definition()).isEqualTo(saved);
    }

    @Test
    void theTwoMergesGivePriorityToTheFileOrToTheCurrentData() {
        system.ok("bkprofdata", "-m", SYS, "-f", "b");
        system.ok("chsyscfg", "-r", "prof", "-m", SYS, "-i", "name=default,lpar_name=web1,desired_mem=512");
        make("db1", 256);

        system.ok("rstprofdata", "-m", SYS, "-l", "3", "-f", "b");
        assertThat(mem("web1")).as("current data wins").isEqualTo("512");
        assertThat(definition()).contains("db1,3");

        system.ok("rstprofdata", "-m", SYS, "-l", "2", "-f", "b");
        assertThat(mem("web1")).as("the file wins").isEqualTo("256");
        assertThat(definition()).as("what the file lacks stays").contains("db1,3");
    }

    private String mem(String lpar) {
        return system.run("lssyscfg", "-r", "prof", "-m", SYS, "--filter", "lpar_names=" + lpar, "-F", "desired_mem")
                .stdout().strip();
    }

    @Test
    void aTruncatedOrDamagedFileIsRefusedBeforeAnythingChanges() throws Exception {
        system.ok("bkprofdata", "-m", SYS, "-f", "b");
        byte[] good = Files.readAllBytes(profiles.resolve("b"));
        system.ok("rmsyscfg", "-r", "lpar", "-m", SYS, "-n", "web2");
        String before = definition();

        Files.write(profiles.resolve("cut"), java.util.Arrays.copyOf(good, good.length - 40));
        HmcResult cut = system.run("rstprofdata", "-m", SYS, "-l", "1", "-f", "cut");
        assertThat(cut.stdout()).startsWith("HSCL1302 The profile data file cut is damaged").contains("truncated")
                .hasLineCount(1);

        byte[] flipped = good.clone();
        flipped[flipped.length - 10] ^= 0x01;
        Files.write(profiles.resolve("flip"), flipped);
        assertThat(system.run("rstprofdata", "-m", SYS, "-l", "2", "-f", "flip").stdout())
                .contains("checksum does not match");
        Files.writeString(profiles.resolve("junk"), "hello\n");
        assertThat(system.run("rstprofdata", "-m", SYS, "-l", "1", "-f", "junk").stdout())
                .contains("not a parvirt profile data file");
        assertThat(system.run("rstprofdata", "-m", SYS, "-l", "1", "-f", "none").stdout()).contains("was not found");
        assertThat(system.run("rstprofdata", "-m", SYS, "-l", "1", "-f", "../parvirt.db").stdout())
                .startsWith("HSCL1302 ").contains("not valid");
        assertThat(system.run("rstprofdata", "-m", SYS, "-l", "5", "-f", "b").stdout()).contains("-l");
        assertThat(definition()).isEqualTo(before);
    }

    @Test
    void anExistingBackupIsReplacedOnlyWithForce() throws Exception {
        system.ok("bkprofdata", "-m", SYS, "-f", "b");
        byte[] first = Files.readAllBytes(profiles.resolve("b"));
        system.ok("rmsyscfg", "-r", "lpar", "-m", SYS, "-n", "web2");
        assertThat(system.run("bkprofdata", "-m", SYS, "-f", "b").stdout()).startsWith("HSCL1308 ")
                .contains("--force");
        assertThat(Files.readAllBytes(profiles.resolve("b"))).isEqualTo(first);
        system.ok("bkprofdata", "-m", SYS, "-f", "b", "--force");
        assertThat(Files.readAllBytes(profiles.resolve("b"))).isNotEqualTo(first);
    }
}
