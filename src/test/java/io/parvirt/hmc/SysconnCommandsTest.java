package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection commands' syntax, as the HMC checks it before anything is reached. */
@Tag("unit")
class SysconnCommandsTest {
    @TempDir
    Path dir;
    InProcessSystem system;

    @BeforeEach
    void start() {
        system = new InProcessSystem(dir);
    }

    @AfterEach
    void stop() {
        system.close();
    }

    @Test
    void malformedConnectionCommandsAreTheHmcsSyntaxErrors() {
        String[][] bad = {
            {"mksysconn", "--passwd", "x"},
            {"mksysconn", "--ip", "10.0.0.2"},
            {"mksysconn", "--ip", "10.0.0.2", "-r", "frame", "--passwd", "x"},
            {"lssysconn"},
            {"lssysconn", "-r", "sys"},
            {"rmsysconn", "--ip", "10.0.0.2"},
            {"rmsysconn", "-o", "reset", "--ip", "10.0.0.2"},
        };
        for (String[] argv : bad) {
            HmcResult r = system.run(argv);
            assertThat(r.exitCode()).as(String.join(" ", argv)).isEqualTo(1);
            assertThat(r.stdout()).as(String.join(" ", argv)).startsWith("The command entered is either missing");
        }
        assertThat(system.run("mksysconn", "-o", "auto").stdout()).startsWith("HSCL130B ");
    }

    @Test
    void aConsoleWithoutConnectionsSaysSoAndRoutesNothing() {
        assertThat(system.run("lssysconn", "-r", "all").stdout()).startsWith("HSCL130B ");
        assertThat(system.run("lssyscfg", "-r", "lpar", "-m", "elsewhere").stdout()).startsWith("HSCL8011 ");
        assertThat(system.run("lssyscfg", "-r", "sys", "-F", "name").stdout()).isEqualTo("sys1\n");
    }

    @Test
    void connectionCommandsNeedTheSuperadmin() {
        system.ok("mkhmcusr", "-u", "op1", "-a", "hmcoperator", "--passwd", "pass-op1");
        assertThat(system.runAs("op1", "mksysconn", "--ip", "10.0.0.2", "--passwd", "x").stdout())
                .startsWith("HSCL350B ");
        assertThat(system.runAs("op1", "rmsysconn", "-o", "remove", "--ip", "10.0.0.2").stdout())
                .startsWith("HSCL350B ");
    }

    @Test
    void aRelayedFailureKeepsItsCodeAndTheStatusThisConsoleGivesIt() {
        assertThat(HsclCode.relayed("HSCL8012 The partition named x was not found.\n"))
                .isEqualTo(new HmcError("HSCL8012", "The partition named x was not found.", 404));
        assertThat(HsclCode.relayed("The command entered is either missing ...\n").code()).isNull();
        assertThat(HsclCode.relayed("").message()).isNotBlank();
    }
}
