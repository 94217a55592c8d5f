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
 * refresh EXPORT                →  ok                 (layers read again: another server wrote them, mobility)
 * move EXPORT RATE TARGET_FILE  →  ok                 (the copy runs on, RATE bytes/s at most, 0: no cap: {@link DiskMove})
 * move-status EXPORT            →  ok STATE COPIED TOTAL [REASON] | ok none
 * move-finish EXPORT            →  ok                 (synced: committed, the target is the disk now)
 * move-cancel EXPORT            →  ok                 (the target is deleted, the source served as before)
 * anything refused              →  error SENTENCE
 * </pre>
 */
public final class SnapshotControl implements AutoCloseable {
    private static final int MAX_LINE = 4096;

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
                case "refresh" -> {
                    if (w.length != 2) {
                        yield usage();
                    }
                    nbd.reread(w[1]);
                    yield "ok";
                }
                case "list" -> w.length == 2 ? ("ok " + list(nbd.snapshots(w[1]))).trim() : usage();
                case "move" -> {
                    String[] m = line.trim().split(" +", 4); // the path is the rest of the line
                    if (m.length != 4) {
                        yield usage();
                    }
                    nbd.move(m[1], Path.of(m[3]), Long.parseLong(m[2]));
                    yield "ok";
                }
                case "move-status" -> w.length == 2 ? nbd.moveOf(w[1]).map(SnapshotControl::status).orElse("ok none")
                        : usage();
                case "move-finish" -> {
                    if (w.length != 2) {
                        yield usage();
                    }
                    DiskMove m = nbd.moveOf(w[1]).orElse(null);
                    yield m != null && m.finish() ? "ok" : "error export " + w[1] + ": no synced move to finish"
                            + (m == null ? "" : " (" + m.state() + ")");
                }
                case "move-cancel" -> {
                    if (w.length != 2) {
                        yield usage();
                    }
                    DiskMove m = nbd.moveOf(w[1]).orElse(null);
                    yield m == null || m.cancel("cancelled") ? "ok" : "error export " + w[1] + ": the move is committed";
                }
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

    private static String status(DiskMove m) {
        return ("ok " + m.state() + " " + m.copiedBytes() + " " + m.totalBytes() + " " + m.reason().replace('\n', ' '))
                .trim();
    }

    private static String usage() {
        return "error requests are: snapshot EXPORT NAME MILLIS | revert EXPORT NAME | delete EXPORT NAME | list EXPORT"
                + " | refresh EXPORT | move EXPORT RATE TARGET | move-status EXPORT | move-finish EXPORT | move-cancel EXPORT";
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
