package io.parvirt.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.model.HptRatio;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The hypervisor-memory model against the points measured on a 48-core, 384 GB server with a
 * 256 MB LMB: 2.75 GB with no partitions; one LMB per 4 partitions of 2 GB desired / 4 GB max;
 * one LMB per 32 partitions of 1 GB / 2 GB max (where the model reserves more, see the class doc).
 */
@Tag("unit")
class HypervisorMemoryTest {
    static final long LMB = 256;
    static final long INSTALLED = 384 * 1024;

    static long reserve(int partitions, long maxMem, HptRatio ratio) {
        HypervisorMemory.Reserve r = new HypervisorMemory.Reserve(HypervisorMemory.defaultBaseMb(INSTALLED, LMB), LMB);
        for (int i = 0; i < partitions; i++) {
            r.add(maxMem, ratio);
        }
        return r.totalMb();
    }

    @Test
    void anEmptySystemOfTheMeasuredSizeReserves2point75Gb() {
        assertThat(reserve(0, 0, HptRatio.DEFAULT)).isEqualTo(2816);
    }

    @Test
    void partitionsOf4GbMaximumAddOneLmbPerFourPartitionsAsMeasured() {
        for (int n = 4; n <= 64; n += 4) {
            assertThat(reserve(n, 4096, HptRatio.DEFAULT)).as("%d partitions", n).isEqualTo(2816 + n / 4 * LMB);
        }
    }

    @Test
    void partitionsOf2GbMaximumAddOneLmbPerEightAtTheDefaultRatioAndPer32AtOneTo256() {
        assertThat(reserve(32, 2048, HptRatio.DEFAULT)).isEqualTo(2816 + 4 * LMB);
        assertThat(reserve(32, 2048, new HptRatio(256))).isEqualTo(2816 + LMB);
        assertThat(reserve(64, 2048, new HptRatio(256))).isEqualTo(2816 + 2 * LMB);
    }

    @Test
    void pageTablesArePowersOfTwoSizedFromMaximumMemory() {
        assertThat(HypervisorMemory.pageTableMb(4096, HptRatio.DEFAULT)).isEqualTo(64);
        assertThat(HypervisorMemory.pageTableMb(3072, HptRatio.DEFAULT)).isEqualTo(64);
        assertThat(HypervisorMemory.pageTableMb(256, new HptRatio(512))).isEqualTo(1);
        assertThat(HypervisorMemory.pageTableMb(65536, new HptRatio(128))).isEqualTo(512);
    }

    @Test
    void theReserveIsRoundedToWholeLmbsOnceForTheSystemNotPerPartition() {
        // three partitions of 32 MB tables need 96 MB: one LMB above the base, not three
        assertThat(reserve(3, 2048, HptRatio.DEFAULT)).isEqualTo(2816 + LMB);
    }
}
