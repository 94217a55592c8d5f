package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How the host daemon asks the running storage server for snapshots of the devices it serves
 * (the server process holds their layers open; nobody else may change them while it does): a
 * Unix socket ({@code rw-------}, given its mode before its name), one request line, one reply
 * line, then the connection closes. Requests are handled one at a time, in order.
 *
 * <pre>
 * snapshot EXPORT NAME MILLIS   →  ok PAUSE_NS        (the clients' I/O waited PAUSE_NS)
 * revert EXPORT NAME            →  ok
 * delete EXPORT NAME            →  ok
 * list EXPORT                   →  ok [NAME:MILLIS ...]
 * anything refused              →  error SENTENCE
 * </pre>
 */
public final class SnapshotControl implements AutoCloseable {
    private static final int MAX_LINE = 512;

    private final Path path;
    private final ServerSocketChannel server;
    private final NbdServer nbd;
    private final Thread loop;
    private volatile boolean closing;

    private SnapshotControl(Path path, ServerSocketChannel server, NbdServer nbd) {
        this.path = path;
        this.server = server;
        this.nbd = nbd;
        this.loop = Thread.ofVirtual().name("nbd-snapshot-control").unstarted(this::serve);
    }

    static SnapshotControl open(Path path, NbdServer nbd) throws IOException {
        Path abs = path.toAbsolutePath();
        if (PrivateSocket.isOtherFile(abs) || PrivateSocket.hasListener(abs)) {
            throw new IOException("control socket " + abs + ": in use or not a socket");
        }
        SnapshotControl c = new SnapshotControl(abs, PrivateSocket.bindOwnerOnly(abs), nbd);
        c.loop.start();
        return c;
    }

    /** Sends one request; the reply after {@code ok} (may be empty), or an IOException with the server's sentence. */
    public static String call(Path socket, String... words) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer req = StandardCharsets.UTF_8.encode(String.join(" ", words) + "\n");
            while (req.hasRemaining()) {
                ch.write(req);
            }
            String reply = readLine(ch);
            if (reply == null) {
                throw new IOException("the storage server closed the control socket without a reply");
            }
            if (reply.equals("ok") || reply.startsWith("ok ")) {
                return reply.length() > 3 ? reply.substring(3) : "";
            }
            throw new IOException(reply.startsWith("error ") ? reply.substring(6) : reply);
        }
    }

    private void serve() {
        while (!closing) {
            try (SocketChannel ch = server.accept()) {
                String line = readLine(ch);
                String reply = line == null ? "error no request" : answer(line);
                ByteBuffer b = StandardCharsets.UTF_8.encode(reply + "\n");
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // that client went; the next one is served
            }
        }
    }

    String answer(String line) {
        String[] w = line.trim().split(" +");
        try {
            return switch (w[0]) {
                case "snapshot" -> w.length == 4 ? "ok " + nbd.snapshot(w[1], w[2], Long.parseLong(w[3])) : usage();
                case "revert" -> {
                    if (w.length != 3) {
                        yield usage();
                    }
                    nbd.revert(w[1], w[2]);
                    yield "ok";
                }
                case "delete" -> {
                    if (w.length != 3) {
                        yield usage();
                    }
                    nbd.deleteSnapshot(w[1], w[2]);
                    yield "ok";
                }
                case "list" -> w.length == 2 ? ("ok " + list(nbd.snapshots(w[1]))).trim() : usage();
                default -> usage();
            };
        } catch (NbdException e) {
            return "error export " + e.export() + ": " + e.reason();
        } catch (IOException | RuntimeException e) {
            return "error " + String.valueOf(e.getMessage()).replace('\n', ' ');
        }
    }

    private static String list(List<OverlayChain.Snapshot> snapshots) {
        return snapshots.stream().map(s -> s.name() + ":" + s.createdMillis()).collect(Collectors.joining(" "));
    }

    private static String usage() {
        return "error requests are: snapshot EXPORT NAME MILLIS | revert EXPORT NAME | delete EXPORT NAME | list EXPORT";
    }

    private static String readLine(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(MAX_LINE);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                return null;
            }
            for (int i = 0; i < b.position(); i++) {
                if (b.get(i) == '\n') {
                    return new String(b.array(), 0, i, StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        closing = true;
        PrivateSocket.unbind(server, path);
    }
}
