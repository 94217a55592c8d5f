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
 */
record BackupManifest(int version, String system, String created, boolean running, Partition partition,
        List<Profile> profiles, List<Disk> disks) {
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    BackupManifest {
        Objects.requireNonNull(partition);
        profiles = List.copyOf(profiles);
        disks = List.copyOf(disks);
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
        return new BackupManifest(version, system, created, running, partition, profiles, d);
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
