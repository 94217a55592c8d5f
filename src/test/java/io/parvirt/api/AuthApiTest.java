package io.parvirt.api;

import static io.parvirt.api.ApiSupport.assertError;
import static io.parvirt.api.ApiSupport.json;
import static io.parvirt.api.ApiSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.it.SharedDaemon;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Who may call the API: the home's token, HMC users with HTTP Basic, and the public OpenAPI document. */
@Tag("daemon")
class AuthApiTest {
    /** Every route registered in Routes.register, with its methods (kept in step with Routes.java by hand). */
    static final Map<String, List<String>> ROUTES = new LinkedHashMap<>();

    static {
        ROUTES.put("/openapi.json", List.of("get"));
        ROUTES.put("/api/v1/hmc/cli", List.of("post"));
        ROUTES.put("/api/v1/daemon", List.of("get"));
        ROUTES.put("/api/v1/daemon/stop", List.of("post"));
        ROUTES.put("/api/v1/system", List.of("get", "patch"));
        ROUTES.put("/api/v1/partitions", List.of("get", "post"));
        ROUTES.put("/api/v1/partitions/{name}", List.of("get", "patch", "delete"));
        ROUTES.put("/api/v1/partitions/{name}/profiles", List.of("get", "post"));
        ROUTES.put("/api/v1/partitions/{name}/profiles/{profile}", List.of("patch", "delete"));
        ROUTES.put("/api/v1/pools", List.of("get"));
        ROUTES.put("/api/v1/pools/{name}", List.of("patch"));
        ROUTES.put("/api/v1/hardware/{resource}", List.of("get"));
        ROUTES.put("/api/v1/utilization/{resource}", List.of("get"));
        ROUTES.put("/api/v1/events", List.of("get"));
        ROUTES.put("/api/v1/partitions/{name}/exec", List.of("post"));
        ROUTES.put("/api/v1/partitions/{name}/console", List.of("get"));
        ROUTES.put("/api/v1/memory", List.of("get"));
        ROUTES.put("/api/v1/dispatch", List.of("get"));
        ROUTES.put("/api/v1/vswitch/ports", List.of("get"));
        ROUTES.put("/api/v1/vscsi/devices", List.of("get"));
        ROUTES.put("/metrics", List.of("get"));
        ROUTES.put("/api/v1/session", List.of("post", "get", "delete"));
        ROUTES.put("/api/v1/feed", List.of("get"));
        ROUTES.put("/api/v1/partitions/{name}/pause", List.of("post"));
        ROUTES.put("/api/v1/partitions/{name}/resume", List.of("post"));
        ROUTES.put("/api/v1/partitions/{name}/lparstate/{operation}", List.of("post"));
        ROUTES.put("/api/v1/runstates", List.of("get"));
        ROUTES.put("/api/v1/sysprofs", List.of("get", "post"));
        ROUTES.put("/api/v1/sysprofs/{sysprof}", List.of("patch", "delete"));
        ROUTES.put("/api/v1/sysprofs/{sysprof}/activate", List.of("post"));
        ROUTES.put("/api/v1/profdata/backup", List.of("post"));
        ROUTES.put("/api/v1/profdata/restore", List.of("post"));
        ROUTES.put("/api/v1/templates", List.of("get", "post"));
        ROUTES.put("/api/v1/templates/{template}", List.of("delete"));
        ROUTES.put("/api/v1/templates/{template}/deploy", List.of("post"));
        ROUTES.put("/api/v1/partitions/{name}/backup", List.of("post"));
        ROUTES.put("/api/v1/partitions/{name}/clone", List.of("post"));
        ROUTES.put("/api/v1/backups/{file}/restore", List.of("post"));
        ROUTES.put("/api/v1/backups/{file}/receive", List.of("post"));
        ROUTES.put("/api/v1/partitions/{name}/disks/{device}/migrate", List.of("post"));
        ROUTES.put("/api/v1/lparjobs", List.of("get"));
        ROUTES.put("/api/v1/lparjobs/{id}", List.of("delete"));
        ROUTES.put("/api/v1/lparsnaps", List.of("get"));
        ROUTES.put("/api/v1/partitions/{name}/snapshots", List.of("get", "post"));
        ROUTES.put("/api/v1/partitions/{name}/snapshots/{snapshot}", List.of("delete"));
        ROUTES.put("/api/v1/partitions/{name}/snapshots/{snapshot}/revert", List.of("post"));
        for (String step : List.of("validate", "prepare", "complete", "abort", "offer", "settle")) {
            ROUTES.put("/api/v1/mobility/" + step, List.of("post"));
        }
    }

