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
 * Issue 15: {@code chsyscfg -r lpar -o apply -p LPAR -n PROFILE} makes the profile the one the
 * Not Activated partition runs with (its default profile); a refusal changes nothing.
 */
@Tag("unit")
class ApplyProfileTest {
    static final String RES = "min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.1,"
            + "desired_proc_units=0.2,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2";
    @TempDir
    Path dir;
    InProcessSystem s;

    @BeforeEach
    void setUp() {
        s = new InProcessSystem(dir);
        s.ok("mksyscfg", "-r", "lpar", "-m", InProcessSystem.SYS, "-i", "name=lp1,profile_name=default,"
                + "lpar_env=aixlinux," + RES);
        s.ok("mksyscfg", "-r", "prof", "-m", InProcessSystem.SYS, "-i", "name=big,lpar_name=lp1,"
                + RES.replace("desired_mem=512", "desired_mem=1024"));
    }

    @AfterEach
    void tearDown() {
        s.close();
    }

    String listing() {
        return s.run("lssyscfg", "-r", "lpar", "-m", InProcessSystem.SYS, "-F", "name,default_profile").stdout();
    }

    @Test
    void applyMakesTheProfileTheOneThePartitionRunsWith() {
        HmcResult r = s.run("chsyscfg", "-r", "lpar", "-m", InProcessSystem.SYS, "-o", "apply", "-p", "lp1", "-n", "big");
        assertThat(r.stdout()).isEmpty();
        assertThat(r.exitCode()).isZero();
        assertThat(listing()).isEqualTo("lp1,big\n");
        assertThat(s.run("chsyscfg", "-r", "lpar", "-m", InProcessSystem.SYS, "-o", "apply", "--id", "1").exitCode())
                .isZero();
        assertThat(listing()).isEqualTo("lp1,big\n");
    }

    @Test
    void refusalsChangeNothing() {
        HmcResult missing = s.run("chsyscfg", "-r", "lpar", "-m", InProcessSystem.SYS, "-o", "apply", "-p", "lp1",
                "-n", "nosuch");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stdout()).startsWith("HSCL8013 ");
        assertThat(s.run("chsyscfg", "-r", "lpar", "-m", InProcessSystem.SYS, "-o", "apply", "-p", "nobody")
                .stdout()).startsWith("HSCL8012 ");
        assertThat(s.run("chsyscfg", "-r", "prof", "-m", InProcessSystem.SYS, "-o", "apply", "-p", "lp1").stdout())
                .startsWith("The command entered is either missing a required parameter");
        assertThat(s.run("chsyscfg", "-r", "lpar", "-m", InProcessSystem.SYS, "-o", "save", "-p", "lp1").stdout())
                .endsWith("are -o.\n");
        assertThat(listing()).isEqualTo("lp1,default\n");
    }
}
