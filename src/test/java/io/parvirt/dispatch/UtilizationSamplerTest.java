package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.dispatch.Dispatcher.Running;
import io.parvirt.dispatch.Dispatcher.Snapshot;
import io.parvirt.model.Allocation;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SharingMode;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemSettings;
import io.parvirt.model.UtilizationSample;
import io.parvirt.model.UtilizationSample.ResourceType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** lslparutil samples from the dispatcher's counters, with a fake clock and fake vCPU times. */
@Tag("unit")
class UtilizationSamplerTest {
    private static final long MS = 1_000_000;
    private static final Allocation WEB = Lpars.uncapped(1, "0.5", 2);
    private static final Allocation DB = Lpars.dedicated(2, 1, SharingMode.SHARE_IDLE_PROCS);
    private long now;
    private final Map<Long, Long> runNs = new HashMap<>();
    private final List<Running> running = List.of(new Running(1, "web", 100, List.of(101L), WEB),
            new Running(2, "db", 200, List.of(201L), DB));
    private final Dispatcher dispatcher = new Dispatcher(new Dispatcher.Config(Duration.ofMillis(100), 50_000,
            Path.of("/none"), "h", false), () -> new Snapshot(4.0, List.of(SharedProcessorPool.initial(0)), running),
            text -> { }, (pid, tids, process) -> new ThreadClock.Reading(runNs.getOrDefault(pid, 0L), 0, tids.size()),
            () -> now, List.of(0, 1, 2, 3));
    private final SystemDefinition def = new SystemDefinition(new SystemSettings("sys1", 256,
            ProcUnits.parse("u", "0"), 1024, 512, HptRatio.parse("hpt_ratio", "1:64"), ""), List.of(), List.of(),
            List.of());
    private final UtilizationSampler.SystemFacts facts = new UtilizationSampler.SystemFacts(def,
            ProcUnits.ofCores(4), 16384, ProcUnits.parse("u", "2.5"), 8192, 600);
    /** The running partitions' allocations: one the dispatcher has not measured yet, one not known yet. */
    private final List<Allocation> active = Arrays.asList(WEB, DB, Lpars.uncapped(3, "0.1", 1), null);
    private final List<List<UtilizationSample>> stored = new ArrayList<>();
    private final List<Instant> cutoffs = new ArrayList<>();
    private final UtilizationSampler sampler = new UtilizationSampler(dispatcher, () -> facts, () -> active,
            (samples, olderThan) -> {
                stored.add(samples);
                cutoffs.add(olderThan);
            }, () -> 30, Duration.ofHours(2));

    private Map<String, String> of(List<UtilizationSample> samples, ResourceType type, int id) {
        return samples.stream().filter(s -> s.resourceType() == type && s.resourceId() == id).findFirst()
                .orElseThrow().attributes();
    }

    @Test
    void oneRoundHasTheSystemThePoolsAndEachMeasuredPartition() {
        dispatcher.tick();
        now += 100 * MS;
        runNs.put(100L, 80 * MS);
        runNs.put(200L, 30 * MS);
        dispatcher.tick();
        Instant at = Instant.parse("2026-12-02T15:00:00Z");
        sampler.record(at);

        assertThat(cutoffs).containsExactly(at.minus(Duration.ofHours(2)));
        List<UtilizationSample> s = stored.getFirst();
        assertThat(s).allSatisfy(x -> assertThat(x.time()).isEqualTo(at));
        assertThat(s).extracting(x -> x.resourceType() + ":" + x.resourceId())
                .containsExactly("SYS:0", "POOL:0", "PROCPOOL:0", "LPAR:1", "LPAR:2");

        assertThat(of(s, ResourceType.SYS, 0)).containsEntry("configurable_sys_proc_units", "4.0")
                .containsEntry("curr_avail_sys_proc_units", "2.5").containsEntry("sys_firmware_mem", "600");
        // The dedicated core leaves the physical pool; its idle 0.7 of a core is lent to it.
        assertThat(of(s, ResourceType.POOL, 0)).containsEntry("configurable_pool_proc_units", "3.0")
                .containsEntry("borrowed_pool_proc_units", "0.7")
                .containsEntry("utilized_pool_cycles", Long.toString(80 * MS));
        assertThat(of(s, ResourceType.PROCPOOL, 0)).containsEntry("shared_proc_pool_name", "DefaultPool")
                .containsEntry("max_pool_proc_units", "null");
        assertThat(of(s, ResourceType.LPAR, 1)).containsEntry("curr_proc_mode", "shared")
                .containsEntry("curr_shared_proc_pool_name", "DefaultPool")
                .containsEntry("entitled_cycles", Long.toString(50 * MS))
                .containsEntry("capped_cycles", Long.toString(50 * MS))
                .containsEntry("uncapped_cycles", Long.toString(30 * MS))
                .containsEntry("donated_cycles", "0");
        assertThat(of(s, ResourceType.LPAR, 2)).containsEntry("curr_proc_mode", "ded")
                .containsEntry("curr_shared_proc_pool_id", "")
                .containsEntry("idle_cycles", Long.toString(70 * MS))
                .containsEntry("donated_cycles", Long.toString(70 * MS))
                .containsEntry("shared_cycles_while_active", Long.toString(70 * MS));
    }

    @Test
    void beforeTheDispatcherHasCountedAnythingOnlyTheSystemIsSampled() {
        assertThat(sampler.sample(Instant.EPOCH)).extracting(UtilizationSample::resourceType)
                .containsExactly(ResourceType.SYS);
    }

    @Test
    void aDlparIsAConfigChangeEventOfThatPartitionWithWhatItHoldsNow() {
        dispatcher.tick();
        now += 100 * MS;
        dispatcher.tick();
        Instant at = Instant.parse("2026-12-02T15:00:00Z");
        sampler.configChanged(1, at);
        assertThat(stored).hasSize(1);
        assertThat(stored.getFirst()).singleElement().satisfies(e -> {
            assertThat(e.eventType()).isEqualTo("config_change");
            assertThat(e.resourceId()).isEqualTo(1);
            assertThat(e.attributes()).containsEntry("curr_procs", Integer.toString(WEB.vcpus()));
        });
        sampler.configChanged(3, at);
        assertThat(stored).as("a partition not measured yet has no event").hasSize(1);
    }
}
