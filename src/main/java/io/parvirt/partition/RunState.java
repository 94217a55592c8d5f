package io.parvirt.partition;

import io.parvirt.model.Allocation;
import io.parvirt.model.LparState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A partition's run state as the console shows it: its state and reference code, the profile it
 * runs with, what it holds, what its guest agent reports, and the adapters it runs with (as
 * activated, then as adapter DLPAR changed them).
 * {@code allocation} is empty for a partition left in Error (it holds nothing).
 */
public record RunState(int lparId, LparState state, String refCode, String refText, String refDetail,
        Instant refTime, String profile, Optional<Allocation> allocation, String osVersion, List<String> ipv4,
        boolean agentActive, List<ActiveNic> nics, List<ActiveScsiClient> scsiClients, boolean paused) {

    public RunState {
        ipv4 = List.copyOf(ipv4);
        nics = List.copyOf(nics);
        scsiClients = List.copyOf(scsiClients);
    }

    /** A virtual SCSI client adapter of a running partition: its slot and its VIOS's id and server slot. */
    public record ActiveScsiClient(int slot, int remoteLparId, int remoteSlot) {
    }

    /** A virtual Ethernet adapter of a running partition, with the MAC address it runs with. */
    public record ActiveNic(int slot, String mac, String vswitch, int pvid, boolean ieee8021q,
            List<Integer> addlVlanIds, int trunkPriority, String qosPriority) {
        public ActiveNic {
            addlVlanIds = List.copyOf(addlVlanIds);
        }
    }

    /** A partition that is not running while inactive mobility moves its definition (no process, no allocation). */
    static RunState movingInactive(int lparId, String profile) {
        return new RunState(lparId, LparState.MIGRATING_NOT_ACTIVATED, "", "", "", Instant.now(), profile,
                Optional.empty(), "Unknown", List.of(), false, List.of(), List.of(), false);
    }

    /** The same run state shown as {@code state} (an interrupted arrival is Migrating whatever its QEMU does). */
    RunState as(LparState shown) {
        return new RunState(lparId, shown, refCode, refText, refDetail, refTime, profile, allocation, osVersion, ipv4,
                agentActive, nics, scsiClients, paused);
    }

    /** A partition with no process and nothing in progress. */
    static RunState notActivated(int lparId) {
        return new RunState(lparId, LparState.NOT_ACTIVATED, "", "", "", Instant.now(), "", Optional.empty(),
                "Unknown", List.of(), false, List.of(), List.of(), false);
    }

    /** A Suspended partition: nothing runs, nothing is held; its saved state waits for a resume. */
    static RunState suspended(int lparId, String profile) {
        return new RunState(lparId, LparState.SUSPENDED, "", "", "", Instant.now(), profile, Optional.empty(),
                "Unknown", List.of(), false, List.of(), List.of(), false);
    }

    /**
     * parvirt's own run state: the HMC's state, except that a Running partition whose processors
     * are stopped is {@code Paused} (HMC listings keep {@code Running}: the HMC has no such state).
     */
    public String runState() {
        return paused && state == LparState.RUNNING ? "Paused" : state.hmcName();
    }

    /** Whether a process of the partition exists (starting, running, shutting down, or in Error with it). */
    public boolean hasProcess() {
        return allocation.isPresent();
    }
}
