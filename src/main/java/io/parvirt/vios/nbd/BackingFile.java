package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;

/**
 * An export's backing device while it is served: the file, its size (fixed when the export
 * opens) and the transmission flags the export advertises.
 *
 * <p>Each connection opens its own {@link FileChannel} ({@link #openChannel}). A FileChannel is
 * closed for every user when any thread blocked in it is interrupted, so sharing one would let a
 * stray interrupt on one connection break all of them. Separate descriptors of one file share the
 * page cache, and {@code fdatasync} on any of them makes every descriptor's completed writes
 * durable: that is what makes CAN_MULTI_CONN true (a FLUSH on one connection covers the writes
 * another connection was told were done).
 */
final class BackingFile implements AutoCloseable {
    final Export export;
    final long size;
    final int transmissionFlags;
    final Fallocate fallocate;
    /** A read-write device's snapshots and the lock its I/O holds; null for a read-only export (media). */
    final Overlay overlay;

    private BackingFile(Export export, long size, Fallocate fallocate, Overlay overlay) {
        this.export = export;
        this.size = size;
        this.fallocate = fallocate;
        this.overlay = overlay;
        this.transmissionFlags = export.readOnly()
                ? Protocol.FLAG_HAS_FLAGS | Protocol.FLAG_READ_ONLY | Protocol.FLAG_SEND_FLUSH | Protocol.FLAG_CAN_MULTI_CONN
                : Protocol.FLAG_HAS_FLAGS | Protocol.FLAG_SEND_FLUSH | Protocol.FLAG_SEND_FUA | Protocol.FLAG_SEND_TRIM
                        | Protocol.FLAG_SEND_WRITE_ZEROES | Protocol.FLAG_SEND_FAST_ZERO | Protocol.FLAG_CAN_MULTI_CONN;
    }

    static BackingFile open(Export export) {
        if (!Files.isRegularFile(export.file(), LinkOption.NOFOLLOW_LINKS)) {
            throw new NbdException(NbdException.Kind.BACKING_UNAVAILABLE, export.name(), export.file(),
                    "not a regular file", null);
        }
        BackingFile b;
        try (FileChannel ch = channel(export)) {
            // a read-only export of a device with snapshots still reads through its layers
            Overlay overlay = export.readOnly() && !Overlay.hasChain(export.file()) ? null
                    : Overlay.open(export.file(), !export.readOnly());
            b = new BackingFile(export, overlay == null ? ch.size() : overlay.size(),
                    export.readOnly() ? Fallocate.none() : Fallocate.open(export.file()), overlay);
        } catch (IOException e) {
            throw new NbdException(NbdException.Kind.BACKING_UNAVAILABLE, export.name(), export.file(),
                    String.valueOf(e.getMessage()), e);
        }
        return b;
    }

    /** A channel of the connection's own (read-only for a read-only export). */
    FileChannel openChannel() throws IOException {
        return channel(export);
    }

    private static FileChannel channel(Export export) throws IOException {
        return export.readOnly()
                ? FileChannel.open(export.file(), StandardOpenOption.READ)
                : FileChannel.open(export.file(), StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Makes every completed write durable; called when the export stops, so a stop loses nothing. */
    void sync() throws IOException {
        if (overlay != null && !overlay.isPlain()) {
            if (overlay.flush() != 0) {
                throw new IOException("flush of the top layer failed");
            }
        } else if (!export.readOnly()) {
            try (FileChannel ch = channel(export)) {
                ch.force(false);
            }
        }
    }

    @Override
    public void close() {
        fallocate.close();
        if (overlay != null) {
            try {
                overlay.close();
            } catch (IOException e) {
                // sync() came first and reported
            }
        }
    }
}
