package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.hypervisor.Accelerator;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.model.Allocation;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharingMode;
import io.parvirt.partition.MigrationMessages;
import io.parvirt.partition.MigrationRequest;
import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * A Suspended partition arriving by mobility is checked by the destination for what a resume
     * there needs: the shared daemon is the destination of the request a source sends, over its API
     * as another daemon would ({@code POST /api/v1/mobility/validate}); the partition is defined on a
     * source system in this JVM. One refusal per rule, nothing changed.
     */
    @Test
    void aDestinationThatCannotResumeASuspendedPartitionRefusesOneLinePerRule(@TempDir Path dir) throws Exception {
        try (InProcessSystem source = new InProcessSystem(dir)) {
            source.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("susp9", 256, 1));
            Partition p = source.sys.definition().partition("susp9").orElseThrow();
            LaunchSpec spec = new LaunchSpec("/usr/bin/qemu-system-x86_64", "susp9", p.id(), p.uuid(), 256, 512, 1, 2,
                    Accelerator.TCG, Path.of("/img/vmlinuz"), Path.of("/img/initrd"), null, "console=ttyS0",
                    Path.of("/run/lpar/9"), List.of(new LaunchSpec.Nic(2, "0E5056000102", "NOSUCH", 1, false, List.of(),
                    0, "none", false)), List.of(), null, 256, 10, List.of(), "parvirt-qemu", null);
            Allocation held = new Allocation(p.id(), 1 << 24, new ProcUnits(10), 1, false, SharingMode.UNCAP, 128, 0,
                    null, 256, 1 << 24); // more memory than this system has
            String before = listings();

            List<String> refusals = validate(new MigrationRequest("sys7", p, List.copyOf(source.sys.definition()
                    .profiles(p.id())), "default", held, spec, source.sys.definition().lmbMb(), List.of(), null,
                    List.of(), "parvirt-suspend-" + p.uuid() + ".state"));
            assertThat(refusals).allMatch(l -> !l.contains("\n"))
                    .anyMatch(l -> l.startsWith("INSUFFICIENT_RESOURCES ") && l.contains("susp9 needs 16777216 MB"))
                    .anyMatch(l -> l.startsWith("INVALID_REFERENCE ") && l.contains("virtual switch NOSUCH"))
                    .contains("UNREACHABLE_DEVICE The saved state of suspended partition susp9 (parvirt-suspend-"
                            + p.uuid() + ".state in the SAN's reserved storage) is not reachable from the Virtual I/O "
                            + "Servers of the destination managed system sys1: they are on no SAN.");
            // the request names only its own state file's name: any other file of this host is not one
            assertThat(validate(new MigrationRequest("sys7", p, List.copyOf(source.sys.definition().profiles(p.id())),
                    "default", held, spec, source.sys.definition().lmbMb(), List.of(), null, List.of(),
                    "../../../etc/shadow"))).contains("INVALID_VALUE The migration request for susp9 does not "
                    + "describe one partition consistently.").noneMatch(l -> l.contains("shadow"));
            assertThat(listings()).isEqualTo(before);
        }
    }

    /** The destination's refusals of {@code r}, each as its kind and its sentence. */
    private static List<String> validate(MigrationRequest r) throws Exception {
        var answer = daemon.api("POST", "/api/v1/mobility/validate", new ObjectMapper().writeValueAsString(
                MigrationMessages.request(r)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return MigrationMessages.refusals(new ObjectMapper().readTree(answer.body()).path("refusals")).stream()
                .map(e -> e.kind() + " " + e.getMessage()).toList();
    }
}
