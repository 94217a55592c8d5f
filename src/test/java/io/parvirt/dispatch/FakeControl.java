package io.parvirt.dispatch;

import java.util.HashMap;
import java.util.Map;

/**
 * An enforcer for the dispatcher's unit tests: it keeps the limits last applied to each partition
 * and reports the throttle counts the test sets (the kernel's cannot be produced on cue; the real
 * enforcers' writes are CgroupV1ControlTest's and CgroupV2GuestTest's).
 */
final class FakeControl implements CpuControl {
    /** The kernel's {@code nr_throttled} of each partition, as the test sets it. */
    final Map<Integer, Long> throttled = new HashMap<>();
    /** What was last applied to each partition. */
    final Map<Integer, CpuLimits> applied = new HashMap<>();
    /** The kernel's throttled time (ns) of each partition, as the test sets it; absent: unknown. */
    final Map<Integer, Long> throttledNs = new HashMap<>();

    @Override
    public long throttledNs(int lparId) {
        return throttledNs.getOrDefault(lparId, -1L);
    }

    @Override
    public void apply(CpuLimits limits) {
        applied.put(limits.lparId(), limits);
    }

    @Override
    public long throttled(int lparId) {
        return throttled.getOrDefault(lparId, 0L);
    }

    @Override
    public void release(int lparId) {
        applied.remove(lparId);
    }

    @Override
    public void close() {
    }

    @Override
    public String mechanism() {
        return "test";
    }
}
