package io.parvirt.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Activation takes desired resources when free, as much as is free down to the minimums, else nothing. */
class AllocationTest {

    static Profile profile(String record) {
        ProfileDraft d = ProfileDraft.create("p", TestContext.NEW_ID);
        for (AttributeInput.Assignment a : AttributeInput.parseRecord(record)) {
            ProfileAttributes.apply(d, a);
        }
        return d.build(LparEnv.AIXLINUX, TestContext.standard());
    }

    @Test
    void desiredResourcesWhenTheyFit() {
        Allocation a = Allocation.plan(3, profile(ProfileRulesTest.SHARED), 8192, ProcUnits.ofCores(2), 256);
        assertThat(a).isEqualTo(new Allocation(3, 1024, new ProcUnits(50), 2, false));
    }

    @Test
    void betweenMinimumAndDesiredTakesWhatIsFree() {
        Allocation a = Allocation.plan(3, profile(ProfileRulesTest.SHARED), 700, new ProcUnits(20), 256);
        assertThat(a).isEqualTo(new Allocation(3, 512, new ProcUnits(20), 2, false));
        Allocation thin = Allocation.plan(3, profile(ProfileRulesTest.SHARED), 8192, new ProcUnits(10), 256);
        assertThat(thin.vcpus()).as("0.10 units back two virtual processors of 0.05").isEqualTo(2);
    }

    @Test
    void belowTheMinimumsNothingIsTaken() {
        assertThat(Allocation.plan(3, profile(ProfileRulesTest.SHARED), 256, ProcUnits.ofCores(2), 256)).isNull();
        assertThat(Allocation.plan(3, profile(ProfileRulesTest.SHARED), 8192, new ProcUnits(5), 256)).isNull();
    }

    @Test
    void dedicatedPartitionsTakeWholeCores() {
        Allocation a = Allocation.plan(3, profile(ProfileRulesTest.DED), 8192, new ProcUnits(150), 256);
        assertThat(a).isEqualTo(new Allocation(3, 512, ProcUnits.ofCores(1), 1, true));
        assertThat(Allocation.plan(3, profile(ProfileRulesTest.DED), 8192, new ProcUnits(90), 256)).isNull();
    }
}
