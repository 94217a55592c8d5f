package io.parvirt.model;

import java.util.ArrayList;
import java.util.List;

/** The virtual slots of a profile and the adapters in them. */
public record VirtualIo(int maxVirtualSlots, List<VirtualSerialAdapter> serial, List<VirtualScsiAdapter> scsi,
        List<VirtualEthernetAdapter> eth, List<VirtualFcAdapter> fc) {

    public VirtualIo {
        serial = List.copyOf(serial);
        scsi = List.copyOf(scsi);
        eth = List.copyOf(eth);
        fc = List.copyOf(fc);
    }

    public List<VirtualAdapter> all() {
        List<VirtualAdapter> all = new ArrayList<>(serial);
        all.addAll(scsi);
        all.addAll(eth);
        all.addAll(fc);
        return all;
    }
}
