package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.parvirt.dispatch.Allocator.Claim;
import io.parvirt.dispatch.Allocator.Grant;
import io.parvirt.dispatch.Allocator.Pool;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The allocator, table-driven: capacity, pools, claims in; each partition's cores out. */
@Tag("unit")
class AllocatorTest {
    static final double INF = Double.POSITIVE_INFINITY;
    static final Pool DEFAULT = new Pool(0, INF, 0);
    static final Pool POOL1 = new Pool(1, 1, 0);

    record Case(String name, double capacity, List<Pool> pools, List<Claim> claims, double[] expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Claim capped(int id, int pool, double ec, int vps, double demand) {
        return new Claim(id, pool, ec, vps, true, 0, demand);
    }

    static Claim uncapped(int id, int pool, double ec, int vps, int weight, double demand) {
        return new Claim(id, pool, ec, vps, false, weight, demand);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("the issue's scenario: capped 0.2, weights 192 and 64 share pool1's 0.4 spare", 2,
                        List.of(DEFAULT, POOL1), List.of(capped(1, 1, 0.2, 1, 1), uncapped(2, 1, 0.2, 2, 192, 2),
                                uncapped(3, 1, 0.2, 2, 64, 2)), new double[] {0.2, 0.5, 0.3}),
                new Case("equal weights split the spare evenly", 2, List.of(DEFAULT, POOL1),
                        List.of(capped(1, 1, 0.2, 1, 1), uncapped(2, 1, 0.2, 2, 64, 2),
                                uncapped(3, 1, 0.2, 2, 64, 2)), new double[] {0.2, 0.4, 0.4}),
                new Case("an idle partition cedes its entitlement", 2, List.of(DEFAULT, POOL1),
                        List.of(capped(1, 1, 0.2, 1, 1), uncapped(2, 1, 0.2, 2, 64, 2),
                                uncapped(3, 1, 0.2, 2, 64, 0)), new double[] {0.2, 0.8, 0}),
                new Case("HMC help example: weights 200 and 100 share 0.75 spare as 0.50 and 0.25", 1.75,
                        List.of(DEFAULT), List.of(uncapped(1, 0, 0.5, 2, 200, 2), uncapped(2, 0, 0.5, 2, 100, 2)),
                        new double[] {1.0, 0.75}),
                new Case("a capped partition never exceeds its entitlement", 2, List.of(DEFAULT),
                        List.of(capped(1, 0, 0.3, 2, 2)), new double[] {0.3}),
                new Case("weight 0 behaves as capped", 2, List.of(DEFAULT),
                        List.of(uncapped(1, 0, 0.3, 2, 0, 2), uncapped(2, 0, 0.2, 1, 5, 0.5)),
                        new double[] {0.3, 0.5}),
                new Case("no partition exceeds its virtual processors", 4, List.of(DEFAULT),
                        List.of(uncapped(1, 0, 0.5, 1, 128, 4)), new double[] {1.0}),
                new Case("demand below entitlement: it gets what it uses, the rest is spare", 1, List.of(DEFAULT),
                        List.of(uncapped(1, 0, 0.5, 2, 128, 0.1), uncapped(2, 0, 0.5, 2, 128, 2)),
                        new double[] {0.1, 0.9}),
                new Case("water-filling: a satisfied partition's share goes to the others by weight", 2,
                        List.of(DEFAULT), List.of(uncapped(1, 0, 0.1, 2, 100, 0.3), uncapped(2, 0, 0.1, 2, 100, 2),
                                uncapped(3, 0, 0.1, 2, 200, 2)), new double[] {0.3, 0.1 + 1.5 / 3, 0.1 + 3.0 / 3}),
                new Case("level 0: a pool's unused entitlement goes to its own partitions first", 2,
                        List.of(DEFAULT, new Pool(1, 2, 0)), List.of(uncapped(1, 1, 0.5, 2, 1, 0),
                                uncapped(2, 1, 0.5, 2, 1, 2), uncapped(3, 0, 0.5, 2, 255, 2)),
                        new double[] {0, 1.0 + 0.5 / 256, 0.5 + 0.5 * 255 / 256}),
                new Case("reserved pool units are the pool's own spare at level 0", 1,
                        List.of(DEFAULT, new Pool(1, 1, 0.5)), List.of(uncapped(1, 1, 0.2, 2, 128, 2),
                                uncapped(2, 0, 0.2, 2, 128, 2)), new double[] {0.75, 0.25}),
                new Case("a pool's maximum caps the sum of its partitions", 2, List.of(DEFAULT, POOL1),
                        List.of(uncapped(1, 1, 0.1, 2, 128, 2), uncapped(2, 1, 0.1, 2, 128, 2),
                                uncapped(3, 0, 0.1, 2, 1, 2)), new double[] {0.5, 0.5, 1.0}),
                new Case("a shrunken pool scales entitlements down rather than overcommit", 0.5, List.of(DEFAULT),
                        List.of(capped(1, 0, 0.5, 1, 1), capped(2, 0, 0.5, 1, 1)), new double[] {0.25, 0.25}),
                new Case("nothing wanted, nothing given", 2, List.of(DEFAULT),
                        List.of(uncapped(1, 0, 0.5, 2, 128, 0)), new double[] {0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void allocates(Case c) {
        Map<Integer, Grant> got = Allocator.allocate(c.capacity(), c.pools(), c.claims());
        double sum = 0;
        for (int i = 0; i < c.claims().size(); i++) {
            Claim claim = c.claims().get(i);
            Grant g = got.get(claim.lparId());
            assertThat(g.total()).as("partition %d", claim.lparId()).isCloseTo(c.expected()[i], within(1e-6));
            assertThat(g.entitled()).as("guaranteed part of %d", claim.lparId())
                    .isLessThanOrEqualTo(claim.entitlement() + 1e-9);
            assertThat(g.total()).as("never beyond its virtual processors").isLessThanOrEqualTo(claim.virtualProcs());
            if (claim.capped() || claim.weight() == 0) {
                assertThat(g.uncapped()).as("capped gets no spare").isZero();
            }
            sum += g.total();
        }
        assertThat(sum).as("never more than the capacity").isLessThanOrEqualTo(c.capacity() + 1e-9);
    }

    /** Issue 18's ten partitions: QEMU's own threads take 0.3 of the 2 cores, from the spare only. */
    @Test
    void hostWorkIsTakenFromTheSpareAndNeverFromEntitlements() {
        List<Claim> claims = List.of(capped(1, 0, 0.5, 1, 1), uncapped(2, 0, 0.5, 2, 100, 2),
                uncapped(3, 0, 0.5, 2, 300, 2));
        Map<Integer, Grant> got = Allocator.allocate(2, 0.3, List.of(DEFAULT), claims);
        assertThat(got.get(1).total()).isCloseTo(0.5, within(1e-9));
        // 2 - 0.3 - 1.5 = 0.2 of spare, 1:3.
        assertThat(got.get(2).total()).isCloseTo(0.55, within(1e-9));
        assertThat(got.get(3).total()).isCloseTo(0.65, within(1e-9));
        // More host work than spare: the entitlements stay whole.
        Map<Integer, Grant> busy = Allocator.allocate(2, 0.8, List.of(DEFAULT), claims);
        assertThat(busy.values()).extracting(Grant::total).containsExactly(0.5, 0.5, 0.5);
    }
}
