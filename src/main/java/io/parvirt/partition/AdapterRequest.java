package io.parvirt.partition;

import io.parvirt.model.Partition;
import io.parvirt.model.VirtualEthernetAdapter;
import java.time.Duration;
import java.util.List;

/**
 * A virtual adapter DLPAR ({@code chhwres -r virtualio --rsubtype eth|scsi -o a|r|s -s SLOT}) as
 * the HMC command asks for it; {@link AdapterDlpar} checks it against the running partition.
 */
public sealed interface AdapterRequest {
    int slot();

    Duration timeout();

    /** {@code --rsubtype eth -o a}: the adapter its attributes give (mac_addr null: parvirt assigns one). */
    record AddEthernet(VirtualEthernetAdapter adapter, Duration timeout) implements AdapterRequest {
        @Override
        public int slot() {
            return adapter.slot();
        }
    }

    /**
     * {@code --rsubtype eth -o s}: what changes (null: stays). {@code others} names any other
     * attribute given, which the HMC does not change on a running adapter.
     */
    record SetEthernet(int slot, Boolean ieee, List<Integer> addlVlanIds, String qosPriority, List<String> others,
            Duration timeout) implements AdapterRequest {
        public SetEthernet {
            addlVlanIds = addlVlanIds == null ? null : List.copyOf(addlVlanIds);
            others = List.copyOf(others);
        }
    }

    /** {@code --rsubtype scsi -o a}: a client adapter served by {@code vios}'s adapter in {@code remoteSlot}. */
    record AddScsiClient(int slot, Partition vios, int remoteSlot, Duration timeout) implements AdapterRequest {
    }

    /** {@code -o r}: the adapter in {@code slot} of the given kind. */
    record Remove(int slot, boolean ethernet, Duration timeout) implements AdapterRequest {
    }
}
