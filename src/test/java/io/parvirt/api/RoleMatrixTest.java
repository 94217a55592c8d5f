package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.TaskRoles;
import io.parvirt.hmc.TaskRoles.Task;
import io.parvirt.testing.InProcessSystem;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
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
            // what lslparmigr -r msp|procpool|virtualio asks of the destination (as lslparmigr)
            new Route("POST", "/api/v1/mobility/offer", "{}", Task.LIST));

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
            for (Route route : ROUTES) {
                HttpResponse<String> r = system.sendAs(role + "1", "pass-" + role, route.method(), route.path(),
                        route.body());
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
