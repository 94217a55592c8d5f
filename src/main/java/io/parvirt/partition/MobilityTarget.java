package io.parvirt.partition;

import io.parvirt.model.ModelException;
import java.time.Duration;
import java.util.List;

/**
 * The seam between a migration's source and its target system (issue 14). The source's
 * {@link Mobility} drives a migration through it; {@link MobilityReceiver} is the target's side in
 * this process. Another system's daemon is reached through an implementation that calls these
 * same methods over that daemon's API (the multi-system HMC's connection, with its pinned TLS
 * certificate and stored credential); every argument and answer is a plain record for that.
 *
 * <p>Order: {@code validate} (no change), {@code prepare} (the shell partition and its QEMU,
 * listening), the source streams to the address it returned, then {@code complete} once the
 * stream has completed, or {@code abort} on any failure or stop. {@code abort} removes only a
 * partition that arrived through {@code prepare} and never completed: it never touches one that
 * runs on the target for good.
 */
public interface MobilityTarget {
    /** The target managed system's name. */
    String systemName();

    /** Every check the target makes, failed ones only (empty: it can take the partition). Changes nothing. */
    List<ModelException> validate(MigrationRequest request);

    /**
     * Defines the partition (its profiles, the same id and UUID) in state Migrating - Running,
     * joins its adapters to the target's switches and starts its QEMU waiting for the stream;
     * returns where the source streams to ({@code tcp:HOST:PORT}). Refused as {@code validate}
     * would refuse, with nothing left behind.
     */
    String prepare(MigrationRequest request);

    /** Waits, at most {@code timeout}, until the partition runs on the target (the stream arrived whole). */
    void complete(String partition, Duration timeout);

    /**
     * What the target could give a partition that needs {@code units} of entitlement in a shared
     * pool ({@code null}: dedicated processors) and has disks on the SAN LUNs of unique identifiers
     * {@code identifiers}: its running VIOSes, its pools with room, and which VIOSes see each LUN.
     * Changes nothing ({@code lslparmigr -r msp|procpool|virtualio}).
     */
    MigrationOffer offer(io.parvirt.model.ProcUnits units, List<String> identifiers);

    /** Removes what {@code prepare} left of {@code partition} (its QEMU, ports, definition); true if anything was. */
    boolean abort(String partition);

    /**
     * After the source's stream completed and the answer to {@code complete} is missing: the target
     * decides who runs {@code partition}. True: its guest executes on the target, which keeps it for
     * good (the source reclaims); false: the target has no running copy and removed what
     * {@code prepare} left (the source resumes its guest). A target that cannot be asked is an
     * error: the source then waits, its guest stopped, and asks again ({@code migrlpar -o r}).
     */
    boolean settle(String partition);

    /**
     * {@code migrlpar -o r}: {@link #abort}, except that a target that cannot be asked is an error
     * (the recovery is then still to do), where a failing migration's abort only logs it.
     */
    default boolean recover(String partition) {
        return abort(partition);
    }
}
