package io.parvirt.hmc;

import static io.parvirt.hmc.CommandParserTest.parse;
import static io.parvirt.hmc.CommandParserTest.rejects;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.command.HwresCommand.RestoreResource;
import io.parvirt.hmc.command.HwresCommand.RestoreResources;
import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.SyscfgCommand.SaveProfile;
import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: {@code rsthwres} and {@code mksyscfg -r prof -o save} parsed into their records, and
 * what a console refuses before any partition runs (the running cases are in
 * {@code it.DlparProfileTest}, with real guests).
 */
@Tag("unit")
class RestoreAndSaveCommandsTest {
    @TempDir
    Path dir;
    InProcessSystem system;

    @BeforeEach
    void start() {
        system = new InProcessSystem(dir);
        system.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=web1,profile_name=default,lpar_env=aixlinux,"
                + "min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.1,"
                + "desired_proc_units=0.2,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,"
                + "sharing_mode=uncap,uncap_weight=128");
    }

    @AfterEach
    void stop() {
        system.close();
    }

    @Test
    void rsthwresNamesTheResourceAndOptionallyOnePartition() {
        assertThat(parse("rsthwres", "-r", "mem", "-m", "s", "-p", "web1"))
                .isEqualTo(new RestoreResources("s", RestoreResource.MEM, new PartitionRef.ByName("web1")));
        assertThat(parse("rsthwres", "-r", "proc", "-m", "s", "--id", "3"))
                .isEqualTo(new RestoreResources("s", RestoreResource.PROC, new PartitionRef.ById(3)));
        assertThat(parse("rsthwres", "-r", "io", "-m", "s"))
                .isEqualTo(new RestoreResources("s", RestoreResource.IO, null));
        rejects("-r", "rsthwres", "-r", "virtualio", "-m", "s");
        rejects("-m", "rsthwres", "-r", "mem");
        rejects("-p, --id", "rsthwres", "-r", "mem", "-m", "s", "-p", "a", "--id", "1");
    }

    @Test
    void mksyscfgSaveNamesThePartitionAndTheProfile() {
        assertThat(parse("mksyscfg", "-r", "prof", "-m", "s", "-o", "save", "-p", "web1", "-n", "now"))
                .isEqualTo(new SaveProfile("s", new PartitionRef.ByName("web1"), "now", false));
        assertThat(parse("mksyscfg", "-r", "prof", "-m", "s", "-o", "save", "--id", "1", "-n", "default", "--force"))
                .isEqualTo(new SaveProfile("s", new PartitionRef.ById(1), "default", true));
        rejects("-n", "mksyscfg", "-r", "prof", "-m", "s", "-o", "save", "-p", "web1");
        rejects("-o", "mksyscfg", "-r", "prof", "-m", "s", "-o", "copy", "-p", "web1", "-n", "x");
        rejects("-r", "mksyscfg", "-r", "lpar", "-m", "s", "-o", "save", "-p", "web1", "-n", "x");
        rejects("-i", "mksyscfg", "-r", "prof", "-m", "s", "-o", "save", "-p", "web1", "-n", "x", "-i", "a=1");
    }

    @Test
    void savingANotActivatedPartitionIsRefusedAndChangesNothing() {
        String before = profiles();
        HmcResult r = system.run("mksyscfg", "-r", "prof", "-m", "sys1", "-o", "save", "-p", "web1", "-n", "now");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).startsWith("HSCL130C The partition web1 is not running");
        assertThat(profiles()).isEqualTo(before);
        assertThat(system.run("mksyscfg", "-r", "prof", "-m", "sys1", "-o", "save", "-p", "nope", "-n", "x")
                .stdout()).startsWith("HSCL8012 ");
    }

    @Test
    void rsthwresOfAPartitionThatDoesNotRunIsRefusedAndIoHasNothingToRestore() {
        String before = profiles();
        HmcResult r = system.run("rsthwres", "-r", "mem", "-m", "sys1", "-p", "web1");
        assertThat(r.exitCode()).isEqualTo(1);
        // this console runs nothing (definition only): the refusal a console without a hypervisor gives
        assertThat(r.stdout()).startsWith("HSCL130B Partition web1 cannot be changed dynamically");
        assertThat(system.run("rsthwres", "-r", "proc", "-m", "sys1", "-p", "nope").stdout()).startsWith("HSCL8012 ");
        assertThat(system.run("rsthwres", "-r", "mem", "-m", "sys9").stdout()).startsWith("HSCL8011 ");
        assertThat(system.run("rsthwres", "-r", "io", "-m", "sys1", "-p", "web1").exitCode()).isZero();
        assertThat(system.run("rsthwres", "-r", "mem", "-m", "sys1").exitCode()).as("no partition runs").isZero();
        assertThat(profiles()).isEqualTo(before);
    }

    private String profiles() {
        return system.run("lssyscfg", "-r", "prof", "-m", "sys1").stdout();
    }
}
