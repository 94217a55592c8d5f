/**
 * The POWER Hypervisor's processor dispatching, on Linux: a pure {@link io.parvirt.dispatch.Allocator}
 * that decides each shared partition's capacity per interval (entitlement first, then the spare
 * capacity by uncapped weight inside each pool and then system-wide, bounded by virtual processors
 * and pool maxima), and a {@link io.parvirt.dispatch.Dispatcher} that runs it every interval: a
 * meter reads the vCPU threads' CPU time, a demand estimate says what each partition would use, a
 * quota policy turns grants into CPU bandwidth, weights and cpusets that the enforcers apply through
 * cgroup v1 or v2 (laid out by {@code io.parvirt.cgroup}), and cycle counters accumulate what
 * {@link io.parvirt.dispatch.UtilizationSampler} turns into lslparutil samples.
 *
 * <h2>Steadiness: where a window's error comes from (issue 18)</h2>
 * PowerVM guarantees entitlement per 10 ms dispatch window; CFS bandwidth control gives a quota per
 * period. Figures from CfsBandwidthTest's model of CFS (HZ 250, 5 ms bandwidth slice, windows taken
 * by a sampler 0–10 ms late), for B of the acceptance scenario (0.8 core on 2 vCPUs):
 * <ul>
 * <li><b>The period</b> (was 50 ms, now 10 ms, {@link io.parvirt.dispatch.CfsBandwidth}): a held
 *     group burns its quota at the start of each period and waits, so a window that cuts a period
 *     is off by up to q·P·(1 − q/r)/W. At 50 ms 67 % of B's 100 ms windows are within 0.05, at
 *     10 ms 99 % (250 ms windows: 99 % and 100 %). Below 0.1 core the period grows to hold the
 *     kernel's 1 ms minimum quota (0.05 core: 20 ms).</li>
 * <li><b>Quota writes</b>: each write refills the group's runtime and forgives every CPU's overrun
 *     (tg_set_cfs_bandwidth). Written every ~100 ms, that gave B +0.274 core at 50 ms and +0.080 at
 *     10 ms; {@link io.parvirt.dispatch.QuotaPolicy} also writes only real changes.</li>
 * <li><b>The tick</b>: a busy thread is charged, and so throttled, at its CPU's tick (4 ms at
 *     250 Hz); its overrun is repaid from the next period. That is the floor: about 4 ms per running
 *     CPU per window, 0.016 core in a 250 ms window and 0.04 in a 100 ms one. The 5 ms bandwidth
 *     slice ({@code sched_cfs_bandwidth_slice_us}) only decides which of a group's CPUs gets the
 *     runtime first, not how much the group gets; it is a host-wide setting and is left alone.</li>
 * <li><b>Burst</b> ({@code cpu.cfs_burst_us}, {@code cpu.max.burst}) stays 0: it carries unused quota
 *     into later periods, which PowerVM does not do, and a waking partition would take more than
 *     its entitlement and share.</li>
 * <li><b>Per-vCPU limits</b> are not used: q/n per vCPU cuts a window the same way as q over the
 *     group, and would hold a partition with one busy vCPU below its entitlement.</li>
 * </ul>
 *
 * <h2>The grant: entitlement reserved, donations lent and taken back (issue 18)</h2>
 * PowerVM (the POWER5 paper: an idle virtual processor cedes "the remainder of its entitlement"
 * and is dispatched again at its next interrupt; reference §5) guarantees E × 10 ms per window to a
 * partition that has work, lends what an idle one cedes, and shares the spare by weight. Every
 * interval, with d<sub>i</sub> the demand estimate, E<sub>i</sub> the entitlement, w<sub>i</sub> the
 * uncapped weight and C the pool's capacity:
 * <pre>
 *   grant_i = min(d_i, E_i) + s_i,      S = C − Σ_j min(d_j, E_j)
 *   s_i     = water-fill of S by w_i / Σ w_j over the uncapped j with d_j &gt; grant_j,
 *             each capped by d_i, VPs_i and its pool's maximum (level 0 inside the pool, then level 1)
 *   quota_i = max(E_i, grant_i + (d_i wants more ? 0 : max(0.05, 0.25 · used_i)))
 *   d_i     = VPs_i   if used_i ≥ target_i − 10 %, or throttled in ≥ 2 bandwidth periods of the interval
 *           = used_i  otherwise, in 0.05 steps rounded down, kept while used_i stays within two steps above
 * </pre>
 * <ul>
 * <li><b>Entitlement is reserved, not estimated away</b>: a neighbour's estimate only moves the
 *     spare s<sub>i</sub>; min(d<sub>i</sub>, E<sub>i</sub>) is taken first, and the quota never
 *     falls below E<sub>i</sub>, so a donor that wakes runs its entitlement in the very next
 *     10 ms period, before any interval has seen it.</li>
 * <li><b>Donations are taken back within one interval</b>: the interval after a donor wakes it
 *     was held (its quota used, or throttled twice), claims its VPs, and the borrower's grant drops
 *     by the donor's entitlement and share. Until then the pool runs up to E<sub>donor</sub> over
 *     its maximum; the host's cores hold it.</li>
 * <li><b>A neighbour's noise does not move a grant</b> (phase 3 lost 31 % of its 250 ms windows
 *     this way): a guest's timer work takes an idle donor's 2 ms of a 10 ms period and is throttled
 *     once; the estimate took one throttled period for "held" and gave the donor its VPs for four
 *     intervals, taking 0.4 core from B. Now it needs two periods (a whole 20 ms interval), and a
 *     donor's claim moves in 0.05 steps, so that B's quota is not rewritten with every 0.01.</li>
 * <li><b>The interval is 20 ms</b> (was 100 ms; {@link io.parvirt.dispatch.Dispatcher#DEFAULT_INTERVAL}):
 *     each wake-up or idling costs the grants up to about one interval of error of the donor's
 *     share (0.4 core in phase 4), so a window of W holds within 0.05 only when the interval is
 *     well under 0.05 · W / 0.4: 31 ms for 250 ms windows. Replaying phase 4's recorded bursts
 *     through the policy ({@code DispatchPolicyScenarioTest}): 100 ms / 250 ms windows on target
 *     79 % / 70 % at a 100 ms interval, 84 % / 91 % at 30 ms, 87 % / 100 % at 20 ms; phase 3
 *     97 % / 97 % at 100 ms and 100 % / 100 % at 20 ms (the old estimate at 100 ms: 81 % / 77 %). An
 *     interval costs ~15 µs of CPU per partition (DispatchTickBench: 307 µs for 20), so the loop
 *     keeps itself under 1 % of a core by stretching the interval ({@code DispatchLoop}: 20
 *     partitions → ~31 ms).</li>
 * <li><b>Reaction</b>: a policy change wakes the loop, which decides and writes the quotas at once,
 *     and the estimate needs no calm intervals any more, so the first 100 ms window that starts
 *     after the command can be on target (the issue asks for its end within 300 ms); what is left
 *     is the CFS overrun, whose correction is learned afresh over a second for the changed
 *     partition. bench/dispatch.sh measures it.</li>
 * </ul>
 * What is measured on a host, with the commands, is in {@code bench/RESULTS.md}.
 */
package io.parvirt.dispatch;
