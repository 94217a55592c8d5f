/**
 * The POWER Hypervisor's processor dispatching, on Linux: a pure {@link io.parvirt.dispatch.Allocator}
 * that decides each shared partition's capacity per interval (entitlement first, then the spare
 * capacity by uncapped weight inside each pool and then system-wide, bounded by virtual processors
 * and pool maxima), a {@link io.parvirt.dispatch.Dispatcher} that measures the vCPU threads and runs
 * the allocator, and the enforcers that apply its result to the vCPU threads through cgroup v1 or
 * v2 (CPU bandwidth, weights, cpusets for dedicated processors). Its counters feed lslparutil.
 */
package io.parvirt.dispatch;
