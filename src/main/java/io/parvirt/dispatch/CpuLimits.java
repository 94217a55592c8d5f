package io.parvirt.dispatch;

import java.util.List;

/**
 * What the enforcer applies to one partition: its vCPU threads, their CPU bandwidth per period
 * ({@code quotaCores} ≤ 0: unlimited), the partition's weight against the others when the host
 * itself is short of CPU (cgroup v1 {@code cpu.shares} scale, 2..262144), and the host CPUs its
 * vCPU threads may run on.
 */
record CpuLimits(int lparId, long pid, List<Long> threads, double quotaCores, int shares, String cpus) {
}
