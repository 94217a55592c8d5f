package io.parvirt.model;

/** Memory of a profile in MB; minimum, desired and maximum are checked against the LMB by {@link ProfileRules}. */
public record MemorySettings(long minMb, long desiredMb, long maxMb, MemMode mode, HptRatio hptRatio) {
}
