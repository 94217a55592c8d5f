package io.parvirt.model;

/** Anything that occupies a virtual slot of a partition. */
public sealed interface VirtualAdapter
        permits VirtualEthernetAdapter, VirtualScsiAdapter, VirtualSerialAdapter, VirtualFcAdapter {
    int slot();

    boolean required();

    /** The adapter in the HMC's slash syntax. */
    String format();
}
