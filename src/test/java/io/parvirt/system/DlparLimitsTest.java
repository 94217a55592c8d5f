package io.parvirt.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.model.Allocation;
import io.parvirt.model.LparEnv;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.PartitionOptions;
import io.parvirt.model.ProcMode;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.ProcessorSettings;
import io.parvirt.model.SharingMode;
import io.parvirt.system.ProcessorChange.Op;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: processor-count and memory DLPAR stay within the running minimum and maximum, 0.05 to
 * 1.0 units per virtual processor, whole free cores and LMBs of free memory; each refusal names
 * its figures.
 */
@Tag("unit")
class DlparLimitsTest {
    static final Partition WEB = new Partition(3, "web", LparEnv.AIXLINUX, "default", "u",
            PartitionOptions.defaults(LparEnv.AIXLINUX));
    static final ProcessorSettings SHARED = new ProcessorSettings(ProcMode.SHARED, 1, 2, 4, new ProcUnits(10),
            new ProcUnits(30), ProcUnits.ofCores(2), SharingMode.UNCAP, 128, 0);
    static final ProcessorSettings DED = new ProcessorSettings(ProcMode.DED, 1, 1, 3, ProcUnits.ofCores(1),
            ProcUnits.ofCores(1), ProcUnits.ofCores(3), SharingMode.KEEP_IDLE_PROCS, 0, 0);

    /** 1024 MB of 512..2048, 2 VPs on 0.3 units. */
    static final Allocation SHARED_2VP = new Allocation(3, 1024, new ProcUnits(30), 2, false, SharingMode.UNCAP, 128, 0,
            SHARED, 512, 2048);

    static Capacity free(String units, long memMb) {
        return new Capacity(ProcUnits.ofCores(2), ProcUnits.ofCores(2), ProcUnits.parse("u", units), 8192, 8192, 256,
                memMb);
    }

    @Test
    void virtualProcessorsAreAddedAndRemovedWithinTheRunningLimits() {
        assertThat(ProcessorChange.procs(free("0.0", 0), WEB, SHARED_2VP, Op.ADD, 1).vcpus()).isEqualTo(3);
        Allocation one = ProcessorChange.procs(free("0.0", 0), WEB, SHARED_2VP, Op.REMOVE, 1);
        assertThat(one.vcpus()).isEqualTo(1);
        assertThat(one.procUnits()).as("a shared partition keeps its entitlement").isEqualTo(new ProcUnits(30));
        assertThatThrownBy(() -> ProcessorChange.procs(free("1.0", 0), WEB, SHARED_2VP, Op.ADD, 3))
                .isInstanceOf(ModelException.class).hasMessageContaining("would have 5 virtual processors, above its "
                        + "current maximum of 4 (curr_max_procs); it has 2");
        assertThatThrownBy(() -> ProcessorChange.procs(free("1.0", 0), WEB, SHARED_2VP, Op.REMOVE, 2))
                .hasMessageContaining("would have 0 virtual processors, below its current minimum of 1");
    }

    @Test
    void eachVirtualProcessorNeedsAtLeastFiveHundredthsAndAtMostOneUnit() {
        Allocation thin = SHARED_2VP.withUnits(new ProcUnits(10));
        assertThatThrownBy(() -> ProcessorChange.procs(free("1.0", 0), WEB, thin, Op.ADD, 1))
                .hasMessageContaining("cannot have 3 virtual processors with 0.1 processing units: each needs at "
                        + "least 0.05 (0.15 in all)");
        Allocation thick = SHARED_2VP.withUnits(new ProcUnits(150));
        assertThatThrownBy(() -> ProcessorChange.procs(free("1.0", 0), WEB, thick, Op.REMOVE, 1))
                .hasMessageContaining("a virtual processor uses at most 1.0");
    }

    @Test
    void dedicatedCoresComeFromTheFreeWholeCores() {
        Allocation one = new Allocation(3, 1024, ProcUnits.ofCores(1), 1, true, SharingMode.KEEP_IDLE_PROCS, 0, 0, DED,
                512, 2048);
        Allocation two = ProcessorChange.procs(free("1.0", 0), WEB, one, Op.ADD, 1);
        assertThat(two.procUnits()).isEqualTo(ProcUnits.ofCores(2));
        assertThatThrownBy(() -> ProcessorChange.procs(free("0.9", 0), WEB, one, Op.ADD, 1))
                .extracting(e -> ((ModelException) e).kind()).isEqualTo(ModelException.Kind.INSUFFICIENT_RESOURCES);
    }

    @Test
    void memoryMovesInWholeLmbsWithinTheRunningLimitsFromFreeMemory() {
        assertThat(MemoryChange.memory(free("0.0", 512), 256, WEB, SHARED_2VP, true, 512).memMb()).isEqualTo(1536);
        assertThat(MemoryChange.memory(free("0.0", 0), 256, WEB, SHARED_2VP, false, 512).memMb()).isEqualTo(512);
        assertThatThrownBy(() -> MemoryChange.memory(free("0.0", 8192), 256, WEB, SHARED_2VP, true, 100))
                .extracting(e -> ((ModelException) e).kind()).isEqualTo(ModelException.Kind.GRANULARITY);
        assertThatThrownBy(() -> MemoryChange.memory(free("0.0", 8192), 256, WEB, SHARED_2VP, true, 1280))
                .hasMessageContaining("would be 2304 MB, above its current maximum of 2048 MB (curr_max_mem)");
        assertThatThrownBy(() -> MemoryChange.memory(free("0.0", 8192), 256, WEB, SHARED_2VP, false, 768))
                .hasMessageContaining("would be 256 MB, below its current minimum of 512 MB (curr_min_mem)");
        assertThatThrownBy(() -> MemoryChange.memory(free("0.0", 256), 256, WEB, SHARED_2VP, true, 512))
                .hasMessageContaining("the managed system has 256 MB available (curr_avail_sys_mem)");
    }
}
