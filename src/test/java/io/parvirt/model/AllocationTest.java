package io.parvirt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Activation takes desired resources when free, as much as is free down to the minimums, else nothing. */
@Tag("unit")
class AllocationTest {

    static Profile profile(String record) {
        ProfileDraft d = ProfileDraft.create("p", TestContext.NEW_ID);
        for (AttributeInput.Assignment a : AttributeInput.parseRecord(record)) {
            ProfileAttributes.apply(d, a);
        }
        return d.build(LparEnv.AIXLINUX, TestContext.standard());
    }

    @Test
    void memoryLimitsAreTheProfilesAndDlparStaysWithinThem() {
        Allocation a = Allocation.plan(3, profile(ProfileRulesTest.SHARED), 8192, ProcUnits.ofCores(2),
                ProcUnits.ofCores(2), 256).orElseThrow();
        assertThat(a.withMemMb(2048).memMb()).isEqualTo(2048);
        assertThatThrownBy(() -> a.withMemMb(2304)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.withMemMb(256)).isInstanceOf(IllegalArgumentException.class);
        Allocation legacy = new Allocation(3, 1024, new ProcUnits(50), 2, false, SharingMode.UNCAP, 128, 0,
                a.limits(), 0, 0);
        assertThat(legacy.minMemMb()).as("a run record from before memory DLPAR").isEqualTo(1024);
        assertThat(legacy.maxMemMb()).isEqualTo(1024);
    }

    @Test
    void dedicatedCoresCarryTheirUnits() {
        Allocation a = Allocation.plan(3, profile(ProfileRulesTest.DED), 8192, ProcUnits.ofCores(2),
                ProcUnits.ZERO, 256).orElseThrow();
        assertThat(a.withVcpus(2).procUnits()).isEqualTo(ProcUnits.ofCores(2));
    }

    @Test
    void desiredResourcesWhenTheyFit() {
        Profile p = profile(ProfileRulesTest.SHARED);
        Allocation a = Allocation.plan(3, p, 8192, ProcUnits.ofCores(2), ProcUnits.ofCores(2), 256).orElseThrow();
        assertThat(a).isEqualTo(new Allocation(3, 1024, new ProcUnits(50), 2, false, SharingMode.UNCAP, 128, 0,
                p.processors(), 512, 2048));
        assertThat(a.capped()).isFalse();
        assertThat(a.withWeight(0).capped()).as("weight 0 behaves as capped").isTrue();
    }

    @Test
    void betweenMinimumAndDesiredTakesWhatIsFree() {
        Allocation a = Allocation.plan(3, profile(ProfileRulesTest.SHARED), 700, new ProcUnits(20), ProcUnits.ofCores(2),
                256).orElseThrow();
        assertThat(a.memMb()).isEqualTo(512);
        assertThat(a.procUnits()).isEqualTo(new ProcUnits(20));
        assertThat(a.vcpus()).isEqualTo(2);
        Allocation thin = Allocation.plan(3, profile(ProfileRulesTest.SHARED), 8192, new ProcUnits(10),
                ProcUnits.ofCores(2), 256).orElseThrow();
        assertThat(thin.vcpus()).as("0.10 units back two virtual processors of 0.05").isEqualTo(2);
    }

    @Test
    void belowTheMinimumsNothingIsTaken() {
        assertThat(Allocation.plan(3, profile(ProfileRulesTest.SHARED), 256, ProcUnits.ofCores(2), ProcUnits.ofCores(2),
                256)).isEmpty();
        assertThat(Allocation.plan(3, profile(ProfileRulesTest.SHARED), 8192, new ProcUnits(5), ProcUnits.ofCores(2),
                256)).isEmpty();
    }

    @Test
    void aUserPoolsRoomLimitsTheEntitlement() {
        Profile p = profile(ProfileRulesTest.SHARED);
        assertThat(Allocation.plan(3, p, 8192, ProcUnits.ofCores(2), new ProcUnits(30), 256).orElseThrow().procUnits())
                .as("desired 0.5, the pool has room for 0.3").isEqualTo(new ProcUnits(30));
        assertThat(Allocation.plan(3, p, 8192, ProcUnits.ofCores(2), new ProcUnits(5), 256))
                .as("below the minimum 0.1 in the pool").isEmpty();
    }

    @Test
    void dedicatedPartitionsTakeWholeCores() {
        Allocation a = Allocation.plan(3, profile(ProfileRulesTest.DED), 8192, new ProcUnits(150), ProcUnits.ZERO, 256).orElseThrow();
        assertThat(a.procUnits()).isEqualTo(ProcUnits.ofCores(1));
        assertThat(a.dedicated()).isTrue();
        assertThat(a.lendsIdleCores()).as("keep_idle_procs, the profile's default, never lends").isFalse();
        assertThat(a.withSharingMode(SharingMode.SHARE_IDLE_PROCS).lendsIdleCores()).isTrue();
        assertThat(Allocation.plan(3, profile(ProfileRulesTest.DED), 8192, new ProcUnits(90), ProcUnits.ZERO, 256))
                .isEmpty();
    }
}
