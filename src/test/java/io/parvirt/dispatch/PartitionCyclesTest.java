package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.model.Allocation;
import io.parvirt.model.SharingMode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
class PartitionCyclesTest {
    private static final long MS = 1_000_000;

    static Allocation allocation(String kind) {
        return switch (kind) {
            case "shared0.35" -> Lpars.uncapped(1, "0.35", 2);
            case "ded2keep" -> Lpars.dedicated(1, 2, SharingMode.KEEP_IDLE_PROCS);
            case "ded2share" -> Lpars.dedicated(1, 2, SharingMode.SHARE_IDLE_PROCS);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** One 100 ms interval in which the vCPU threads ran {@code ran} ms, split into lslparutil's cycles (ms). */
    @ParameterizedTest(name = "{0}, ran {1} ms -> entitled {2}, capped {3}, uncapped {4}, idle {5}")
    @CsvSource({
        // shared: entitlement 0.35 × 100 ms; used within it is capped, beyond it uncapped; no idle
        "shared0.35,   0,  35,  0,   0,   0",
        "shared0.35,  20,  35, 20,   0,   0",
        "shared0.35,  35,  35, 35,   0,   0",
        "shared0.35, 150,  35, 35, 115,   0",
        // dedicated: both cores are its own, run or not; what it did not run is idle
        "ded2keep,     0, 200, 200,  0, 200",
        "ded2keep,   150, 200, 200,  0,  50",
        "ded2share,  200, 200, 200,  0,   0",
    })
    void oneInterval(String kind, long ran, long entitled, long capped, long uncapped, long idle) {
        PartitionCycles c = new PartitionCycles();
        c.add(allocation(kind), 100 * MS, ran * MS);
        assertThat(new long[] {c.timeNs(), c.usedNs(), c.entitledNs(), c.cappedNs(), c.uncappedNs(), c.idleNs()})
                .containsExactly(100 * MS, ran * MS, entitled * MS, capped * MS, uncapped * MS, idle * MS);
    }

    @org.junit.jupiter.api.Test
    void theCountersAccumulateAndTheEntitlementStaysExact() {
        PartitionCycles c = new PartitionCycles();
        Allocation a = Lpars.uncapped(1, "0.35", 2);
        for (int i = 0; i < 1000; i++) {
            c.add(a, 100 * MS + 1, 50 * MS); // 100.000001 ms × 0.35 = 35.00000035 ms: rounded per interval
        }
        assertThat(c.timeNs()).isEqualTo(1000 * (100 * MS + 1));
        assertThat(c.entitledNs()).isEqualTo(1000 * 35 * MS);
        assertThat(c.cappedNs()).isEqualTo(1000 * 35 * MS);
        assertThat(c.uncappedNs()).isEqualTo(1000 * 15 * MS);
        assertThat(c.usedNs()).isEqualTo(c.cappedNs() + c.uncappedNs());
    }
}
