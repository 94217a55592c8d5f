package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.TaskRoles;
import io.parvirt.hmc.TaskRoles.Task;
import io.parvirt.testing.InProcessSystem;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (roles): every HMC command and every route of the API, tried as a user of every task
 * role, is refused (HSCL350B, HTTP 403) exactly when the role's grants lack the task it needs.
 * The routes are walked with HTTP Basic and again through a web console's session (cookie and
 * CSRF token), and {@link #theMatrixHasEveryRoute} holds the list to what Routes.java registers.
 * In-process API over a real store; the daemon stop is a no-op here.
 */
@Tag("unit")
class RoleMatrixTest {
    /** Every route with its method and the task it needs (kept in step with Routes.java and AuthApiTest). */
    record Route(String method, String path, String body, Task task) {
    }

    static final List<Route> ROUTES = List.of(
            new Route("POST", "/api/v1/hmc/cli", "{\"argv\":[\"lssyscfg\",\"-r\",\"sys\"]}", Task.LIST),
            new Route("POST", "/api/v1/hmc/cli", "{\"argv\":[\"chsyscfg\",\"-r\",\"sys\",\"-m\",\"sys1\",\"-i\","
                    + "\"description=x\"]}", Task.CHANGE),
            new Route("GET", "/api/v1/daemon", null, Task.LIST),
            new Route("POST", "/api/v1/daemon/stop", null, Task.HOST),
            new Route("GET", "/api/v1/system", null, Task.LIST),
            new Route("PATCH", "/api/v1/system", "{\"description\":\"x\"}", Task.CHANGE),
            new Route("GET", "/api/v1/partitions", null, Task.LIST),
            new Route("POST", "/api/v1/partitions", "{\"name\":\"new1\"}", Task.CHANGE),
            new Route("GET", "/api/v1/partitions/web1", null, Task.LIST),
            new Route("PATCH", "/api/v1/partitions/web1", "{\"description\":\"x\"}", Task.CHANGE),
            new Route("DELETE", "/api/v1/partitions/nosuch", null, Task.CHANGE),
            new Route("GET", "/api/v1/partitions/web1/profiles", null, Task.LIST),
            new Route("POST", "/api/v1/partitions/web1/profiles", "{\"name\":\"p2\"}", Task.CHANGE),
            new Route("PATCH", "/api/v1/partitions/web1/profiles/default", "{\"min_mem\":256}", Task.CHANGE),
            new Route("DELETE", "/api/v1/partitions/web1/profiles/nosuch", null, Task.CHANGE),
            new Route("GET", "/api/v1/pools", null, Task.LIST),
            new Route("PATCH", "/api/v1/pools/SharedPool01", "{\"max_pool_proc_units\":1}", Task.CHANGE),
            new Route("GET", "/api/v1/hardware/proc", null, Task.LIST),
            new Route("GET", "/api/v1/events", null, Task.LIST),
            new Route("POST", "/api/v1/partitions/web1/exec", "{\"argv\":[\"true\"]}", Task.GUEST_EXEC),
            new Route("GET", "/api/v1/partitions/web1/console", null, Task.CONSOLE),
            new Route("GET", "/api/v1/memory", null, Task.LIST),
            new Route("GET", "/api/v1/dispatch", null, Task.LIST),
            new Route("GET", "/api/v1/vswitch/ports", null, Task.LIST),
            new Route("GET", "/api/v1/vscsi/devices", null, Task.LIST),
            new Route("GET", "/metrics", null, Task.LIST),
            new Route("GET", "/api/v1/session", null, Task.LIST),
            new Route("POST", "/api/v1/partitions?validate=only", "{\"name\":\"new1\"}", Task.CHANGE),
            new Route("POST", "/api/v1/partitions/web1/pause", null, Task.CHANGE),
            new Route("GET", "/api/v1/runstates", null, Task.LIST),
            new Route("GET", "/api/v1/sysprofs", null, Task.LIST),
            new Route("POST", "/api/v1/sysprofs/nope/activate?test=true", null, Task.CHANGE),
            new Route("GET", "/api/v1/templates", null, Task.LIST),
            new Route("POST", "/api/v1/templates/nope/deploy", "[{\"name\":\"x\"}]", Task.CHANGE),
            // issue 14: a migration's destination, asked by the source's daemon (as migrlpar)
            new Route("POST", "/api/v1/mobility/validate", "{}", Task.CHANGE),
            new Route("POST", "/api/v1/mobility/prepare", "{}", Task.CHANGE),
            new Route("POST", "/api/v1/mobility/complete", "{\"partition\":\"web1\",\"timeout_seconds\":1}",
                    Task.CHANGE),
            new Route("POST", "/api/v1/mobility/abort", "{\"partition\":\"nosuch\"}", Task.CHANGE),
            new Route("POST", "/api/v1/mobility/settle", "{\"partition\":\"nosuch\"}", Task.CHANGE),
            // what lslparmigr -r msp|procpool|virtualio asks of the destination (as lslparmigr)
            new Route("POST", "/api/v1/mobility/offer", "{}", Task.LIST),
            new Route("GET", "/api/v1/utilization/lpar", null, Task.LIST),
            // a web console's login and logout: any user, with its own password
            new Route("POST", "/api/v1/session", "{\"user\":\"@user\",\"password\":\"@password\"}", Task.LIST),
            new Route("DELETE", "/api/v1/session", null, Task.LIST),
            new Route("GET", "/api/v1/feed", null, Task.LIST),
            new Route("POST", "/api/v1/partitions/web1/resume", null, Task.CHANGE),
            new Route("POST", "/api/v1/partitions/web1/lparstate/suspend", null, Task.CHANGE),
            new Route("POST", "/api/v1/sysprofs", "{\"name\":\"sp1\",\"lpar_names\":\"web1\"}", Task.CHANGE),
            new Route("PATCH", "/api/v1/sysprofs/nope", "{\"lpar_names\":\"web1\"}", Task.CHANGE),
            new Route("DELETE", "/api/v1/sysprofs/nope", null, Task.CHANGE),
            new Route("POST", "/api/v1/profdata/backup?file=pd1", null, Task.CHANGE),
            new Route("POST", "/api/v1/profdata/restore?level=1&file=nope", null, Task.CHANGE),
            new Route("POST", "/api/v1/templates", "{\"name\":\"t1\"}", Task.CHANGE),
            new Route("DELETE", "/api/v1/templates/nope", null, Task.CHANGE),
            new Route("POST", "/api/v1/partitions/web1/backup?file=b1", null, Task.CHANGE),
            new Route("POST", "/api/v1/partitions/web1/clone?name=copy1", null, Task.CHANGE),
            new Route("POST", "/api/v1/backups/nope/restore?name=r1", null, Task.CHANGE),
            new Route("POST", "/api/v1/backups/nope/receive?name=r1", null, Task.CHANGE),
            new Route("POST", "/api/v1/partitions/web1/disks/d1/migrate?pool=pool1", null, Task.CHANGE),
            new Route("GET", "/api/v1/lparjobs", null, Task.LIST),
            new Route("DELETE", "/api/v1/lparjobs/99", null, Task.CHANGE),
            // parvirt's partition snapshots (issue 19): refused for lack of a VIOS disk or snapshot, once allowed
            new Route("GET", "/api/v1/lparsnaps", null, Task.LIST),
            new Route("GET", "/api/v1/partitions/web1/snapshots", null, Task.LIST),
            new Route("POST", "/api/v1/partitions/web1/snapshots?snapshot=s1", null, Task.CHANGE),
            new Route("POST", "/api/v1/partitions/web1/snapshots/nope/revert", null, Task.CHANGE),
            new Route("DELETE", "/api/v1/partitions/web1/snapshots/nope", null, Task.CHANGE),
            // the browser's console: a WebSocket, opened as mkvterm is (refused: closed with the HSCL line)
            new Route("WS", "/api/v1/partitions/web1/vterm", null, Task.CONSOLE));

    static final List<String> COMMANDS = List.of("bklpar", "bkprofdata", "chaccfg", "chhmcusr", "chhwres", "chlparstate",
            "chsyscfg", "chsysstate", "cplpar", "lsaccfg", "lscod", "lscodpool", "lshmc", "lshmcusr", "lshwres", "lsled", "lslic",
            "lslparjob", "lslparmigr", "lslparsnap", "lslparutil", "lsrefcode", "lsrunstate", "lssvcevents", "lssyscfg", "lssysconn",
            "migrdisk", "migrlpar", "mkaccfg", "mkauthkeys", "mkhmcusr", "mklparsnap", "mksyscfg", "mksysconn", "mkvterm", "monhmc", "rmaccfg",
            "rmhmcusr", "rmlparjob", "rmlparsnap", "rmsyscfg", "rmsysconn", "rmvterm", "rstlpar", "rstlparsnap", "rstprofdata", "rsthwres",
            "viosvrcmd");

    @TempDir
    Path dir;
    InProcessSystem system;
    Hmc hmc;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        system = new InProcessSystem(dir);
        hmc = system.hmc;
        system.ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=web1,profile_name=default,lpar_env=aixlinux,"
                + "min_mem=256,desired_mem=256,max_mem=256,min_procs=1,desired_procs=1,max_procs=1");
        for (String role : TaskRoles.ROLES) {
            system.ok("mkhmcusr", "-u", role + "1", "-a", role, "--passwd", "pass-" + role);
        }
    }

    @AfterEach
    void stop() {
        http.close();
        system.close();
    }

    @Test
    void everyCommandIsRefusedToExactlyTheRolesWithoutItsTask() {
        assertThat(COMMANDS).as("the commands this matrix covers are all the commands there are")
                .containsExactlyInAnyOrderElementsOf(io.parvirt.hmc.HmcVerbs.all());
        List<String> wrong = new ArrayList<>();
        for (String role : TaskRoles.ROLES) {
            for (String verb : COMMANDS) {
                HmcResult r = hmc.run(new HmcInvocation(List.of(verb), Map.of(), role + "1"));
                boolean refused = r.stdout().startsWith("HSCL350B ");
                if (refused == TaskRoles.allows(role, TaskRoles.taskOf(verb))) {
                    wrong.add(role + " " + verb + ": " + r.stdout().strip());
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyRouteIsRefusedToExactlyTheRolesWithoutItsTask() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String role : TaskRoles.ROLES) {
            Map<String, String> basic = Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString((role
                    + "1:pass-" + role).getBytes(StandardCharsets.UTF_8)));
            walk(role, basic, wrong);
        }
        assertThat(wrong).isEmpty();
    }

    /** The browser's session (issue 16) carries its user's role: the same rows hold for it. */
    @Test
    void everyRouteIsRefusedAlikeThroughAWebSession() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String role : TaskRoles.ROLES) {
            Answer login = send(route("POST", "/api/v1/session"), role, Map.of());
            assertThat(login.status()).as("%s logs in: %s", role, login.text()).isEqualTo(200);
            String cookie = login.cookie().substring(0, login.cookie().indexOf(';'));
            // a browser names its origin, which the console's socket checks for a cookie
            walk(role, Map.of("Cookie", cookie, WebSessions.CSRF_HEADER, ApiSupport.json(login.text()).path("csrf")
                    .asText(), "Origin", "http://127.0.0.1:" + system.apiPort()), wrong);
        }
        assertThat(wrong).isEmpty();
    }

    /** Every route the API registers (Routes.java, WebSockets included) is in this matrix. */
    @Test
    void theMatrixHasEveryRoute() throws Exception {
        Set<String> covered = new TreeSet<>();
        for (Route r : ROUTES) {
            covered.add(r.method().toLowerCase() + " " + template(r.path()));
        }
        Set<String> registered = new TreeSet<>();
        AuthApiTest.ROUTES.forEach((path, methods) -> methods.forEach(m -> registered.add(m + " " + path)));
        registered.remove("get /openapi.json"); // the one route without authentication (AuthApiTest)
        Matcher ws = Pattern.compile("\\br\\.ws\\(\"([^\"]+)\"").matcher(Files.readString(
                Path.of("src/main/java/io/parvirt/api/Routes.java")));
        while (ws.find()) {
            registered.add("ws " + ws.group(1));
        }
        assertThat(covered).containsAll(registered);
    }

    /** The route template a concrete path of this matrix stands for (AuthApiTest's keys, "ws" for sockets). */
    private static String template(String path) throws Exception {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        List<String> templates = new ArrayList<>(AuthApiTest.ROUTES.keySet());
        templates.add("/api/v1/partitions/{name}/vterm");
        for (String t : templates) {
            if (bare.matches(t.replaceAll("\\{[a-z]+\\}", "[^/]+"))) {
                return t;
            }
        }
        return bare;
    }

    private void walk(String role, Map<String, String> credentials, List<String> wrong) throws Exception {
        for (Route route : ROUTES) {
            if (route.method().equals("DELETE") && route.path().equals("/api/v1/session")) {
                continue; // ends the web session: walked last
            }
            check(role, route, credentials, wrong);
        }
        check(role, route("DELETE", "/api/v1/session"), credentials, wrong);
    }

    private void check(String role, Route route, Map<String, String> credentials, List<String> wrong)
            throws Exception {
        Answer r = send(route, role, credentials);
        boolean refused = r.status() == 403 || r.text().startsWith("HSCL350B ");
        assertThat(r.status()).as(role + " " + route + ": " + r.text()).isNotEqualTo(401).isLessThan(500);
        if (refused == TaskRoles.allows(role, route.task())) {
            wrong.add(role + " " + route.method() + " " + route.path() + ": " + r.status() + " " + r.text().strip());
        }
    }

    private static Route route(String method, String path) {
        return ROUTES.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).findFirst()
                .orElseThrow();
    }

    /** What a route answered: its status and body, or for a WebSocket the reason it was closed with. */
    record Answer(int status, String text, String cookie) {
    }

    private Answer send(Route route, String role, Map<String, String> headers) throws Exception {
        URI uri = URI.create((route.method().equals("WS") ? "ws" : "http") + "://127.0.0.1:" + system.apiPort()
                + route.path());
        if (route.method().equals("WS")) {
            return console(uri, headers);
        }
        String body = route.body() == null ? null : route.body().replace("@user", role + "1")
                .replace("@password", "pass-" + role);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).method(route.method(),
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            // the feed is a stream that does not end: its status says it all
            String text = r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream") ? ""
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Answer(r.statusCode(), text, r.headers().firstValue("Set-Cookie").orElse(""));
        }
    }

    private Answer console(URI uri, Map<String, String> headers) throws Exception {
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket.Builder b = http.newWebSocketBuilder();
        headers.forEach(b::header);
        WebSocket ws;
        try {
            ws = b.buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
                    closed.complete(reason);
                    return null;
                }
            }).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return new Answer(h.getResponse().statusCode(), String.valueOf(h.getResponse().body()), "");
            }
            throw e;
        }
        String reason = closed.get(60, TimeUnit.SECONDS);
        ws.abort();
        return new Answer(reason.equals("not authenticated") ? 401 : 101, reason, "");
    }
}
