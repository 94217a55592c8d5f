package io.parvirt.vios.nbd;

/**
 * An NBD server's limits. {@code maxConnectionsPerExport}: connections one export takes at once
 * (more than any client opens: QEMU one, libnbd's multi-conn four); the rest are refused.
 * {@code pollMicros}: how long a connection may poll its socket for the next request before it
 * sleeps, at most (0: never poll); see {@link SocketWait}.
 */
public record NbdSettings(int maxConnectionsPerExport, int pollMicros) {
    /** 32 us, as QEMU's own iothreads poll (their poll-max-ns default is 32768). */
    public static final NbdSettings DEFAULTS = new NbdSettings(16, 32);

    public NbdSettings {
        if (maxConnectionsPerExport < 1 || maxConnectionsPerExport > 1024) {
            throw new IllegalArgumentException("NBD connections per export must be 1..1024, not "
                    + maxConnectionsPerExport);
        }
        if (pollMicros < 0 || pollMicros > 1000) {
            throw new IllegalArgumentException("NBD poll time must be 0..1000 us, not " + pollMicros);
        }
    }
}
