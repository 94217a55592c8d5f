package io.parvirt.hypervisor;

import io.parvirt.model.Allocation;
import io.parvirt.model.LparState;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one partition's run state, as listings show it. {@code vcpuThreads} are the host
 * thread ids of its virtual processors (empty until QEMU has told them), for the dispatcher.
 * {@code paused}: a Running partition whose vCPUs are stopped ({@code chsysstate -o pause}); the
 * HMC's state stays Running, parvirt's own run state says Paused.
 */
public record PartitionStatus(int lparId, LparState state, RefCode refCode, String refDetail, Instant refTime,
        String profile, Allocation allocation, GuestFacts facts, boolean agentActive, long pid,
        List<Long> vcpuThreads, boolean paused) {
}
