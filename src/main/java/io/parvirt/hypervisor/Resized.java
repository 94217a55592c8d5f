package io.parvirt.hypervisor;

/**
 * What a partition has after a DLPAR job: virtual processors online in its operating system and
 * memory (boot memory plus what the guest has taken of the hot-plug device, counted in whole
 * LMBs). {@code complete} is false when the guest did not get all the way in time; {@code detail}
 * then says what stopped it and what was rolled back.
 */
public record Resized(int vcpus, long memMb, boolean complete, String detail) {
}
