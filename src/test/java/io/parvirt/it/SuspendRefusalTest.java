package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14's suspend and resume refused where no guest is needed: each refusal is one HSCL line on
 * standard output, a non-zero exit, and nothing changed (the listings before and after are equal).
 * The refusals that need a running guest (resume of a Running partition, activation of a Suspended
 * one) are in {@code SuspendResumeTest}.
 */
@Tag("daemon")
class SuspendRefusalTest {
    @RegisterExtension
    static final SharedDaemon daemon = new SharedDaemon();

    private static String listings() {
        return daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1").stdout() + daemon.hmc("lshwres", "-r", "mem", "-m",
                "sys1", "--level", "sys").stdout() + daemon.hmc("lsrunstate", "-r", "lpar", "-m", "sys1").stdout();
    }

    private static void refused(String code, String contains, String... argv) {
        String before = listings();
        RunningDaemon.Hmc r = daemon.hmc(argv);
        assertThat(r.exit()).as(String.join(" ", argv)).isNotZero();
        assertThat(r.stdout()).as(String.join(" ", argv)).startsWith(code + " ").contains(contains)
                .endsWith("\n").hasLineCount(1);
        assertThat(listings()).as("nothing changed by " + String.join(" ", argv)).isEqualTo(before);
    }

    private static void assertError(java.net.http.HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.request().uri() + ": " + r.body()).isEqualTo(status);
        assertThat(r.body()).contains("\"code\":\"" + code + "\"");
    }

    @Test
    void suspendAndResumeAreRefusedForPartitionsThatAreNotRunningOrNotSuspended() {
        assertThat(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("susp1", 256, 1)
                + ",suspend_capable=1").exit()).isZero();
        assertThat(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("susp2", 256, 1)).exit())
                .isZero();
        try {
            assertThat(daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=susp1,susp2", "-F",
                    "name,state,suspend_capable").stdout()).isEqualTo("susp1,Not Activated,1\nsusp2,Not Activated,0\n");
            refused("HSCL130C", "susp1 is Not Activated: only a Running partition can be suspended",
                    "chlparstate", "-o", "suspend", "-m", "sys1", "-p", "susp1");
            refused("HSCL130B", "susp2 is not suspend capable", "chlparstate", "-o", "suspend", "-m", "sys1", "-p",
                    "susp2");
            refused("HSCL130C", "only a Suspended partition can be resumed", "chlparstate", "-o", "resume", "-m",
                    "sys1", "-p", "susp1");
            refused("HSCL130C", "shuts down only a Suspended partition", "chlparstate", "-o", "shutdown", "-m",
                    "sys1", "-p", "susp1");
            refused("HSCL8012", "nosuch", "chlparstate", "-o", "suspend", "-m", "sys1", "-p", "nosuch");
            refused("HSCL8012", "nosuch", "chlparstate", "-o", "resume", "-m", "sys1", "-p", "nosuch");
            String id = daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=susp1", "-F",
                    "lpar_id").stdout().strip();
            refused("HSCL130C", "susp1 is Not Activated", "chlparstate", "-o", "suspend", "-m", "sys1", "--id", id);

            // the grammar: an operation chlparstate does not have is a syntax error, naming -o
            RunningDaemon.Hmc bad = daemon.hmc("chlparstate", "-o", "hibernate", "-m", "sys1", "-p", "susp1");
            assertThat(bad.exit()).isNotZero();
            assertThat(bad.stdout()).contains("-o");

            // the API: the same operations, the same refusals
            assertError(daemon.api("POST", "/api/v1/partitions/susp1/lparstate/suspend", null), 409, "HSCL130C");
            assertError(daemon.api("POST", "/api/v1/partitions/susp1/lparstate/resume", null), 409, "HSCL130C");
            assertError(daemon.api("POST", "/api/v1/partitions/nosuch/lparstate/suspend", null), 404, "HSCL8012");
            assertThat(daemon.api("POST", "/api/v1/partitions/susp1/lparstate/hibernate", null).statusCode())
                    .isEqualTo(400);
        } finally {
            daemon.hmc("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "susp1");
            daemon.hmc("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "susp2");
        }
    }
}
