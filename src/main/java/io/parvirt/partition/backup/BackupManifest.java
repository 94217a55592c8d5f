package io.parvirt.partition.backup;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * What a backup archive holds besides the disks' bytes: the partition and every profile (the model
 * records, as {@code bkprofdata} keeps them) and, per disk, where it was served from (VIOS, server
 * and client slot, pool, backing device, size). Disks are stored in the body in this order.
 * {@code opticals}: the partition's virtual optical drives and the media they held (by name: the
 * media are not in the archive); none in an archive written before they were kept.
 */
record BackupManifest(int version, String system, String created, boolean running, Partition partition,
        List<Profile> profiles, List<Disk> disks, List<Optical> opticals) {
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    BackupManifest {
        Objects.requireNonNull(partition);
        profiles = List.copyOf(profiles);
        disks = List.copyOf(disks);
        opticals = opticals == null ? List.of() : List.copyOf(opticals);
    }

    /** A manifest without optical drives (a clone's: its drives are not copied). */
    BackupManifest(int version, String system, String created, boolean running, Partition partition,
            List<Profile> profiles, List<Disk> disks) {
        this(version, system, created, running, partition, profiles, disks, List.of());
    }

    /**
     * One virtual optical drive ({@code mkvdev -fbo}): served by VIOS {@code vios} (name and id on
     * the source) to client slot {@code clientSlot} as {@code vtd}, holding medium {@code medium}
     * of the VIOS's repository (null: empty).
     */
    record Optical(String vios, int viosId, int clientSlot, String vtd, String medium) {
    }

    /**
     * One virtual SCSI disk of the partition: served by VIOS {@code vios} (name and id on the source)
     * on server slot {@code serverSlot} to client slot {@code clientSlot}; the backing device
     * {@code device} of {@code sizeMb} in pool {@code pool}; {@code dataBytes} of it are stored.
     */
    record Disk(String vios, int viosId, int serverSlot, int clientSlot, String vtd, String device, String pool,
            long sizeMb, long dataBytes) {
        Disk withDataBytes(long n) {
            return new Disk(vios, viosId, serverSlot, clientSlot, vtd, device, pool, sizeMb, n);
        }
    }

    BackupManifest withDisks(List<Disk> d) {
        return new BackupManifest(version, system, created, running, partition, profiles, d, opticals);
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("manifest not serialisable", e);
        }
    }

    static BackupManifest fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, BackupManifest.class);
    }
}
