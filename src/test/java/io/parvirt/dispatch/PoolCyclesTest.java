package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.dispatch.Dispatcher.PoolUsage;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharedProcessorPool;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PoolCyclesTest {
    private static final long MS = 1_000_000;
    private static final List<SharedProcessorPool> POOLS = List.of(SharedProcessorPool.initial(0),
            new SharedProcessorPool(1, "web", 2, ProcUnits.ZERO), SharedProcessorPool.initial(2));

    @Test
    void eachUsablePoolAndThePhysicalPoolCountSizeAndUseOverTime() {
        PoolCycles cycles = new PoolCycles();
        cycles.add(POOLS, Map.of(0, 0.5, 1, 1.5), 2.0, 3.0, 100 * MS);
        Map<Integer, PoolUsage> u = cycles.add(POOLS, Map.of(1, 1.0), 1.0, 3.0, 200 * MS);
        // Pool 2 has no maximum: not usable, not counted.
        assertThat(u.keySet()).containsExactlyInAnyOrder(PoolCycles.PHYSICAL, 0, 1);
        // The default pool is as large as the shared capacity; pool 1 as its maximum.
        assertThat(u.get(0)).isEqualTo(new PoolUsage(0, 300 * MS, 900 * MS, 50 * MS, 0.0, 3.0));
        assertThat(u.get(1)).isEqualTo(new PoolUsage(1, 300 * MS, 600 * MS, 350 * MS, 1.0, 2.0));
        assertThat(u.get(PoolCycles.PHYSICAL)).isEqualTo(new PoolUsage(-1, 300 * MS, 900 * MS, 400 * MS, 1.0, 3.0));
    }

    @Test
    void anIntervalThatMeasuredNothingAddsNothing() {
        PoolCycles cycles = new PoolCycles();
        cycles.add(POOLS, Map.of(0, 0.5), 0.5, 3.0, 100 * MS);
        Map<Integer, PoolUsage> u = cycles.add(POOLS, Map.of(0, 0.7), 0.7, 3.0, 0);
        assertThat(u.get(0).timeNs()).isEqualTo(100 * MS);
        assertThat(u.get(0).utilizedNs()).isEqualTo(50 * MS);
        assertThat(u.get(0).usedCores()).isEqualTo(0.7);
    }
}
