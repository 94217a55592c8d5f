package io.parvirt.api;

import io.javalin.http.staticfiles.Location;
import io.javalin.http.staticfiles.StaticFileConfig;
import java.util.Map;

/**
 * The web console's files (package {@code io.parvirt.web}, resources under {@code /web} in the jar)
 * at {@code /}: public, since the login page must load before anyone is logged in; they hold no data.
 * {@code /vendor/} holds the third-party files, pinned with their licences (vendor/xterm/PINNED).
 */
final class WebPages {
    private WebPages() {
    }

    static void configure(StaticFileConfig s) {
        s.hostedPath = "/";
        s.directory = "/web";
        s.location = Location.CLASSPATH;
        // Only our own files run in the page; no other site may frame it (clickjacking on the buttons).
        // Styles may be inline: xterm.js writes its theme and cell sizes as a <style> element it makes;
        // scripts stay our own files only.
        s.headers = Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff",
                "Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                        + "frame-ancestors 'none'; form-action 'self'");
    }

    static boolean isPage(String path) {
        return path.equals("/") || path.equals("/index.html") || path.startsWith("/ui/") || path.startsWith("/vendor/") || path.equals("/favicon.ico");
    }

    /**
     * The console's pages mark their requests so (a header no other site's page can add without CORS);
     * an event stream cannot carry a header, and the feed is the console's own stream (a page opens it
     * before it knows whether it is logged in). Used only to leave out the Basic challenge.
     */
    static boolean isConsoleRequest(io.javalin.http.Context ctx) {
        return "parvirt-web".equals(ctx.header("X-Requested-With")) || isPage(ctx.path())
                || ctx.path().equals("/api/v1/feed");
    }
}
