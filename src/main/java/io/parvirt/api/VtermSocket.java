package io.parvirt.api;

import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.PowerCommand.OpenVterm;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /api/v1/partitions/{name}/vterm}: the partition's serial console in the browser, over a
 * WebSocket. It opens the console exactly as {@code mkvterm} does (the same command, the same role
 * check, the same one-session rule) and relays bytes both ways between the socket {@code mkvterm}
 * would attach to and the browser: binary frames from the guest, text frames of keystrokes to it.
 * A WebSocket carries no CSRF header, so the session cookie is taken only from a page of this
 * origin (the Origin header), besides SameSite=Strict.
 */
final class VtermSocket {
    private final Hmc hmc;
    private final Auth auth;
    private final WebSessions sessions;
    private final Map<String, SocketChannel> open = new ConcurrentHashMap<>();

    VtermSocket(Hmc hmc, Auth auth, WebSessions sessions) {
        this.hmc = hmc;
        this.auth = auth;
        this.sessions = sessions;
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            String user = user(ctx);
            if (user == null) {
                ctx.closeSession(4401, "not authenticated");
                return;
            }
            HmcResult r = hmc.execute(new OpenVterm(hmc.system().definition().settings().name(),
                    new PartitionRef.ByName(ctx.pathParam("name"))), user, "web");
            if (r.error() != null || r.vterm() == null) {
                ctx.closeSession(4403, r.error() == null ? "no console" : r.error().line());
                return;
            }
            SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(r.vterm()));
            open.put(ctx.sessionId(), ch);
            Thread.ofVirtual().name("vterm-ws-" + ctx.pathParam("name")).start(() -> pump(ch, ctx));
        });
        ws.onMessage(ctx -> {
            SocketChannel ch = open.get(ctx.sessionId());
            if (ch != null) {
                ByteBuffer b = ByteBuffer.wrap(ctx.message().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        });
        ws.onClose(ctx -> close(ctx.sessionId()));
        ws.onError(ctx -> close(ctx.sessionId()));
    }

    /** Guest output to the browser until either side goes. */
    private void pump(SocketChannel ch, WsContext ctx) {
        ByteBuffer b = ByteBuffer.allocate(8192);
        try {
            while (ch.read(b) >= 0) {
                b.flip();
                ByteBuffer copy = ByteBuffer.allocate(b.remaining()).put(b).flip();
                ctx.send(copy);
                b.clear();
            }
        } catch (IOException | RuntimeException e) {
            // the console or the browser went away
        }
        close(ctx.sessionId());
        try {
            ctx.closeSession();
        } catch (RuntimeException e) {
            // already closed
        }
    }

    private void close(String id) {
        SocketChannel ch = open.remove(id);
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    /** The session cookie (from a page of this origin), or the API's own credentials. */
    private String user(WsContext ctx) {
        String cookie = ctx.cookie(WebSessions.COOKIE);
        if (cookie != null) {
            String origin = ctx.header("Origin");
            String host = ctx.header("Host");
            if (origin == null || host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host))) {
                return null;
            }
            return sessions.use(cookie).map(s -> s.user).orElse(null);
        }
        return auth.user(ctx.header("Authorization"), "ws").orElse(null);
    }
}
