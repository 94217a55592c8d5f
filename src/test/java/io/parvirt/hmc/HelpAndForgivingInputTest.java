package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: {@code --help} on every HMC command prints its usage (exit 0, for any role, nothing
 * run), and the input real client scripts send (reference §10) is accepted: blanks after the
 * commas of {@code -i}, a trailing comma in a list value, padding between options.
 */
@Tag("unit")
class HelpAndForgivingInputTest {
    static final String LPAR = "name=lp1, profile_name=default, lpar_env=aixlinux, min_mem=256, desired_mem=512, "
            + "max_mem=1024, proc_mode=shared, min_proc_units=0.1, desired_proc_units=0.2, max_proc_units=1.0, "
            + "min_procs=1, desired_procs=1, max_procs=2, \"virtual_eth_adapters=2/0/1//0/0,3/0/10//0/0,\"";
    @TempDir
    Path dir;
    InProcessSystem s;

    @BeforeEach
    void setUp() {
        s = new InProcessSystem(dir);
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    @Test
    void everyCommandPrintsItsUsageForHelp() {
        for (String verb : Hmc.commands()) {
            HmcResult r = s.runAs("local:test", verb, "--help");
            assertThat(r.exitCode()).as(verb).isZero();
            assertThat(r.stdout()).as(verb).startsWith("Usage: " + verb + " ").contains(" [--help]\n\n")
                    .endsWith(".\n");
        }
        assertThat(HmcUsage.verbs()).containsExactlyInAnyOrderElementsOf(Hmc.commands());
        // after other words too, and nothing is run: the partition is not made
        HmcResult r = s.run("mksyscfg", "-r", "lpar", "-m", InProcessSystem.SYS, "-i", LPAR, "--help");
        assertThat(r.stdout()).startsWith("Usage: mksyscfg -r lpar|prof -m <managed system> ");
        assertThat(s.run("lssyscfg", "-r", "lpar", "-m", InProcessSystem.SYS).stdout())
                .isEqualTo("No results were found.\n");
        assertThat(s.runAs("nosuchuser", "chsysstate", "--help").exitCode()).isZero();
        assertThat(s.run("nosuchverb", "--help").stdout()).startsWith("The command nosuchverb is not a valid");
    }

    @Test
    void blanksAfterCommasATrailingCommaAndPaddingAreAccepted() {
        HmcResult made = s.run("mksyscfg", "-r", "lpar", "-m", InProcessSystem.SYS, "-i", LPAR);
        assertThat(made.exitCode()).as(made.stdout()).isZero();
        assertThat(s.run("lssyscfg", "-r", "prof", "-m", InProcessSystem.SYS, "-F", "virtual_eth_adapters").stdout())
                .isEqualTo("\"2/0/1//0/0/ETHERNET0//all/none,3/0/10//0/0/ETHERNET0//all/none\"\n");
        HmcResult changed = s.run("chsyscfg", "-r", "prof", "-m", InProcessSystem.SYS, "-i",
                "name=default, lpar_name=lp1, desired_mem=768");
        assertThat(changed.exitCode()).as(changed.stdout()).isZero();
        assertThat(s.run("lssyscfg", "-r", "prof", "-m", InProcessSystem.SYS, "-F", "desired_mem").stdout())
                .isEqualTo("768\n");
    }
}
