package io.parvirt.hypervisor.qmp;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The listening half of a fake peer: a Unix socket served one client at a time, as QEMU serves a
 * chardev ({@code server=on}): a second client waits until the first has gone.
 */
public abstract class UnixPeer implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private volatile SocketChannel client;

    protected UnixPeer(Path socket) throws IOException {
        this.socket = socket;
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = Thread.ofVirtual().name("fake-" + socket.getFileName()).unstarted(this::acceptLoop);
    }

    /** Starts serving; subclasses call it once they are fully constructed. */
    protected final void serve() {
        acceptor.start();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                client = c;
                converse(c);
            } catch (IOException e) {
                // the client went away, or the peer was closed
            }
        }
    }

    /** One client's whole conversation; returns when it has gone. */
    protected abstract void converse(SocketChannel client) throws IOException;

    public Path socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        server.close();
        SocketChannel c = client;
        if (c != null) {
            c.close();
        }
        acceptor.interrupt();
        Files.deleteIfExists(socket);
    }
}