    @RegisterExtension
    static final SharedDaemon daemon = new SharedDaemon();

    @BeforeAll
    static void users() {
        mkuser("alice", "hmcsuperadmin", "secret123");
    }

    private static HttpResponse<String> cli(String... argv) {
        return daemon.api("POST", "/api/v1/hmc/cli", write(Map.of("argv", List.of(argv))));
    }

    private static void mkuser(String name, String role, String password) {
        HttpResponse<String> r = cli("mkhmcusr", "-u", name, "-a", role, "--passwd", password);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Parvirt-Exit-Code")).as(r.body()).hasValue("0");
        assertThat(r.body()).isEmpty();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void assertUnauthorized(HttpResponse<String> r) {
        assertError(r, 401, "HSCL350B");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Basic"));
    }

    @Test
    void requestWithoutAuthorizationIs401Hscl350B() {
        String before = ApiSupport.partitions(daemon.get());
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, null));
        assertUnauthorized(daemon.request("POST", "/api/v1/partitions", write(ApiSupport.partitionBody("x")), null));
        assertUnauthorized(daemon.request("POST", "/api/v1/hmc/cli", "{\"argv\":[\"lssyscfg\",\"-r\",\"sys\"]}", null));
        // even an unknown path does not reveal anything without credentials
        assertUnauthorized(daemon.request("GET", "/api/v1/nothing-here", null, null));
        assertThat(ApiSupport.partitions(daemon.get())).isEqualTo(before);
    }

    @Test
    void wrongTokenIs401() {
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, "Bearer " + daemon.token() + "x"));
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, "Bearer "));
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, "Bearer wrong"));
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, "Token " + daemon.token()));
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, daemon.token()));
        // the right token works
        assertThat(daemon.request("GET", "/api/v1/partitions", null, "Bearer " + daemon.token()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void basicAuthForAnUnknownUserIs401() {
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, basic("mallory", "secret123")));
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, basic("", "secret123")));
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, "Basic not-base64!!"));
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, "Basic "
                + Base64.getEncoder().encodeToString("alice".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void hmcUserCreatedThroughTheCliLogsInWithBasicAuth() {
        HttpResponse<String> r = daemon.request("GET", "/api/v1/partitions", null, basic("alice", "secret123"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).isArray()).isTrue();
        // a second time (the remembered check) too
        assertThat(daemon.request("GET", "/api/v1/daemon", null, basic("alice", "secret123")).statusCode())
                .isEqualTo(200);
        HttpResponse<String> ls = cli("lshmcusr", "-F", "name:taskrole");
        assertThat(ls.body()).contains("alice:hmcsuperadmin");
    }

    @Test
    void wrongPasswordIs401() {
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, basic("alice", "secret124")));
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, basic("alice", "")));
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, basic("alice", "secret123 ")));
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, basic("ALICE", "secret123")));
        // after a right password, a wrong one is still refused (the remembered check is per password)
        assertThat(daemon.request("GET", "/api/v1/partitions", null, basic("alice", "secret123")).statusCode())
                .isEqualTo(200);
        assertUnauthorized(daemon.request("GET", "/api/v1/partitions", null, basic("alice", "secret12")));
    }

    @Test
    void removedUserCanNoLongerLogIn() {
        mkuser("bob", "hmcoperator", "bobpassword");
        assertThat(daemon.request("GET", "/api/v1/pools", null, basic("bob", "bobpassword")).statusCode())
                .isEqualTo(200);
        HttpResponse<String> rm = cli("rmhmcusr", "-u", "bob");
        assertThat(rm.headers().firstValue("X-Parvirt-Exit-Code")).as(rm.body()).hasValue("0");
        assertUnauthorized(daemon.request("GET", "/api/v1/pools", null, basic("bob", "bobpassword")));
    }

    /**
     * hmcviewer is the HMC's read-only role: it may list but not change. The code maps NOT_AUTHORIZED to
     * HSCL350B / 403, but no command checks a role.
     */
    @Test
    void viewerMayReadButNotChange() {
        mkuser("vic", "hmcviewer", "viewerpass");
        String viewer = basic("vic", "viewerpass");
        assertThat(daemon.request("GET", "/api/v1/partitions", null, viewer).statusCode()).isEqualTo(200);
        String before = ApiSupport.partitions(daemon.get());
        HttpResponse<String> r = daemon.request("POST", "/api/v1/partitions", write(ApiSupport.partitionBody("viewed")),
                viewer);
        assertThat(ApiSupport.partitions(daemon.get())).as("a viewer created a partition").isEqualTo(before);
        assertError(r, 403, "HSCL350B");
    }

    @Test
    void openApiDocumentNeedsNoAuthAndListsEveryRoute() {
        HttpResponse<String> r = daemon.request("GET", "/openapi.json", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("application/json"));
        JsonNode doc = json(r);
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        JsonNode paths = doc.path("paths");
        assertThat(paths.isObject()).isTrue();
        List<String> documented = new ArrayList<>();
        paths.fieldNames().forEachRemaining(documented::add);
        assertThat(documented).containsExactlyInAnyOrderElementsOf(ROUTES.keySet());
        for (var e : ROUTES.entrySet()) {
            List<String> methods = new ArrayList<>();
            paths.get(e.getKey()).fieldNames().forEachRemaining(m -> {
                if (List.of("get", "put", "post", "patch", "delete", "head", "options").contains(m)) {
                    methods.add(m);
                }
            });
            assertThat(methods).as("methods of %s", e.getKey()).containsExactlyInAnyOrderElementsOf(e.getValue());
        }
        // the document also describes how to authenticate
        assertThat(doc.path("components").path("securitySchemes").size()).isGreaterThanOrEqualTo(1);
        // a wrong credential does not block it either
        assertThat(daemon.request("GET", "/openapi.json", null, "Bearer wrong").statusCode()).isEqualTo(200);
    }

    /** The list above is the one in Routes.java: a route added there must be added here (and to openapi.json). */
    @Test
    void routeListIsTheOneRegisteredInRoutesJava() throws java.io.IOException {
        String src = java.nio.file.Files.readString(java.nio.file.Path.of("src/main/java/io/parvirt/api/Routes.java"));
        Map<String, List<String>> registered = new LinkedHashMap<>();
        var m = java.util.regex.Pattern.compile("\\br\\.(get|post|patch|delete|put|head)\\(\"([^\"]+)\"").matcher(src);
        while (m.find()) {
            registered.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(m.group(1));
        }
        assertThat(registered.keySet()).containsExactlyInAnyOrderElementsOf(ROUTES.keySet());
        registered.forEach((path, methods) -> assertThat(methods).as(path)
                .containsExactlyInAnyOrderElementsOf(ROUTES.get(path)));
    }

    @Test
    void everyDocumentedRouteRequiresAuthentication() {
        for (var e : ROUTES.entrySet()) {
            if (e.getKey().equals("/openapi.json")) {
                continue;
            }
            String path = e.getKey().replace("{name}", "x").replace("{profile}", "p").replace("{resource}", "mem")
                    .replace("{sysprof}", "s").replace("{template}", "t").replace("{file}", "f").replace("{id}", "1")
                    .replace("{operation}", "suspend").replace("{device}", "d").replace("{snapshot}", "s1");
            for (String m : e.getValue()) {
                HttpResponse<String> r = daemon.request(m.toUpperCase(), path, m.equals("get") || m.equals("delete")
                        ? null : "{}", null);
                assertThat(r.statusCode()).as("%s %s", m, path).isEqualTo(401);
            }
        }
        // and the daemon is still up (daemon/stop was refused)
        assertThat(daemon.api("GET", "/api/v1/daemon", null).statusCode()).isEqualTo(200);
    }
}
