package io.parvirt.partition;

import java.util.List;

/**
 * {@code lslparmigr -r msp|procpool|virtualio} for one partition and one destination, as
 * {@link Mobility#options} decides it. parvirt needs no mover service partition (the daemons'
 * QEMU stream the memory), so the MSPs listed are each side's running Virtual I/O Servers: what a
 * script that picks {@code source_msp_name}/{@code dest_msp_name} for {@code migrlpar -i} finds on
 * a real HMC. {@code scsiMappings}: for each virtual SCSI client adapter, every running VIOS of the
 * destination that could serve it ({@code slot/vios_name/vios_id}), the first one suggested.
 */
public record MigrationOptions(List<MigrationOffer.Member> sourceMsps, List<MigrationOffer.Member> destMsps,
        List<MigrationOffer.Member> pools, List<ScsiMapping> scsiMappings) {
    public MigrationOptions {
        sourceMsps = List.copyOf(sourceMsps);
        destMsps = List.copyOf(destMsps);
        pools = List.copyOf(pools);
        scsiMappings = List.copyOf(scsiMappings);
    }

    /** One client adapter's slot and the destination VIOSes that could serve it (the first suggested). */
    public record ScsiMapping(int slot, List<MigrationOffer.Member> vioses) {
        public ScsiMapping {
            vioses = List.copyOf(vioses);
        }
    }
}
