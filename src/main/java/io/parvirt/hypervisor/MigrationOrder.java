package io.parvirt.hypervisor;

import io.parvirt.hypervisor.qmp.Qmp;
import java.util.function.Consumer;

/**
 * What the source of a live migration is told: where the target's QEMU listens ({@code tcp:HOST:PORT}),
 * the bandwidth the stream may take (bytes/s; QEMU's own default of 32 MiB/s would make a 1 GB guest
 * take half a minute on any link), the key of the TLS session that encrypts and authenticates the
 * stream (null: plain, for a stream that never leaves this host, e.g. a suspend's to its file), and
 * who hears each look at its progress.
 */
public record MigrationOrder(String uri, long maxBandwidth, StreamKey key, Consumer<Qmp.MigrationInfo> progress) {
    public MigrationOrder {
        if (!uri.startsWith("tcp:") && !uri.startsWith("unix:")) {
            throw new IllegalArgumentException("migration uri " + uri);
        }
    }
}
