package io.parvirt.hypervisor;

import io.parvirt.model.Allocation;
import io.parvirt.model.LparState;
import java.time.Instant;

/** A snapshot of one partition's run state, as listings show it. */
public record PartitionStatus(int lparId, LparState state, RefCode refCode, String refDetail, Instant refTime,
        String profile, Allocation allocation, GuestFacts facts, boolean agentActive, long pid) {
}
