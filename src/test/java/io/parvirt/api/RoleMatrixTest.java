package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.HmcUsers;
import io.parvirt.hmc.TaskRoles;
import io.parvirt.hmc.TaskRoles.Task;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (roles): every HMC command and every route of the API, tried as a user of every task
 * role, is refused (HSCL350B, HTTP 403) exactly when the role's grants lack the task it needs.
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
            new Route("GET", "/metrics", null, Task.LIST),
            new Route("GET", "/api/v1/session", null, Task.LIST),
            new Route("POST", "/api/v1/partitions?validate=only", "{\"name\":\"new1\"}", Task.CHANGE));

    static final List<String> COMMANDS = List.of("chhwres", "chsyscfg", "chsysstate", "lscod", "lscodpool",
            "lshmc", "lshmcusr", "lshwres", "lsled", "lslic", "lslparutil", "lsrefcode", "lssvcevents", "lssyscfg",
            "mkauthkeys", "mkhmcusr", "mksyscfg", "mkvterm", "rmhmcusr", "rmsyscfg", "rmvterm", "viosvrcmd");

    @TempDir
    Path dir;
    SqliteStore store;
    Hmc hmc;
    ApiServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        store = new SqliteStore(dir.resolve("parvirt.db"));
        SystemSettings seed = new SystemSettings("sys1", 256, ProcUnits.parse("host.reserved_proc_units", "0"),
                1024, HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store, seed);
        HmcUsers users = new HmcUsers(store);
        hmc = new Hmc(sys, users);
        ok("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=web1,profile_name=default,lpar_env=aixlinux,"
                + "min_mem=256,desired_mem=256,max_mem=256,min_procs=1,desired_procs=1,max_procs=1");
        for (String role : TaskRoles.ROLES) {
            ok("mkhmcusr", "-u", role + "1", "-a", role, "--passwd", "pass-" + role);
        }
        server = new ApiServer(hmc, new Auth("t0k3n", "local:test", users), new InetSocketAddress("127.0.0.1", 0),
                dir.resolve("api.sock"), () -> { }).start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    void ok(String... argv) {
        HmcResult r = hmc.run(new HmcInvocation(List.of(argv), Map.of(), "local:test"));
        assertThat(r.exitCode()).as(r.stdout()).isZero();
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
            String basic = Base64.getEncoder().encodeToString((role + "1:pass-" + role)
                    .getBytes(StandardCharsets.UTF_8));
            for (Route route : ROUTES) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.tcpPort() + route.path())).header("Authorization", "Basic " + basic)
                        .method(route.method(), route.body() == null ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(route.body())).build(),
                        HttpResponse.BodyHandlers.ofString());
                boolean refused = r.statusCode() == 403 || r.body().startsWith("HSCL350B ");
                assertThat(r.statusCode()).as(role + " " + route).isNotEqualTo(401);
                if (refused == TaskRoles.allows(role, route.task())) {
                    wrong.add(role + " " + route.method() + " " + route.path() + ": " + r.statusCode() + " "
                            + r.body().strip());
                }
            }
        }
        assertThat(wrong).isEmpty();
    }
}
