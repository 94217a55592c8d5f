package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.parvirt.dispatch.Dispatcher.Running;
import io.parvirt.model.Allocation;
import io.parvirt.model.SharingMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class DedicatedCoresTest {
    private static final List<Integer> HOST = List.of(0, 1, 2, 3);
    private final Map<Integer, Dispatched> state = new HashMap<>();

    private Running running(Allocation a) {
        state.computeIfAbsent(a.lparId(), id -> new Dispatched(new VcpuMeter((pid, tids, process) -> null, () -> 0)));
        return new Running(a.lparId(), "lpar" + a.lparId(), 100 + a.lparId(), List.of(1L), a);
    }

    @Test
    void coresComeFromTheTopAndStayWithTheirPartition() {
        Running one = running(Lpars.dedicated(1, 1, SharingMode.KEEP_IDLE_PROCS));
        Running two = running(Lpars.dedicated(2, 2, SharingMode.KEEP_IDLE_PROCS));
        DedicatedCores.place(HOST, List.of(one, two), state);
        assertThat(state.get(1).cores).containsExactly(3);
        assertThat(state.get(2).cores).containsExactly(2, 1);
        // Partition 1 ended: partition 2 keeps its cores rather than moving up.
        DedicatedCores.place(HOST, List.of(two), state);
        assertThat(state.get(2).cores).containsExactly(2, 1);
    }

    @Test
    void aKeeperTakesItsCoresFromTheSharedCpusAndTheSharedCapacity() {
        List<Running> r = List.of(running(Lpars.dedicated(1, 1, SharingMode.KEEP_IDLE_PROCS)),
                running(Lpars.uncapped(2, "0.5", 1)));
        DedicatedCores.place(HOST, r, state);
        assertThat(DedicatedCores.sharedCpus(HOST, r, state)).containsExactly(0, 1, 2);
        assertThat(DedicatedCores.sharedCapacity(4.0, r, state)).isEqualTo(3.0);
    }

    @Test
    void aLenderLeavesItsCoresSharedAndLendsWhatItDidNotUse() {
        List<Running> r = List.of(running(Lpars.dedicated(1, 2, SharingMode.SHARE_IDLE_PROCS)));
        DedicatedCores.place(HOST, r, state);
        // No interval measured yet: it used nothing, so both its cores are lent.
        assertThat(DedicatedCores.sharedCpus(HOST, r, state)).containsExactly(0, 1, 2, 3);
        assertThat(DedicatedCores.sharedCapacity(4.0, r, state)).isCloseTo(4.0, within(1e-12));
    }

    @Test
    void sharedPartitionsAreNeverLeftWithoutACpu() {
        List<Running> r = List.of(running(Lpars.dedicated(1, 4, SharingMode.KEEP_IDLE_PROCS)));
        DedicatedCores.place(HOST, r, state);
        assertThat(DedicatedCores.sharedCpus(HOST, r, state)).containsExactly(0, 1, 2, 3);
    }
}
