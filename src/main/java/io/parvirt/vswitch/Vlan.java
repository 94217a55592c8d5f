package io.parvirt.vswitch;

import java.util.ArrayList;
import java.util.List;

/**
 * One VLAN of one switch as forwarding needs it, rebuilt whenever a member attaches or detaches
 * (never per frame): its partitions' ports (every member that is not a trunk, the ones broadcast
 * reaches), its active trunk, and its address table.
 *
 * <p>The active trunk is the trunk member with the highest priority, which on PowerVM is the
 * lowest number (1 beats 2); between equal priorities the one attached first stays active. The
 * other trunk members are standbys and get nothing flooded. Only the active trunk learns, so every
 * learned entry of the table is the active trunk's; when another trunk becomes active (the old one
 * detached, or a better one attached) the learned entries are forgotten and the new trunk learns
 * the outside afresh, as a Shared Ethernet Adapter failover expects.
 */
final class Vlan {
    private static final Port[] NONE = {};

    final int id;
    final MacTable macs = new MacTable();
    /** Members that are not trunks, in attach order. */
    Port[] partitions = NONE;
    /** The trunk member that takes unknown unicast and flooded frames; null when there is none. */
    Port activeTrunk;

    Vlan(int id) {
        this.id = id;
    }

    /** Recomputes the members from {@code ports} (in attach order). */
    void rebuild(List<Port> ports) {
        List<Port> plain = new ArrayList<>();
        Port best = null;
        for (Port p : ports) {
            if (!p.memberOf(id)) {
                continue;
            }
            if (!p.trunk) {
                plain.add(p);
            } else if (best == null || p.trunkPriority < best.trunkPriority) {
                best = p;
            }
        }
        partitions = plain.toArray(NONE);
        if (best != activeTrunk) {
            macs.forgetLearned(0, -1);
            activeTrunk = best;
        }
    }

    boolean empty() {
        return partitions.length == 0 && activeTrunk == null;
    }
}
