package io.parvirt.model;

/**
 * Processors of a profile. For {@link ProcMode#SHARED} the procs are virtual processors and the
 * units are the entitlement; for {@link ProcMode#DED} the procs are whole cores and the units,
 * weight and pool do not apply (they are kept at their defaults and not shown).
 */
public record ProcessorSettings(ProcMode mode, int minProcs, int desiredProcs, int maxProcs, ProcUnits minUnits,
        ProcUnits desiredUnits, ProcUnits maxUnits, SharingMode sharingMode, int uncapWeight, int poolId) {

    public boolean shared() {
        return mode == ProcMode.SHARED;
    }
}
