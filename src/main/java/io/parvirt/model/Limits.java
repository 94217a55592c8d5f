package io.parvirt.model;

/** Fixed limits of the managed system that parvirt presents. */
public final class Limits {
    private Limits() {
    }

    /** {@code max_lpars}: partition ids run from 1 to this. */
    public static final int MAX_LPARS = 1000;
    /** {@code max_virtual_procs_per_lpar}. */
    public static final int MAX_VIRTUAL_PROCS_PER_LPAR = 64;
    /** Shared processor pools 0..63; 0 is DefaultPool. */
    public static final int MAX_SHARED_PROC_POOLS = 64;
    public static final int MAX_UNCAP_WEIGHT = 255;
    public static final int DEFAULT_UNCAP_WEIGHT = 128;
    public static final int MIN_VIRTUAL_SLOTS = 2;
    public static final int MAX_VIRTUAL_SLOTS = 65535;
    public static final int DEFAULT_MAX_VIRTUAL_SLOTS = 20;
}
