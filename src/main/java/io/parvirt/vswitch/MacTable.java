package io.parvirt.vswitch;

import java.util.Arrays;

/**
 * The address table of one VLAN of one switch: 48-bit MAC to port, open addressing with linear
 * probing over parallel primitive arrays, so a lookup or a refresh boxes nothing and allocates
 * nothing. An entry is fixed (a port's own configured address, entered at attach: the hypervisor
 * knows it without learning, and it never ages) or learned (with the time it was last seen).
 *
 * <p>Removal shifts the rest of the probe run back instead of leaving tombstones, so a table that
 * learns and forgets for months never fills with dead slots. The table doubles when half full;
 * that allocates, but only when it grows past its largest size so far (bounded by the ports'
 * fixed addresses plus the learning limit), never for a frame whose addresses are already known.
 */
final class MacTable {
    private static final long EMPTY = -1L;
    private static final int MIN_CAPACITY = 16;

    private long[] keys;
    private Port[] ports;
    private long[] seen;
    private boolean[] fixed;
    private int size;

    MacTable() {
        allocate(MIN_CAPACITY);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        ports = new Port[capacity];
        seen = new long[capacity];
        fixed = new boolean[capacity];
    }

    private static int home(long mac, int mask) {
        return (int) ((mac * 0x9E37_79B9_7F4A_7C15L) >>> 32) & mask;
    }

    /** The slot holding {@code mac}, or -1. Aging is the caller's business (see {@link #seen}). */
    int find(long mac) {
        int mask = keys.length - 1;
        for (int i = home(mac, mask);; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == mac) {
                return i;
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    Port port(int slot) {
        return ports[slot];
    }

    boolean fixed(int slot) {
        return fixed[slot];
    }

    /** When a learned entry's address last sent (nanos); meaningless for a fixed entry. */
    long seen(int slot) {
        return seen[slot];
    }

    void touch(int slot, long now) {
        seen[slot] = now;
    }

    int size() {
        return size;
    }

    /** Adds an address that is not in the table. */
    void put(long mac, Port port, long now, boolean isFixed) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = home(mac, mask);
        while (keys[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        keys[i] = mac;
        ports[i] = port;
        seen[i] = now;
        fixed[i] = isFixed;
        size++;
    }

    private void grow() {
        long[] k = keys;
        Port[] p = ports;
        long[] s = seen;
        boolean[] f = fixed;
        allocate(k.length * 2);
        size = 0;
        for (int i = 0; i < k.length; i++) {
            if (k[i] != EMPTY) {
                put(k[i], p[i], s[i], f[i]);
            }
        }
    }

    /** Removes {@code mac} if present. */
    void remove(long mac) {
        int slot = find(mac);
        if (slot >= 0) {
            removeAt(slot);
        }
    }

    /**
     * Empties {@code slot} and moves each later entry of the probe run into the hole when the
     * hole lies between that entry's home and where it sits, so every entry stays reachable.
     */
    void removeAt(int slot) {
        int mask = keys.length - 1;
        int hole = slot;
        for (int j = (slot + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int h = home(keys[j], mask);
            if (((j - h) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                ports[hole] = ports[j];
                seen[hole] = seen[j];
                fixed[hole] = fixed[j];
                hole = j;
            }
        }
        keys[hole] = EMPTY;
        ports[hole] = null;
        fixed[hole] = false;
        size--;
    }

    /**
     * Forgets learned entries: all of them ({@code maxAgeNanos < 0}), or those not seen for more
     * than {@code maxAgeNanos}; each one given back to its port's learning limit. A removal can
     * shift a later entry into the slot just emptied, so that slot is looked at again; an entry
     * shifted across the end of the array lands in a slot already looked at and kept.
     */
    int forgetLearned(long now, long maxAgeNanos) {
        int removed = 0;
        for (int i = 0; i < keys.length;) {
            if (keys[i] != EMPTY && !fixed[i] && (maxAgeNanos < 0 || now - seen[i] > maxAgeNanos)) {
                ports[i].learned--;
                removeAt(i);
                removed++;
            } else {
                i++;
            }
        }
        return removed;
    }

    /** Calls {@code visitor} with each entry's slot (switch thread; not for the forwarding path). */
    void forEach(java.util.function.IntConsumer visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                visitor.accept(i);
            }
        }
    }

    long mac(int slot) {
        return keys[slot];
    }
}
