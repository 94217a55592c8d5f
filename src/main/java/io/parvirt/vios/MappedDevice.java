package io.parvirt.vios;

import java.nio.file.Path;

/**
 * A device a client partition sees through one of its virtual SCSI client adapters: what the
 * launch path attaches. {@code lun} is the VIOS's LUN (0x8100000000000000 for the first);
 * {@code file} is null for an optical drive with no medium loaded.
 */
public record MappedDevice(int viosId, String vtd, int clientSlot, long lun, Path file, Kind kind, boolean readOnly) {
    /** A disk of a pool, an optical drive, or a whole physical volume (a SAN LUN, {@link San}). */
    public enum Kind { DISK, OPTICAL, PV }

    /** The LUN of index {@code n} (1-based) as the VIOS prints it: {@code 0x8n00000000000000}. */
    public static long lun(int n) {
        return (0x80L + n) << 56;
    }
}
