package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, hole 7: error lines echoed raw input (newlines, 100 KB values). Whatever a command is
 * given, its refusal is one line of bounded length on standard output, exit 1: no echoed newline,
 * carriage return, NUL or line separator splits it, and no echoed value makes it unbounded.
 */
@Tag("unit")
class ErrorLineTest {
    static final String SYS = "sys1";
    static final String HOSTILE = "x\ny\rz\0w\u2028" + "A".repeat(100_000);

    @TempDir
    Path dir;
    InProcessSystem system;
    Hmc hmc;

    @BeforeEach
    void setUp() {
        system = new InProcessSystem(dir);
        hmc = system.hmc;
        system.ok("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=vios1,profile_name=default,lpar_env=vioserver,"
                + "min_mem=256,desired_mem=512,max_mem=512,min_procs=1,desired_procs=1,max_procs=1");
    }

    @AfterEach
    void tearDown() {
        system.close();
    }

    HmcResult run(String... argv) {
        return system.run(argv);
    }

    @Test
    void everyRefusalIsOneBoundedLineWhateverItEchoes() {
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of(HOSTILE));
        commands.add(List.of("lssyscfg", "-r", "lpar", "-m", HOSTILE));
        commands.add(List.of("lssyscfg", "-r", HOSTILE, "-m", SYS));
        commands.add(List.of("lssyscfg", "-r", "lpar", "-m", SYS, "--filter", "lpar_names=" + HOSTILE));
        commands.add(List.of("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + HOSTILE));
        commands.add(List.of("mksyscfg", "-r", "lpar", "-m", SYS, "-i", HOSTILE + "=1"));
        commands.add(List.of("chsyscfg", "-r", "lpar", "-m", SYS, "-i", "name=vios1,description=" + HOSTILE));
        commands.add(List.of("chsyscfg", "-r", "prof", "-m", SYS, "-i", "name=default,lpar_name=vios1,min_mem="
                + HOSTILE));
        commands.add(List.of("rmsyscfg", "-r", "lpar", "-m", SYS, "-n", HOSTILE));
        commands.add(List.of("chsysstate", "-r", "lpar", "-m", SYS, "-o", "on", "-n", HOSTILE));
        commands.add(List.of("chhwres", "-r", "proc", "-m", SYS, "-o", "a", "-p", HOSTILE, "--procunits", "0.1"));
        commands.add(List.of("chhwres", "-r", "procpool", "-m", SYS, "-o", "s", "--poolname", HOSTILE, "-a",
                "max_pool_proc_units=1"));
        commands.add(List.of("lshwres", "-r", "proc", "-m", SYS, "--level", HOSTILE));
        commands.add(List.of("lslparutil", "-r", "lpar", "-m", SYS, "--filter", "lpar_names=" + HOSTILE));
        commands.add(List.of("mkhmcusr", "-u", HOSTILE, "-a", "hmcviewer", "--passwd", "abcdefgh1"));
        commands.add(List.of("viosvrcmd", "-m", SYS, "-p", "vios1", "-c", "mkvopt -name " + HOSTILE.replace("\0", "")
                + " -size 1M"));
        commands.add(List.of("viosvrcmd", "-m", SYS, "-p", "vios1", "-c", HOSTILE.replace("\0", "")));
        for (List<String> argv : commands) {
            HmcResult r = hmc.run(new HmcInvocation(argv, Map.of(), "local:test"));
            String what = argv.getFirst().length() > 20 ? "a hostile verb" : String.join(" ", argv).substring(0,
                    Math.min(60, String.join(" ", argv).length()));
            assertThat(r.exitCode()).as(what).isEqualTo(1);
            assertThat(r.stdout()).as(what).endsWith("\n");
            assertThat(r.stdout().lines().count()).as(what + ": " + r.stdout().substring(0, Math.min(200, r.stdout().length()))).isEqualTo(1);
            assertThat(r.stdout()).as(what).doesNotContain("\r").doesNotContain("\0").doesNotContain("\u2028");
            assertThat(r.stdout().length()).as(what).isLessThanOrEqualTo(1100);
        }
    }

    /** Issue 12, hole 10: {@code name+=} and {@code name-=} were read as {@code name=} (a rename through a selector). */
    @Test
    void aSelectorIsNoListAndPlusEqualsRenamesNothing() {
        for (String record : List.of("name+=vios1,new_name=renamed", "name-=vios1,description=x",
                "lpar_id+=1,new_name=renamed")) {
            HmcResult r = run("chsyscfg", "-r", "lpar", "-m", SYS, "-i", record);
            assertThat(r.exitCode()).as(record).isEqualTo(1);
            assertThat(r.stdout()).as(record).startsWith("HSCL1302 The attribute ").contains("is not a list");
        }
        HmcResult prof = run("chsyscfg", "-r", "prof", "-m", SYS, "-i", "name+=default,lpar_name=vios1,min_mem=512");
        assertThat(prof.stdout()).startsWith("HSCL1302 The attribute name is not a list");
        assertThat(run("lssyscfg", "-r", "lpar", "-m", SYS, "-F", "name").stdout()).isEqualTo("vios1\n");
    }
}
