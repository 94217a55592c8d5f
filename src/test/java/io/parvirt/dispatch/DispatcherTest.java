package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.model.Allocation;
import io.parvirt.model.ProcMode;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.ProcessorSettings;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SharingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher on real processes (a shell loop stands in for a vCPU thread: the dispatcher only
 * sees thread ids and their CPU time): never silent when it cannot enforce, and it measures anyway.
 */
@Tag("unit")
class DispatcherTest {

    static Allocation shared(int id, String units, int vps, SharingMode mode, int weight) {
        ProcUnits u = ProcUnits.parse("u", units);
        ProcessorSettings limits = new ProcessorSettings(ProcMode.SHARED, 1, vps, vps, ProcUnits.MIN_PER_VP, u,
                ProcUnits.ofCores(vps), mode, weight, 0);
        return new Allocation(id, 256, u, vps, false, mode, weight, 0, limits);
    }

    @Test
    void withoutWritableCgroupsItSaysSoAndStillMeasures(@TempDir Path notCgroups) throws Exception {
        List<String> events = new ArrayList<>();
        Process busy = new ProcessBuilder("/bin/sh", "-c", "while :; do :; done").start();
        try {
            long pid = busy.pid();
            Dispatcher.Snapshot snap = new Dispatcher.Snapshot(2.0, List.of(SharedProcessorPool.initial(0)),
                    List.of(new Dispatcher.Running(1, "busy", pid, List.of(pid), shared(1, "0.2", 1, SharingMode.CAP,
                            0))));
            Dispatcher d = new Dispatcher(new Dispatcher.Config(Duration.ofMillis(100), 50_000, notCgroups, "htest",
                    true), () -> snap, events::add);
            assertThat(d.enforcement().enforced()).isFalse();
            assertThat(d.enforcement().problem()).contains(notCgroups.toString());
            assertThat(events).singleElement().asString().startsWith("Dispatching is not enforced: ")
                    .contains("utilization is still measured");
            ThreadClock clock = new ThreadClock();
            long ran0 = clock.read(pid, List.of(pid), false).runNs();
            d.tick();
            Thread.sleep(500);
            d.tick();
            long ran = clock.read(pid, List.of(pid), false).runNs() - ran0;
            Dispatcher.PartitionUsage u = d.usage().get(1);
            // What the loop gets depends on the host's load (other sessions share its 2 cores); what
            // the dispatcher measured must be what the kernel says it ran, between the two readings.
            assertThat(u.usedNs()).as("measured, though not enforced").isPositive().isLessThanOrEqualTo(ran);
            assertThat(u.usedNs()).isGreaterThanOrEqualTo(ran - 100_000_000L);
            assertThat(u.cappedNs() + u.uncappedNs()).isEqualTo(u.usedNs());
            assertThat(u.cappedNs()).as("at most its entitlement's share of the time")
                    .isLessThanOrEqualTo((long) (0.2 * u.timeNs()) + 1);
            if (u.usedCores() > 0.25) {
                assertThat(u.uncappedNs()).as("what it used beyond entitlement is uncapped cycles").isPositive();
            }
            assertThat(d.poolUsage().get(-1).utilizedNs()).isPositive();
            try (var left = Files.list(notCgroups)) {
                assertThat(left).as("nothing written where cgroups are not").isEmpty();
            }
        } finally {
            busy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void enforcementOffIsReportedToo(@TempDir Path root) {
        List<String> events = new ArrayList<>();
        Dispatcher d = new Dispatcher(new Dispatcher.Config(Duration.ofMillis(100), 50_000, root, "htest", false),
                () -> new Dispatcher.Snapshot(2, List.of(), List.of()), events::add);
        assertThat(d.enforcement().enforced()).isFalse();
        assertThat(d.enforcement().problem()).isEqualTo("dispatch.enforce=false in parvirt.properties");
        assertThat(events).hasSize(1);
    }

    @Test
    void cpuListsReadAndWrite() {
        assertThat(Dispatcher.parseCpuList("0-3,8,10-11")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(Dispatcher.cpuList(List.of(3, 1, 2))).isEqualTo("1,2,3");
    }
}
