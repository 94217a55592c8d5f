package io.parvirt.api;

import static io.parvirt.api.ApiSupport.assertError;
import static io.parvirt.api.ApiSupport.json;
import static io.parvirt.api.ApiSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.SharedDaemon;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16: the web console's session over plain HTTP: login, the cookie's attributes, the CSRF
 * token every change needs, the same role checks as HTTP Basic, logout; and the create form's
 * validate-only call, which stores nothing and leaves no audit event.
 */
@Tag("daemon")
class SessionApiTest {
    @RegisterExtension
    static final SharedDaemon daemon = new SharedDaemon();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void users() {
        assertThat(daemon.hmc("mkhmcusr", "-u", "olivia", "-a", "hmcoperator", "--passwd", "operator1").exit()).isZero();
        assertThat(daemon.hmc("mkhmcusr", "-u", "victor", "-a", "hmcviewer", "--passwd", "viewer123").exit()).isZero();
    }

    record Login(String cookie, String csrf) {
    }

    static HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.get().port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static Login login(String user, String password) {
        HttpResponse<String> r = send("POST", "/api/v1/session", write(Map.of("user", user, "password", password)),
                Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/")
                .doesNotContain("Secure"); // plain HTTP on loopback: Secure is for https only
        return new Login(setCookie.substring(0, setCookie.indexOf(';')), json(r).path("csrf").asText());
    }

    @Test
    void aLoginAnswersTheRoleItsTasksAndACsrfTokenAndAWrongPasswordNothing() {
        HttpResponse<String> r = send("POST", "/api/v1/session", write(Map.of("user", "victor", "password", "viewer123")),
                Map.of());
        var s = json(r);
        assertThat(s.path("role").asText()).isEqualTo("hmcviewer");
        assertThat(s.path("tasks").toString()).isEqualTo("[\"LIST\",\"OWN_KEYS\"]");
        assertThat(s.path("csrf").asText()).hasSizeGreaterThanOrEqualTo(43);
        assertError(send("POST", "/api/v1/session", write(Map.of("user", "victor", "password", "nope")), Map.of()),
                401, "HSCL350B");
        assertError(send("POST", "/api/v1/session", "not json", Map.of()), 401, "HSCL350B");
    }

    @Test
    void aChangeWithTheCookieNeedsTheSessionsCsrfToken() {
        Login l = login("olivia", "operator1");
        String body = write(ApiSupport.partitionBody("sess1"));
        assertError(send("POST", "/api/v1/partitions", body, Map.of("Cookie", l.cookie())), 403, "HSCL350B");
        assertError(send("POST", "/api/v1/partitions", body, Map.of("Cookie", l.cookie(), "X-Parvirt-CSRF",
                login("olivia", "operator1").csrf())), 403, "HSCL350B");
        assertThat(daemon.api("GET", "/api/v1/partitions/sess1", null).statusCode()).as("nothing made").isEqualTo(404);
        HttpResponse<String> ok = send("POST", "/api/v1/partitions", body, Map.of("Cookie", l.cookie(),
                "X-Parvirt-CSRF", l.csrf()));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        // reads need no token: a GET changes nothing
        assertThat(send("GET", "/api/v1/partitions/sess1", null, Map.of("Cookie", l.cookie())).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aViewersSessionIsRefusedChangesLikeHisPassword() {
        Login l = login("victor", "viewer123");
        assertError(send("DELETE", "/api/v1/partitions/nosuch", null, Map.of("Cookie", l.cookie(), "X-Parvirt-CSRF",
                l.csrf())), 403, "HSCL350B");
        // the command line route answers as the CLI prints: the refusal and a non-zero exit code
        HttpResponse<String> cli = send("POST", "/api/v1/hmc/cli", write(Map.of("argv", List.of("chsyscfg", "-r",
                "sys", "-m", "sys1", "-i", "description=x"))), Map.of("Cookie", l.cookie(), "X-Parvirt-CSRF", l.csrf()));
        assertThat(cli.body()).startsWith("HSCL350B");
        assertThat(cli.headers().firstValue("X-Parvirt-Exit-Code")).isPresent().get().isNotEqualTo("0");
    }

    @Test
    void logoutEndsTheSessionOnTheServer() {
        Login l = login("olivia", "operator1");
        HttpResponse<String> out = send("DELETE", "/api/v1/session", null, Map.of("Cookie", l.cookie(),
                "X-Parvirt-CSRF", l.csrf()));
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0"));
        assertError(send("GET", "/api/v1/partitions", null, Map.of("Cookie", l.cookie())), 401, "HSCL350B");
    }

    @Test
    void theConsolesOwnRequestsGetNoBasicChallengeOthersDo() {
        // a challenge would make the browser put its password dialog in front of the console's login page
        var r = send("GET", "/api/v1/session", null, Map.of("X-Requested-With", "parvirt-web"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(send("GET", "/api/v1/session", null, Map.of()).headers().firstValue("WWW-Authenticate"))
                .isPresent();
        assertThat(send("GET", "/", null, Map.of()).statusCode()).as("the login page is public").isEqualTo(200);
    }

    @Test
    void validateOnlyAppliesMksyscfgsRulesStoresNothingAndLeavesNoAuditEvent() {
        String events = daemon.api("GET", "/api/v1/events", null).body();
        var bad = ApiSupport.partitionBody("check1").put("desired_mem", 512);
        assertError(daemon.api("POST", "/api/v1/partitions?validate=only", write(bad)), 400, "HSCL1304");
        HttpResponse<String> ok = daemon.api("POST", "/api/v1/partitions?validate=only",
                write(ApiSupport.partitionBody("check1")));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(daemon.api("GET", "/api/v1/partitions/check1", null).statusCode()).isEqualTo(404);
        assertThat(daemon.api("GET", "/api/v1/events", null).body()).isEqualTo(events);
        // a name in use is found as mksyscfg finds it
        assertThat(daemon.api("POST", "/api/v1/partitions", write(ApiSupport.partitionBody("check2"))).statusCode())
                .isEqualTo(201);
        assertThat(daemon.api("POST", "/api/v1/partitions?validate=only", write(ApiSupport.partitionBody("check2")))
                .statusCode()).isEqualTo(409);
    }

    /** How a console WebSocket ended: its close code and reason. */
    static String vtermClose(String cookie, String origin, String partition) {
        var closed = new java.util.concurrent.CompletableFuture<String>();
        var b = HTTP.newWebSocketBuilder().header("Cookie", cookie);
        if (origin != null) {
            b.header("Origin", origin);
        }
        b.buildAsync(URI.create("ws://127.0.0.1:" + daemon.get().port() + "/api/v1/partitions/" + partition + "/vterm"),
                new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int code,
                            String reason) {
                        closed.complete(code + " " + reason);
                        return null;
                    }

                    @Override
                    public void onError(java.net.http.WebSocket ws, Throwable error) {
                        closed.complete("error " + error);
                    }
                });
        return closed.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    @Test
    void theConsoleSocketTakesTheCookieOnlyFromThisOriginAndChecksTheConsoleRole() {
        assertThat(daemon.api("POST", "/api/v1/partitions", write(ApiSupport.partitionBody("term1"))).statusCode())
                .isEqualTo(201);
        String here = "http://127.0.0.1:" + daemon.get().port();
        // another site's page: the browser would send the cookie (were it not SameSite), the Origin gives it away
        assertThat(vtermClose(login("olivia", "operator1").cookie(), "http://evil.example", "term1"))
                .startsWith("4401");
        assertThat(vtermClose(login("olivia", "operator1").cookie(), null, "term1")).startsWith("4401");
        // a viewer may not see consoles (guests print secrets there): refused by the role table
        assertThat(vtermClose(login("victor", "viewer123").cookie(), here, "term1")).startsWith("4403")
                .contains("HSCL350B");
        // an operator gets as far as mkvterm would: this partition is not running
        assertThat(vtermClose(login("olivia", "operator1").cookie(), here, "term1")).startsWith("4403")
                .doesNotContain("HSCL350B");
    }
}
