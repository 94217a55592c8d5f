package io.parvirt.api;

import static io.parvirt.api.ApiSupport.json;
import static io.parvirt.api.ApiSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.it.RunningDaemon;
import io.parvirt.it.SharedDaemon;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12 (managed-resource roles): a user whose resource role holds partition rA sees only rA in
 * the HMC's listings and the API's, and is refused (HSCL350B / 403, nothing changed) on rB and on
 * the system; role changes apply to the next request; bad role input is refused with no change.
 * The HMC command line is sent as that user through the API's CLI route, as the CLI and SSH do.
 */
@Tag("daemon")
class ResourceRoleApiTest {
    @RegisterExtension
    static final SharedDaemon daemon = new SharedDaemon();
    static final String PW = "secret-op1";

    @BeforeAll
    static void setUp() {
        for (String n : List.of("rA", "rB")) {
            ok(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=" + n + ",profile_name=default,"
                    + "lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=256,min_procs=1,desired_procs=1,max_procs=1"));
        }
        ok(daemon.hmc("mkaccfg", "-t", "resourcerole", "-i", "name=onlyA,resources=lpar:root/ibmhscS1_0|" + id("rA")
                + "*" + mtms() + "|IBMHSC_Partition"));
        ok(daemon.hmc("mkhmcusr", "-i", "name=opA,taskrole=hmcoperator,resourcerole=onlyA,passwd=" + PW));
    }

    private static void ok(RunningDaemon.Hmc r) {
        assertThat(r.exit()).as(r.stdout()).isZero();
    }

    private static String id(String partition) {
        return daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=" + partition, "-F", "lpar_id")
                .stdout().strip();
    }

    private static String mtms() {
        return daemon.hmc("lssyscfg", "-r", "sys", "-F", "type_model,serial_num").stdout().strip().replace(',', '*');
    }

    private static HttpResponse<String> as(String method, String path, String body) {
        return daemon.request(method, path, body, "Basic " + Base64.getEncoder().encodeToString(("opA:" + PW)
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** An HMC command line as opA: its standard output; {@code exit} holds its exit code. */
    private static HttpResponse<String> cli(String... argv) {
        return as("POST", "/api/v1/hmc/cli", write(Map.of("argv", List.of(argv))));
    }

    private static String exit(HttpResponse<String> r) {
        return r.headers().firstValue("X-Parvirt-Exit-Code").orElse("?");
    }

    private static List<String> names(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode n : json(r)) {
            out.add(n.path("name").asText());
        }
        return out;
    }

    private static String everything() {
        return daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1").stdout() + daemon.hmc("lssyscfg", "-r", "prof",
                "-m", "sys1").stdout() + daemon.hmc("lsaccfg", "-t", "resourcerole").stdout()
                + daemon.hmc("lshmcusr").stdout();
    }

    @Test
    void listingsShowOnlyThePartitionsOfTheRole() {
        for (String[] cmd : List.of(new String[] {"lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name"},
                new String[] {"lssyscfg", "-r", "prof", "-m", "sys1", "-F", "lpar_name"},
                new String[] {"lshwres", "-r", "proc", "-m", "sys1", "--level", "lpar", "-F", "lpar_name"},
                new String[] {"lshwres", "-r", "mem", "-m", "sys1", "--level", "lpar", "-F", "lpar_name"},
                new String[] {"lsrefcode", "-r", "lpar", "-m", "sys1", "-F", "lpar_name"})) {
            HttpResponse<String> r = cli(cmd);
            assertThat(exit(r)).as(String.join(" ", cmd) + ": " + r.body()).isEqualTo("0");
            assertThat(r.body().lines().toList()).as(String.join(" ", cmd)).contains("rA").doesNotContain("rB");
        }
        assertThat(names(as("GET", "/api/v1/partitions", null))).contains("rA").doesNotContain("rB");
        assertThat(as("GET", "/api/v1/partitions/rB", null).statusCode()).isEqualTo(404);
        assertThat(as("GET", "/api/v1/partitions/rA", null).statusCode()).isEqualTo(200);
        // parvirt's whole-system figures name every partition: refused without the managed system
        for (String path : List.of("/api/v1/dispatch", "/api/v1/memory", "/api/v1/vswitch/ports", "/api/v1/vscsi/devices",
                "/metrics")) {
            assertThat(as("GET", path, null).statusCode()).as(path).isEqualTo(403);
            assertThat(daemon.api("GET", path, null).statusCode()).as(path).isEqualTo(200);
        }
        // the system itself stays listed: its name is what every command names with -m
        assertThat(cli("lssyscfg", "-r", "sys", "-F", "name").body()).isEqualTo("sys1\n");
        // console events: only the user's own
        cli("chsyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=rB,lpar_avail_priority=1");
        HttpResponse<String> events = as("GET", "/api/v1/events", null);
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(json(events).size()).isPositive();
        for (JsonNode e : json(events)) {
            assertThat(e.path("userid").asText()).isEqualTo("opA");
        }
    }

    @Test
    void changesOutsideTheRoleAreRefusedAndChangeNothing() {
        String before = everything();
        List<HttpResponse<String>> refused = List.of(
                cli("chsyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=rB,new_name=stolen"),
                cli("chsyscfg", "-r", "lpar", "-m", "sys1", "-i", "lpar_id=" + id("rB") + ",lpar_avail_priority=9"),
                cli("chsyscfg", "-r", "prof", "-m", "sys1", "-i", "name=default,lpar_name=rB,desired_mem=512"),
                cli("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "rB"),
                cli("chsysstate", "-r", "lpar", "-m", "sys1", "-o", "on", "--id", id("rB"), "-f", "default"),
                cli("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=rC,profile_name=default,lpar_env=aixlinux,"
                        + "min_mem=256,desired_mem=256,max_mem=256,min_procs=1,desired_procs=1,max_procs=1"),
                cli("chsyscfg", "-r", "sys", "-m", "sys1", "-i", "description=x"),
                cli("mkvterm", "-m", "sys1", "-p", "rB"));
        for (HttpResponse<String> r : refused) {
            assertThat(exit(r)).as(r.body()).isEqualTo("1");
            assertThat(r.body()).startsWith("HSCL350B ").contains("resource role").hasLineCount(1);
        }
        assertThat(as("PATCH", "/api/v1/partitions/rB", "{\"lpar_avail_priority\":9}").statusCode()).isEqualTo(403);
        assertThat(as("DELETE", "/api/v1/partitions/rB", null).statusCode()).isEqualTo(403);
        assertThat(as("GET", "/api/v1/partitions/rB/console", null).statusCode()).isEqualTo(403);
        assertThat(as("POST", "/api/v1/partitions/rB/exec", "{\"argv\":[\"true\"]}").statusCode()).isEqualTo(403);
        assertThat(as("POST", "/api/v1/partitions", write(ApiSupport.partitionBody("rD"))).statusCode()).isEqualTo(403);
        assertThat(everything()).isEqualTo(before);
        // the role's own partition: allowed
        HttpResponse<String> mine = cli("chsyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=rA,lpar_avail_priority=7");
        assertThat(exit(mine)).as(mine.body()).isEqualTo("0");
        assertThat(daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=rA", "-F",
                "lpar_avail_priority").stdout()).isEqualTo("7\n");
    }

    @Test
    void roleChangesApplyToTheNextRequest() {
        String b = "lpar:root/ibmhscS1_0|" + id("rB") + "*" + mtms() + "|IBMHSC_Partition";
        try {
            ok(daemon.hmc("chaccfg", "-t", "resourcerole", "-i", "name=onlyA,resources+=" + b));
            assertThat(names(as("GET", "/api/v1/partitions", null))).contains("rA", "rB");
            ok(daemon.hmc("chaccfg", "-t", "resourcerole", "-i", "name=onlyA,resources-=" + b));
            assertThat(names(as("GET", "/api/v1/partitions", null))).contains("rA").doesNotContain("rB");
            // ALL: is the HMC's predefined role of every resource
            ok(daemon.hmc("chhmcusr", "-i", "name=opA,resourcerole=ALL:"));
            assertThat(daemon.hmc("lshmcusr", "--filter", "names=opA", "-F", "resourcerole").stdout()).isEqualTo("ALL:\n");
            assertThat(names(as("GET", "/api/v1/partitions", null))).contains("rA", "rB");
        } finally {
            ok(daemon.hmc("chhmcusr", "-i", "name=opA,resourcerole=onlyA"));
        }
        assertThat(names(as("GET", "/api/v1/partitions", null))).contains("rA").doesNotContain("rB");
    }

    @Test
    void aPartitionIsGrantedByIdentityNotByItsNameOrId() {
        ok(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=rE,profile_name=default,lpar_env=aixlinux,"
                + "min_mem=256,desired_mem=256,max_mem=256,min_procs=1,desired_procs=1,max_procs=1"));
        ok(daemon.hmc("chaccfg", "-t", "resourcerole", "-i", "name=onlyA,resources+=lpar:rE"));
        assertThat(names(as("GET", "/api/v1/partitions", null))).contains("rE");
        ok(daemon.hmc("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "rE"));
        ok(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=rE,profile_name=default,lpar_env=aixlinux,"
                + "min_mem=256,desired_mem=256,max_mem=256,min_procs=1,desired_procs=1,max_procs=1"));
        assertThat(names(as("GET", "/api/v1/partitions", null))).doesNotContain("rE");
    }

    @Test
    void badRoleInputIsRefusedWithNoChange() {
        String before = everything();
        List<List<String>> bad = List.of(
                List.of("mkaccfg", "-t", "resourcerole", "-i", "name=r2,resources=lpar:root/ibmhscS1_0|999*" + mtms()
                        + "|IBMHSC_Partition"),
                List.of("mkaccfg", "-t", "resourcerole", "-i", "name=r2,resources=lpar:nosuch"),
                List.of("mkaccfg", "-t", "resourcerole", "-i", "name=r2,resources=cec:root/ibmhscS1_0|X-Y*Z"
                        + "|IBMHSC_ComputerSystem"),
                List.of("mkaccfg", "-t", "resourcerole", "-i", "name=r2,resources=disk:everything"),
                List.of("mkaccfg", "-t", "resourcerole", "-i", "name=onlyA,resources=lpar:rA"),
                List.of("mkaccfg", "-t", "resourcerole", "-i", "name=r2,resources=lpar:rA,parent=x"),
                List.of("mkaccfg", "-t", "taskrole", "-i", "name=t2,resources=cec:lssyscfg"),
                List.of("chaccfg", "-t", "resourcerole", "-i", "name=nosuch,resources=lpar:rA"),
                List.of("rmaccfg", "-t", "resourcerole", "-n", "onlyA"),
                List.of("rmaccfg", "-t", "resourcerole", "-n", "nosuch"),
                List.of("mkhmcusr", "-i", "name=opZ,taskrole=hmcviewer,resourcerole=nosuch,passwd=secret-opz"),
                List.of("chhmcusr", "-i", "name=opA,resourcerole=nosuch"),
                List.of("chhmcusr", "-i", "name=nobody,resourcerole=onlyA"));
        for (List<String> argv : bad) {
            RunningDaemon.Hmc r = daemon.hmc(argv.toArray(String[]::new));
            assertThat(r.exit()).as(argv + ": " + r.stdout()).isNotZero();
            assertThat(r.stdout()).as(argv.toString()).hasLineCount(1);
        }
        assertThat(daemon.hmc("rmaccfg", "-t", "resourcerole", "-n", "onlyA").stdout()).contains("opA");
        assertThat(everything()).isEqualTo(before);
        // an operator may list roles but not make them
        HttpResponse<String> mk = cli("mkaccfg", "-t", "resourcerole", "-i", "name=mine,resources=lpar:rA");
        assertThat(mk.body()).startsWith("HSCL350B ");
    }

    @Test
    void rolesAreListedInTheHmcForm() {
        assertThat(daemon.hmc("lsaccfg", "-t", "resourcerole", "--filter", "resourceroles=onlyA", "-F", "name,resources")
                .stdout()).startsWith("onlyA,lpar:root/ibmhscS1_0|" + id("rA") + "*" + mtms() + "|IBMHSC_Partition");
        assertThat(daemon.hmc("lsaccfg", "-t", "taskrole", "-F", "name").stdout().lines().toList())
                .containsExactly("hmcsuperadmin", "hmcoperator", "hmcpe", "hmcservicerep", "hmcviewer");
        assertThat(cli("lsaccfg", "-t", "taskrole", "--filter", "taskroles=hmcviewer").body())
                .startsWith("name=hmcviewer,").contains("lssyscfg").doesNotContain("chsyscfg");
    }
}
