package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Dedicated processors on real guests: the vCPU threads of a dedicated partition are pinned to a
 * whole host core that shared partitions no longer use, until the partition lends its idle cycles.
 * And on a host where cgroups cannot be written, partitions still run and are still measured.
 */
@Tag("guest")
class DedicatedAndUnenforcedTest {

    static JsonNode dispatch(RunningDaemon d) {
        try {
            return new ObjectMapper().readTree(d.api("GET", "/api/v1/dispatch", null).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode partition(RunningDaemon d, String name) {
        for (JsonNode p : dispatch(d).path("partitions")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** The host CPUs each vCPU thread of the partition may run on, as the kernel has them. */
    static List<String> affinity(JsonNode p) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode t : p.path("vcpuThreads")) {
            for (String line : Files.readAllLines(Path.of("/proc/" + p.path("pid").asLong() + "/task/" + t.asLong()
                    + "/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    // normalised: the kernel writes ranges ("0-1"), parvirt lists ("0,1")
                    out.add(io.parvirt.dispatch.Dispatcher.cpuList(io.parvirt.dispatch.Dispatcher.parseCpuList(
                            line.substring(18).strip())));
                }
            }
        }
        return out;
    }

    static void on(RunningDaemon d, String name) {
        var r = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", name, "-f", "default");
        assertThat(r.exit()).as(r.stdout()).isZero();
    }

    @Test
    void aDedicatedPartitionOwnsItsCoreUntilItLendsIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/sys/fs/cgroup/cpuset")),
                "needs a writable cgroup v1 cpuset (root)");
        List<Integer> cpus = io.parvirt.dispatch.Dispatcher.onlineCpus();
        org.junit.jupiter.api.Assumptions.assumeTrue(cpus.size() >= 2, "needs two host CPUs");
        try (RunningDaemon d = RunningDaemon.start()) {
            assertThat(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=D,profile_name=default,"
                    + "lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=512,proc_mode=ded,min_procs=1,"
                    + "desired_procs=1,max_procs=1,sharing_mode=keep_idle_procs").exit()).isZero();
            assertThat(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("S", 256, 2)).exit()).isZero();
            String poolBefore = d.hmc("lshwres", "-r", "proc", "-m", "sys1", "--level", "pool", "-F",
                    "configurable_pool_proc_units").stdout();
            on(d, "D");
            on(d, "S");
            Guests.awaitState(d, "D", "Running", Duration.ofSeconds(180));
            Guests.awaitState(d, "S", "Running", Duration.ofSeconds(180));
            Await.on("D and S dispatched", () -> dispatch(d)).within(Duration.ofSeconds(10)).every(Guests.POLL)
                    .until(j -> partition(d, "D") != null && partition(d, "S") != null);
            String last = Integer.toString(cpus.getLast());
            String rest = io.parvirt.dispatch.Dispatcher.cpuList(cpus.subList(0, cpus.size() - 1));
            assertThat(affinity(partition(d, "D"))).as("D's vCPU on the highest-numbered core").containsOnly(last);
            assertThat(affinity(partition(d, "S"))).as("shared partitions keep off it").containsOnly(rest);
            assertThat(poolBefore).isEqualTo(cpus.size() + ".0\n");
            assertThat(d.hmc("lshwres", "-r", "proc", "-m", "sys1", "--level", "pool", "-F",
                    "configurable_pool_proc_units").stdout()).as("the core left the shared pool")
                    .isEqualTo((cpus.size() - 1) + ".0\n");
            // Lending: the shared partitions may use D's core while it is idle.
            assertThat(d.hmc("chhwres", "-r", "proc", "-m", "sys1", "-o", "s", "-p", "D", "-a",
                    "sharing_mode=share_idle_procs").exit()).isZero();
            String all = io.parvirt.dispatch.Dispatcher.cpuList(cpus);
            Await.on("S to get D's idle core (S's threads' affinity)", () -> {
                try {
                    return affinity(partition(d, "S"));
                } catch (Exception e) {
                    return List.of(e.toString());
                }
            }).within(Duration.ofSeconds(2)).every(Guests.POLL).detail(() -> "dispatch: " + dispatch(d))
                    .until(a -> a.stream().allMatch(all::equals));
            assertThat(affinity(partition(d, "D"))).as("D stays on its own core").containsOnly(last);
            assertThat(d.hmc("lshwres", "-r", "proc", "-m", "sys1", "--level", "lpar", "--filter", "lpar_names=D",
                    "-F", "curr_proc_mode,curr_procs,curr_sharing_mode").stdout())
                    .isEqualTo("ded,1,share_idle_procs\n");
            var bad = d.hmc("chhwres", "-r", "proc", "-m", "sys1", "-o", "a", "-p", "D", "--procunits", "0.1");
            assertThat(bad.exit()).isEqualTo(1);
            assertThat(bad.stdout()).startsWith("HSCL").contains("dedicated processors");
        }
    }

    @Test
    void withoutCgroupsPartitionsStillRunAndAreMeasured() {
        try (RunningDaemon d = RunningDaemon.start("dispatch.cgroup_root=/nonexistent\n")) {
            assertThat(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("U", 256, 1)).exit()).isZero();
            on(d, "U");
            Guests.awaitState(d, "U", "Running", Duration.ofSeconds(180));
            JsonNode rep = dispatch(d);
            assertThat(rep.path("enforced").asBoolean()).isFalse();
            assertThat(rep.path("problem").asText()).contains("/nonexistent");
            Await.on("U dispatched with entitled seconds", () -> dispatch(d)).within(Duration.ofSeconds(10))
                    .every(Guests.POLL).until(j -> partition(d, "U") != null
                            && partition(d, "U").path("entitledSeconds").asDouble() > 0);
            assertThat(d.hmc("lssvcevents", "-t", "console", "-F", "text").stdout())
                    .contains("Dispatching is not enforced");
            assertThat(d.api("GET", "/metrics", null).body()).contains("parvirt_dispatch_enforced 0.0");
        }
    }
}
