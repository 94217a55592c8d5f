package io.parvirt.api;

import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.PowerCommand.OpenVterm;
import io.parvirt.hmc.command.PowerCommand.VtermMode;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /api/v1/partitions/{name}/vterm[?mode=view|take]}: the partition's serial console in the
 * browser, over a WebSocket. It opens the console exactly as {@code mkvterm} does (the same command,
 * the same role check) and relays bytes both ways between that socket and the browser: binary
 * frames of guest output, text frames of keystrokes (and the terminal's answers to the guest's
 * queries) to it. Without a mode the browser gets the keyboard if it is free and watches read-only
 * if not ({@code mkvterm --view}); {@code take} takes the keyboard over ({@code mkvterm --take}:
 * the holder is told and ends, as after rmvterm). The server's text frames are JSON: {@code
 * {"mode":"keyboard"|"view","holder":...}} when the session starts and {@code {"holder":...}} when
 * the keyboard changes hands through a browser. A WebSocket carries no CSRF header, so the session
 * cookie is taken only from a page of this origin (the Origin header), besides SameSite=Strict.
 */
final class VtermSocket {
    private final Hmc hmc;
    private final Auth auth;
    private final WebSessions sessions;
    private final Map<String, Session> open = new ConcurrentHashMap<>();

    private record Session(String partition, String user, boolean keyboard, SocketChannel channel, WsContext ctx) {
    }

    VtermSocket(Hmc hmc, Auth auth, WebSessions sessions) {
        this.hmc = hmc;
        this.auth = auth;
        this.sessions = sessions;
    }

    void configure(WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onMessage(ctx -> {
            Session s = open.get(ctx.sessionId());
            if (s != null && s.keyboard) { // a viewer's keys would be dropped by the console anyway
                ByteBuffer b = ByteBuffer.wrap(ctx.message().getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    s.channel.write(b);
                }
            }
        });
        ws.onClose(ctx -> close(ctx.sessionId()));
        ws.onError(ctx -> close(ctx.sessionId()));
    }

    private void connect(WsContext ctx) throws IOException {
        String user = user(ctx);
        if (user == null) {
            ctx.closeSession(4401, "not authenticated");
            return;
        }
        String name = ctx.pathParam("name");
        String asked = ctx.queryParam("mode");
        VtermMode mode = "view".equals(asked) ? VtermMode.VIEW : "take".equals(asked) ? VtermMode.TAKE
                : VtermMode.KEYBOARD;
        HmcResult r = open(name, mode, user);
        if (asked == null && r.error() != null) { // the keyboard is held (or refused): watch, if allowed
            HmcResult view = open(name, VtermMode.VIEW, user);
            if (view.error() == null) {
                mode = VtermMode.VIEW;
                r = view;
            }
        }
        if (r.error() != null || r.vterm() == null) {
            ctx.closeSession(4403, r.error() == null ? "no console" : r.error().line());
            return;
        }
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(r.vterm()));
        Session s = new Session(name, user, mode != VtermMode.VIEW, ch, ctx);
        open.put(ctx.sessionId(), s);
        // the holder as the console knows it (a browser, mkvterm or SSH), with where it came from
        String holder = s.keyboard ? holder(user) : hmc.vtermHolder(user, name).orElse("nobody");
        send(ctx, Json.MAPPER.createObjectNode().put("mode", s.keyboard ? "keyboard" : "view").put("holder", holder)
                .toString());
        if (s.keyboard) {
            String change = Json.MAPPER.createObjectNode().put("holder", holder).toString();
            open.values().stream().filter(o -> o != s && o.partition.equals(name)).forEach(o -> send(o.ctx, change));
        }
        Thread.ofVirtual().name("vterm-ws-" + name).start(() -> pump(ch, ctx));
    }

    /** The browser's own keyboard session, named as the console names it (its socket may not have attached yet). */
    private static String holder(String user) {
        return (user == null ? "the owner" : user) + ", the web console";
    }

    private HmcResult open(String name, VtermMode mode, String user) {
        return hmc.execute(new OpenVterm(hmc.system().definition().settings().name(), new PartitionRef.ByName(name),
                mode), user, "web");
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
            ctx.closeSession(1000, "ended");
        } catch (RuntimeException e) {
            // already closed
        }
    }

    private static void send(WsContext ctx, String text) {
        try {
            ctx.send(text);
        } catch (RuntimeException e) {
            // that browser is going; its close handler cleans up
        }
    }

    private void close(String id) {
        Session s = open.remove(id);
        if (s != null) {
            try {
                s.channel.close();
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
