package io.parvirt.hypervisor;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A suspended partition's saved state file, and the daemon's end of the stream QEMU writes it with
 * or reads it back from. QEMU's own migration stream is the format (RAM, then device state, ended
 * by QEMU's EOF section), so a resume is an incoming migration from the file.
 *
 * <p><b>Why a Unix socket through the daemon</b>, not a migration URI that names the file: QEMU 7.2
 * has no {@code file:} URI (8.2 added it); {@code exec:} needs a shell that QEMU's seccomp filter
 * (spawn denied, issue 12) does not let it start; {@code fd:} needs the descriptor passed over the
 * monitor with {@code SCM_RIGHTS}, which the JDK socket under {@code qmp.QmpClient} cannot send.
 * {@code unix:} is what the mobility path already speaks ({@link QemuMigration}, unchanged), and
 * with it the daemon, not the confined QEMU user, opens the file on VIOS storage, as an {@code fd:}
 * would have had it do; the cost is one copy through the daemon.
 *
 * <p><b>Never a half file.</b> The stream is written to {@code NAME.part}; only once QEMU has said
 * the stream completed and closed it is the file forced to disk and renamed to its name, and only
 * after that does the suspended record name it ({@link SavedStates}). A daemon killed before leaves
 * a {@code .part} that nothing reads and the next suspend of the partition replaces.
 */
final class StateFile {
    /**
     * The socket a suspend's stream comes in on, in the partition's run directory: while it is
     * there, a suspend was under way (a re-adopted QEMU found with its stream completed is let run
     * on, {@link QemuGuestRunner#paused}).
     */
    static final String SUSPEND_SOCKET = "suspend.sock";

    private StateFile() {
    }

    static Path partial(Path file) {
        return file.resolveSibling(file.getFileName() + ".part");
    }

    /**
     * Listens on {@code socket} (for QEMU's {@code migrate unix:SOCKET}; its group may connect when
     * it runs as {@code qemuUser}) and copies the one connection it takes into {@code file}'s
     * {@code .part}.
     */
    static Recording record(Path socket, Path file, String qemuUser) throws IOException {
        Files.deleteIfExists(socket);
        Files.createDirectories(file.getParent());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            if (qemuUser != null) {
                QemuUser.grant(qemuUser, socket, true);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        Recording r = new Recording(server, socket, file);
        Thread.ofVirtual().name("suspend-" + file.getFileName()).start(r::copy);
        return r;
    }

    /** The daemon's end of a suspend's stream: {@link #complete} once QEMU said it completed. */
    static final class Recording implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Path socket;
        private final Path file;
        private final CompletableFuture<Long> copied = new CompletableFuture<>();
        private volatile boolean placed;

        private Recording(ServerSocketChannel server, Path socket, Path file) {
            this.server = server;
            this.socket = socket;
            this.file = file;
        }

        private void copy() {
            try (SocketChannel in = server.accept();
                    FileChannel out = FileChannel.open(partial(file), StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1 << 20);
                long n = 0;
                while (in.read(buf) >= 0) { // -1: QEMU closed its end, the stream is over
                    buf.flip();
                    while (buf.hasRemaining()) {
                        n += out.write(buf);
                    }
                    buf.clear();
                }
                out.force(true);
                copied.complete(n);
            } catch (IOException | RuntimeException e) {
                copied.completeExceptionally(e);
            }
        }

        /**
         * After QEMU reported the stream completed: waits for it to close its end, then puts the
         * whole file in place under its name; returns its size.
         */
        long complete(Duration timeout) throws IOException {
            long n;
            try {
                n = copied.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IOException("the saved state could not be written: " + e.getCause().getMessage(),
                        e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("the saved state was not closed within " + timeout.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the saved state was written");
            }
            Files.move(partial(file), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            placed = true;
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true); // the rename itself survives a host crash
            }
            return n;
        }

        /** Stops listening; a stream that did not complete leaves only its {@code .part}, removed here. */
        @Override
        public void close() throws IOException {
            server.close();
            Files.deleteIfExists(socket);
            if (!placed) {
                copied.cancel(false);
                Files.deleteIfExists(partial(file));
            }
        }
    }

    /** Sends {@code file} whole to the QEMU listening on {@code socket} ({@code migrate-incoming unix:SOCKET}). */
    static void replay(Path socket, Path file) throws IOException {
        try (SocketChannel out = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            long n = 0;
            while (n < size) {
                n += in.transferTo(n, size - n, out);
            }
            out.shutdownOutput();
        }
    }
}
