package io.parvirt.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HsclCode;
import io.parvirt.hmc.TaskRoles;
import io.parvirt.model.ModelException;
import java.util.Set;

/**
 * The browser's login ({@code POST /api/v1/session}), who it is ({@code GET}) and logout
 * ({@code DELETE}), and the check every request carrying the session cookie passes: a live session,
 * and for a change the session's CSRF token in {@link WebSessions#CSRF_HEADER}. The user and role
 * are then the same as with HTTP Basic, so the same role checks apply (TaskRoles, in hmc).
 */
final class SessionRoutes {
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");
    private final Hmc hmc;
    private final Auth auth;
    /** A page's own timed requests carry this header: they do not renew the login (see {@link WebSessions#use}). */
    static final String BACKGROUND_HEADER = "X-Parvirt-Background";
    private final WebSessions sessions;
    private final Runnable ended;

    /** {@code ended}: told after a logout, so that what the session had open (its event streams) ends too. */
    SessionRoutes(Hmc hmc, Auth auth, WebSessions sessions, Runnable ended) {
        this.hmc = hmc;
        this.auth = auth;
        this.sessions = sessions;
        this.ended = ended;
    }

    /** A login needs no credentials but the ones in its body. */
    static boolean isLogin(Context ctx) {
        return ctx.path().equals("/api/v1/session") && ctx.method().name().equals("POST");
    }

    /** {@code {"user": ..., "password": ...}}: the session cookie and {@link #describe}'s answer. */
    void login(Context ctx) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(ctx.body());
        } catch (java.io.IOException e) {
            body = null;
        }
        String user = body == null ? "" : body.path("user").asText("");
        String password = body == null ? "" : body.path("password").asText("");
        var role = user.isEmpty() ? java.util.Optional.<String>empty()
                : auth.role(user, password, ctx.ip() == null || ctx.ip().isBlank() ? "unix" : ctx.ip());
        if (role.isEmpty()) {
            Routes.error(ctx, HsclCode.error(ModelException.of(ModelException.Kind.NOT_AUTHENTICATED,
                    "The user name or password is not correct.")));
            return;
        }
        WebSessions.Session s = sessions.open(user, role.get());
        ctx.header("Set-Cookie", cookie(ctx, s.id, -1));
        ctx.json(describe(s.user, s.role, s.csrf));
    }

    /** Who the caller is, what its role may do and (with a session) the CSRF token for its changes. */
    void describe(Context ctx) {
        WebSessions.Session s = ctx.attribute("session");
        String user = ctx.attribute("user");
        String role = s != null ? s.role : hmc.roleOf(user);
        ctx.json(describe(user, role, s == null ? null : s.csrf));
    }

    void logout(Context ctx) {
        WebSessions.Session s = ctx.attribute("session");
        if (s != null) {
            sessions.close(s.id);
            ended.run();
        }
        ctx.header("Set-Cookie", cookie(ctx, "", 0));
        ctx.status(204);
    }

    /** The cookie path of {@code Routes.authenticate}: a live session, and its token for any change. */
    void authenticate(Context ctx) {
        var s = sessions.use(ctx.cookie(WebSessions.COOKIE), ctx.header(BACKGROUND_HEADER) == null);
        if (s.isEmpty()) {
            ctx.header("Set-Cookie", cookie(ctx, "", 0));
            Routes.error(ctx, HsclCode.error(ModelException.of(ModelException.Kind.NOT_AUTHENTICATED,
                    "The session has ended (logged out or idle too long): log in again.")));
            ctx.skipRemainingHandlers();
            return;
        }
        if (!SAFE.contains(ctx.method().name()) && !s.get().csrfMatches(ctx.header(WebSessions.CSRF_HEADER))) {
            Routes.error(ctx, HsclCode.error(ModelException.of(ModelException.Kind.NOT_AUTHORIZED,
                    "The request does not carry its session's CSRF token (" + WebSessions.CSRF_HEADER
                            + "): reload the page.")));
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute("user", s.get().user);
        ctx.attribute("session", s.get());
    }

    private ObjectNode describe(String user, String role, String csrf) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("user", user == null ? "owner" : user).put("role", role);
        if (csrf != null) {
            o.put("csrf", csrf).put("idle_seconds", sessions.idle().toSeconds());
        }
        var tasks = o.putArray("tasks");
        for (TaskRoles.Task t : TaskRoles.Task.values()) {
            if (TaskRoles.allows(role, t)) {
                tasks.add(t.name());
            }
        }
        return o;
    }

    /**
     * HttpOnly: page scripts never see the id. SameSite=Strict: another site's page cannot make the
     * browser send it. Secure over https, so it never travels in clear once TLS is in use.
     */
    private static String cookie(Context ctx, String value, int maxAge) {
        return WebSessions.COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
                + (maxAge >= 0 ? "; Max-Age=" + maxAge : "") + (ctx.scheme().equals("https") ? "; Secure" : "");
    }
}
