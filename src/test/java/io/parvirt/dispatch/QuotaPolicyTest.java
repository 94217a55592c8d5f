package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.parvirt.model.Allocation;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharingMode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
class QuotaPolicyTest {
    @Test
    void processingUnitsBecomeCoresOnlyHere() {
        assertThat(QuotaPolicy.cores(new ProcUnits(35))).isEqualTo(0.35);
        assertThat(QuotaPolicy.cores(ProcUnits.ofCores(3))).isEqualTo(3.0);
    }

    @ParameterizedTest(name = "{0} units, {1} VPs, {2}, granted {3}, wants more {4}, used {5} -> quota {6}")
    @CsvSource({
        // capped: held to its entitlement whatever it was granted
        "0.50, 2, cap,   1.50, true,  0.50, 0.50",
        // uncapped and held: what it was granted, never below its entitlement, never beyond its VPs
        "0.50, 2, uncap, 1.20, true,  0.50, 1.20",
        "0.50, 2, uncap, 0.30, true,  0.30, 0.50",
        "0.50, 2, uncap, 3.00, true,  2.00, 2.00",
        // uncapped and not wanting more: headroom above its grant of a quarter of its use, at least 0.05
        "0.50, 2, uncap, 0.80, false, 0.80, 1.00",
        "0.50, 2, uncap, 0.60, false, 0.10, 0.65",
        "0.50, 2, uncap, 0.10, false, 0.10, 0.50",
    })
    void theFirstQuotaOfASharedPartition(String units, int vps, String mode, double granted, boolean wantsMore,
            double used, double quota) {
        Allocation a = DispatcherTest.shared(1, units, vps, SharingMode.valueOf(mode.toUpperCase()),
                mode.equals("cap") ? 0 : 128);
        assertThat(new QuotaPolicy().decide(a, granted, wantsMore, used, 0.1)).isCloseTo(quota, within(1e-9));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "0.35 units, 0.35, 358",
        "0.01 units (floor 2 does not bite), 0.01, 10",
        "10 units, 10.00, 10240",
    })
    void aSharedPartitionsWeightIsItsEntitlement(String name, String units, int shares) {
        assertThat(QuotaPolicy.shares(Lpars.uncapped(1, units, 1))).isEqualTo(shares);
    }

    @Test
    void aLenderTakesItsCoresBackWithTheMaximalWeight() {
        assertThat(QuotaPolicy.shares(Lpars.dedicated(1, 2, SharingMode.SHARE_IDLE_PROCS)))
                .isEqualTo(QuotaPolicy.MAX_SHARES);
        assertThat(QuotaPolicy.shares(Lpars.dedicated(1, 2, SharingMode.KEEP_IDLE_PROCS))).isEqualTo(2048);
    }

    @Test
    void aDedicatedPartitionHasNoQuota() {
        QuotaPolicy p = new QuotaPolicy();
        p.decide(Lpars.uncapped(1, "0.5", 2), 1.0, true, 1.0, 0.1);
        assertThat(p.dedicated(Lpars.dedicated(1, 2, SharingMode.KEEP_IDLE_PROCS))).isZero();
        assertThat(p.quota()).isZero();
    }

    @Test
    void smallDriftsOfAPartitionBelowItsQuotaAreHeld() {
        Allocation a = Lpars.uncapped(1, "0.5", 2);
        QuotaPolicy p = new QuotaPolicy();
        assertThat(p.decide(a, 0.80, false, 0.80, 0.1)).isCloseTo(1.00, within(1e-9));
        // target 1.01: a move below HOLD (0.02) is not written
        assertThat(p.decide(a, 0.81, false, 0.80, 0.1)).isCloseTo(1.00, within(1e-9));
        // target 1.10: written
        assertThat(p.decide(a, 0.90, false, 0.80, 0.1)).isCloseTo(1.10, within(1e-9));
    }

    @Test
    void aChangedPolicyIsWrittenEvenWhenTheQuotaHardlyMoves() {
        QuotaPolicy p = new QuotaPolicy();
        p.decide(Lpars.uncapped(1, "0.5", 2), 0.80, false, 0.80, 0.1);
        assertThat(p.decide(Lpars.shared(1, "0.5", 2, SharingMode.UNCAP, 200), 0.81, false, 0.80, 0.1))
                .isCloseTo(1.01, within(1e-9));
    }

    /** A held partition that overruns its quota: intervals of 0.25 s, so four make the one-second window. */
    @Test
    void anOverrunMeasuredOverASecondScalesTheQuotaDown() {
        Allocation a = Lpars.uncapped(1, "0.5", 2);
        QuotaPolicy p = new QuotaPolicy();
        p.decide(a, 1.0, true, 1.2, 0.25); // first: not steady yet
        for (int i = 0; i < 3; i++) {
            assertThat(p.decide(a, 1.0, true, 1.2, 0.25)).isCloseTo(1.0, within(1e-9));
        }
        assertThat(p.decide(a, 1.0, true, 1.2, 0.25)).isCloseTo(1.0 / 1.2, within(1e-9));
        assertThat(p.correction()).isCloseTo(1.0 / 1.2, within(1e-9));
        // The factor is kept for another target of the same policy.
        assertThat(p.decide(a, 1.5, true, 1.2, 0.25)).isCloseTo(1.5 / 1.2, within(1e-9));
    }

    @ParameterizedTest(name = "target 1.0, used {0} -> factor {1}")
    @CsvSource({"0.5, 1.1", "3.0, 0.5", "0.995, 1.0"})
    void theCorrectionIsBoundedAndIgnoresNoise(double used, double factor) {
        Allocation a = Lpars.uncapped(1, "0.5", 2);
        QuotaPolicy p = new QuotaPolicy();
        for (int i = 0; i < 5; i++) {
            p.decide(a, 1.0, true, used, 0.25);
        }
        assertThat(p.correction()).isCloseTo(factor, within(1e-9));
    }

    @Test
    void aPartitionThatIsNotHeldLearnsNoOverrun() {
        Allocation a = Lpars.uncapped(1, "0.5", 2);
        QuotaPolicy p = new QuotaPolicy();
        for (int i = 0; i < 8; i++) {
            p.decide(a, 1.0, false, 0.6, 0.25);
        }
        assertThat(p.correction()).isEqualTo(1.0);
    }

    @Test
    void aNewPolicyLearnsItsOverrunAfresh() {
        QuotaPolicy p = new QuotaPolicy();
        for (int i = 0; i < 5; i++) {
            p.decide(Lpars.uncapped(1, "0.5", 2), 1.0, true, 1.2, 0.25);
        }
        assertThat(p.correction()).isLessThan(1.0);
        assertThat(p.decide(Lpars.uncapped(1, "0.6", 2), 1.0, true, 1.2, 0.25)).isCloseTo(1.0, within(1e-9));
        assertThat(p.correction()).isEqualTo(1.0);
    }
}
