package io.parvirt.vios.nbd;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A listening Unix socket only the server's own user may connect to: an export's socket and the
 * console socket.
 *
 * <p>The socket gets its permissions before its name: it is bound in a fresh {@code rwx------}
 * directory, set to {@code rw-------}, then renamed into place. Binding at the final path and
 * changing the mode afterwards would leave a moment in which the umask decides who may connect.
 *
 * <p>Where the daemon runs partitions' QEMU as an unprivileged user (issue 12), it makes the socket
 * directory setgid to that user's group: the socket is then born the group's and is {@code
 * rw-rw----}, so the clients' QEMU (and no one else) may connect.
 */
final class PrivateSocket {
    private PrivateSocket() {
    }

    /**
     * Binds {@code socket}, replacing whatever file is there: callers check {@link #isOtherFile}
     * and {@link #hasListener} first.
     */
    static ServerSocketChannel bind(Path socket) throws IOException {
        return bind(socket, sharedWithGroup(socket.getParent()));
    }

    /**
     * Binds {@code socket} for the server's own user alone, even in a directory shared with the
     * clients' group: the snapshot control socket, which no client QEMU may reach.
     */
    static ServerSocketChannel bindOwnerOnly(Path socket) throws IOException {
        return bind(socket, false);
    }

    private static ServerSocketChannel bind(Path socket, boolean group) throws IOException {
        Path staging = Files.createTempDirectory(socket.getParent(), ".nbd-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ServerSocketChannel server = null;
        try {
            Path staged = staging.resolve("s");
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(staged));
            Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString(group ? "rw-rw----" : "rw-------"));
            // rename(2) replaces a stale socket file atomically; a client never sees no file at all
            Files.move(staged, socket, StandardCopyOption.ATOMIC_MOVE);
            return server;
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // never served
                }
            }
            throw e;
        } finally {
            try {
                Files.deleteIfExists(staging.resolve("s"));
                Files.deleteIfExists(staging);
            } catch (IOException ignored) {
                // a leftover empty private directory
            }
        }
    }

    /** A setgid directory: what is made in it belongs to its group (set so by the daemon). */
    static boolean sharedWithGroup(Path dir) {
        try {
            return ((Integer) Files.getAttribute(dir, "unix:mode") & 02000) != 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Stops listening and removes the socket file; returns why the file could not be removed, or
     * null. A leftover file is harmless: the next {@link #bind} replaces it.
     */
    static IOException unbind(ServerSocketChannel server, Path socket) {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing either way
        }
        try {
            Files.deleteIfExists(socket);
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** Something other than a socket is at {@code path}: it is not ours to replace. */
    static boolean isOtherFile(Path path) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false; // nothing there
        }
        return !a.isOther();
    }

    /** A live server accepts on {@code path}; a refused connection means a crashed server's leftover. */
    static boolean hasListener(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return probe.isConnected();
        } catch (IOException stale) {
            return false;
        }
    }
}
