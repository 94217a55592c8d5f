/**
 * The POWER Hypervisor's processor dispatching, on Linux: a pure {@link io.parvirt.dispatch.Allocator}
 * that decides each shared partition's capacity per interval (entitlement first, then the spare
 * capacity by uncapped weight inside each pool and then system-wide, bounded by virtual processors
 * and pool maxima), and a {@link io.parvirt.dispatch.Dispatcher} that runs it every interval: a
 * meter reads the vCPU threads' CPU time, a demand estimate says what each partition would use, a
 * quota policy turns grants into CPU bandwidth, weights and cpusets that the enforcers apply through
 * cgroup v1 or v2 (laid out by {@code io.parvirt.cgroup}), and cycle counters accumulate what
 * {@link io.parvirt.dispatch.UtilizationSampler} turns into lslparutil samples.
 */
package io.parvirt.dispatch;
