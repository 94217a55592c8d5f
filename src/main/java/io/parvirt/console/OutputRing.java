package io.parvirt.console;

/**
 * The most recent console output in memory, so {@code tail} of a few KB never touches the disk.
 * A fixed array written round and round: the output loop copies each chunk in, nothing is allocated.
 */
final class OutputRing {
    private final byte[] bytes;
    private long written;

    OutputRing(int capacity) {
        bytes = new byte[capacity];
    }

    synchronized void put(byte[] chunk, int offset, int count) {
        int cap = bytes.length;
        if (count > cap) {
            // only the chunk's last cap bytes can survive; skip the rest as if written and overwritten
            offset += count - cap;
            written += count - cap;
            count = cap;
        }
        int pos = (int) (written % cap);
        int first = Math.min(count, cap - pos);
        System.arraycopy(chunk, offset, bytes, pos, first);
        System.arraycopy(chunk, offset + first, bytes, 0, count - first);
        written += count;
    }

    /** The last {@code max} bytes, or all that are held when fewer. */
    synchronized byte[] tail(int max) {
        int cap = bytes.length;
        int n = (int) Math.min(Math.max(0, max), Math.min(written, cap));
        byte[] out = new byte[n];
        int start = (int) ((written - n) % cap);
        int first = Math.min(n, cap - start);
        System.arraycopy(bytes, start, out, 0, first);
        System.arraycopy(bytes, 0, out, first, n - first);
        return out;
    }
}
