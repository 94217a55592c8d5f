package io.parvirt.dispatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides how many cores each shared-processor partition may use over the next interval: a pure
 * function of the capacity, the pools, and each partition's entitlement, virtual processors, mode,
 * weight and demand (reference §5).
 *
 * <ol>
 * <li>Every partition gets min(demand, entitlement): entitlement is guaranteed, unused entitlement
 *     is ceded.</li>
 * <li>Level 0: inside each pool, the pool's unused entitled capacity (its partitions' entitlements
 *     plus its reserved units, not beyond its maximum) goes to the pool's uncapped partitions.</li>
 * <li>Level 1: what is still idle in the system goes to uncapped partitions of every pool.</li>
 * </ol>
 * Spare capacity is shared in proportion to uncapped weight and water-filled: a partition that
 * reaches its demand or its virtual processors, or whose pool reaches its maximum, drops out and
 * the rest is shared again among the others. Weight 0 and capped partitions never get spare.
 */
public final class Allocator {
    private static final double EPS = 1e-9;

    private Allocator() {
    }

    /** A shared processor pool: its maximum ({@code Double.POSITIVE_INFINITY} for the default pool) and reserve. */
    public record Pool(int id, double max, double reserved) {
    }

    /** One shared partition's policy and what it would use if nothing held it back (cores). */
    public record Claim(int lparId, int poolId, double entitlement, int virtualProcs, boolean capped, int weight,
            double demand) {
    }

    /** What a partition gets: its guaranteed part (≤ entitlement) and the spare capacity on top. */
    public record Grant(double entitled, double uncapped) {
        public double total() {
            return entitled + uncapped;
        }
    }

    /** With no host work taken from the spare. */
    public static Map<Integer, Grant> allocate(double capacity, List<Pool> pools, List<Claim> claims) {
        return allocate(capacity, 0, pools, claims);
    }

    /**
     * @param capacity cores of the physical shared pool (configurable cores not held by dedicated
     *                 partitions, plus idle cores dedicated partitions lend)
     * @param hostWork cores the partitions' QEMU processes use besides their vCPUs (device emulation,
     *                 I/O): they run on the same cores, so spare handed out beyond
     *                 {@code capacity - hostWork} could not be delivered, and the kernel would take
     *                 the shortfall from whichever partitions its own weights favour. Taken from the
     *                 spare only: entitlements stay guaranteed.
     */
    public static Map<Integer, Grant> allocate(double capacity, double hostWork, List<Pool> pools, List<Claim> claims) {
        Map<Integer, Pool> poolById = new HashMap<>();
        for (Pool p : pools) {
            poolById.put(p.id(), p);
        }
        int n = claims.size();
        double[] entitled = new double[n];
        double[] extra = new double[n];
        double[] want = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            Claim c = claims.get(i);
            want[i] = Math.max(0, Math.min(c.demand(), c.virtualProcs()));
            entitled[i] = Math.min(want[i], c.entitlement());
            total += entitled[i];
        }
        if (total > capacity && total > 0) {
            // Entitlements never exceed the pool, but the pool can shrink (a lender takes its cores back).
            double f = Math.max(0, capacity) / total;
            for (int i = 0; i < n; i++) {
                entitled[i] *= f;
            }
            total = Math.max(0, capacity);
        }
        Map<Integer, Double> used = new HashMap<>();
        Map<Integer, Double> epc = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Claim c = claims.get(i);
            used.merge(c.poolId(), entitled[i], Double::sum);
            epc.merge(c.poolId(), c.entitlement(), Double::sum);
        }
        Map<Integer, Double> room = new HashMap<>();
        for (int pool : used.keySet()) {
            room.put(pool, max(poolById, pool) - used.get(pool));
        }
        double spare = Math.max(0, capacity - Math.max(0, hostWork) - total);
        // Level 0: each pool's own unused entitled capacity, to its own partitions.
        for (int pool : used.keySet()) {
            Pool p = poolById.get(pool);
            double ownSpare = Math.min(epc.get(pool) + (p == null ? 0 : p.reserved()), max(poolById, pool))
                    - used.get(pool);
            double budget = Math.min(Math.max(0, ownSpare), spare);
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (claims.get(i).poolId() == pool) {
                    members.add(i);
                }
            }
            spare -= fill(budget, members, claims, want, entitled, extra, room);
        }
        // Level 1: whatever is still idle, to every eligible partition regardless of pool.
        List<Integer> everyone = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            everyone.add(i);
        }
        fill(spare, everyone, claims, want, entitled, extra, room);
        Map<Integer, Grant> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            out.put(claims.get(i).lparId(), new Grant(entitled[i], extra[i]));
        }
        return out;
    }

    private static double max(Map<Integer, Pool> pools, int id) {
        Pool p = pools.get(id);
        return p == null ? Double.POSITIVE_INFINITY : p.max();
    }

    /** Water-fills {@code budget} over {@code members} by weight; returns what was given. */
    private static double fill(double budget, List<Integer> members, List<Claim> claims, double[] want,
            double[] entitled, double[] extra, Map<Integer, Double> room) {
        double given = 0;
        double left = budget;
        for (int round = 0; round <= members.size() + room.size() + 1 && left > EPS; round++) {
            List<Integer> open = new ArrayList<>();
            double weights = 0;
            for (int i : members) {
                Claim c = claims.get(i);
                if (!c.capped() && c.weight() > 0 && want[i] - entitled[i] - extra[i] > EPS
                        && room.get(c.poolId()) > EPS) {
                    open.add(i);
                    weights += c.weight();
                }
            }
            if (open.isEmpty()) {
                break;
            }
            double[] share = new double[open.size()];
            Map<Integer, Double> perPool = new HashMap<>();
            for (int k = 0; k < open.size(); k++) {
                Claim c = claims.get(open.get(k));
                share[k] = left * c.weight() / weights;
                perPool.merge(c.poolId(), share[k], Double::sum);
            }
            double roundGiven = 0;
            for (int k = 0; k < open.size(); k++) {
                int i = open.get(k);
                Claim c = claims.get(i);
                double asked = perPool.get(c.poolId());
                double poolRoom = room.get(c.poolId());
                if (asked > poolRoom) {
                    share[k] *= poolRoom / asked;
                }
                share[k] = Math.min(share[k], want[i] - entitled[i] - extra[i]);
            }
            for (int k = 0; k < open.size(); k++) {
                int i = open.get(k);
                extra[i] += share[k];
                room.merge(claims.get(i).poolId(), -share[k], Double::sum);
                roundGiven += share[k];
            }
            given += roundGiven;
            left -= roundGiven;
            if (roundGiven <= EPS) {
                break;
            }
        }
        return given;
    }
}
