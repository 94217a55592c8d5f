package io.parvirt.api;

import static io.parvirt.api.ApiSupport.assertError;
import static io.parvirt.api.ApiSupport.json;
import static io.parvirt.api.ApiSupport.keys;
import static io.parvirt.api.ApiSupport.partitionBody;
import static io.parvirt.api.ApiSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parvirt.it.SharedDaemon;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /api/v1/partitions and their profiles over HTTP against a real daemon. */
@Tag("daemon")
class PartitionApiTest {
    @RegisterExtension
    static final SharedDaemon daemon = new SharedDaemon();

    private static HttpResponse<String> create(String name) {
        HttpResponse<String> r = daemon.api("POST", "/api/v1/partitions", write(partitionBody(name)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return r;
    }

    /** Every partition listing and every partition's profiles, as the API serves them. */
    private static String snapshot() {
        StringBuilder s = new StringBuilder(ApiSupport.partitions(daemon.get()));
        for (JsonNode p : json(s.toString())) {
            HttpResponse<String> r = daemon.api("GET", "/api/v1/partitions/" + p.get("name").asText() + "/profiles",
                    null);
            s.append('\n').append(r.statusCode()).append(' ').append(r.body());
        }
        HttpResponse<String> pools = daemon.api("GET", "/api/v1/pools", null);
        return s.append('\n').append(pools.body()).toString();
    }

    /** Sends a request that must be rejected and checks that nothing at all changed. */
    private static JsonNode rejected(String method, String path, String body, int status, String code) {
        String before = snapshot();
        HttpResponse<String> r = daemon.api(method, path, body);
        JsonNode e = assertError(r, status, code);
        assertThat(snapshot()).as("state after rejected %s %s %s", method, path, body).isEqualTo(before);
        return e;
    }

    @Test
    void createdPartitionIsListedInHmcAttributeOrderAsNotActivated() {
        HttpResponse<String> r = create("web01");
        assertThat(json(r).path("ok").asBoolean()).isTrue();

        JsonNode list = json(ApiSupport.partitions(daemon.get()));
        JsonNode web = null;
        for (JsonNode p : list) {
            assertThat(keys(p).subList(0, 4)).containsExactly("name", "lpar_id", "lpar_env", "state");
            if (p.get("name").asText().equals("web01")) {
                web = p;
            }
        }
        assertThat(web).as("web01 in %s", list).isNotNull();
        assertThat(web.get("state").asText()).isEqualTo("Not Activated");
        assertThat(web.get("lpar_env").asText()).isEqualTo("aixlinux");
        assertThat(web.get("default_profile").asText()).isEqualTo("default");
        assertThat(web.get("lpar_id").asInt()).isPositive();

        HttpResponse<String> one = daemon.api("GET", "/api/v1/partitions/web01", null);
        assertThat(one.statusCode()).isEqualTo(200);
        JsonNode o = json(one);
        assertThat(keys(o).subList(0, 4)).containsExactly("name", "lpar_id", "lpar_env", "state");
        assertThat(o).isEqualTo(web);
        // all values are strings, as on the HMC command line
        o.fields().forEachRemaining(f -> assertThat(f.getValue().isTextual()).as(f.getKey()).isTrue());
    }

    @Test
    void profileShowsTheVirtualEthernetAdaptersAndTheElementWithCommasRoundTrips() {
        create("prof01");
        HttpResponse<String> r = daemon.api("GET", "/api/v1/partitions/prof01/profiles", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode profs = json(r);
        assertThat(profs).hasSize(1);
        JsonNode p = profs.get(0);
        assertThat(keys(p).subList(0, 3)).containsExactly("name", "lpar_name", "lpar_id");
        assertThat(p.get("name").asText()).isEqualTo("default");
        assertThat(p.get("lpar_name").asText()).isEqualTo("prof01");
        assertThat(p.get("desired_mem").asText()).isEqualTo("2048");
        assertThat(p.get("min_proc_units").asText()).isEqualTo("0.1");
        assertThat(p.get("desired_proc_units").asText()).isEqualTo("0.5");
        assertThat(p.get("max_proc_units").asText()).isEqualTo("2.0");
        assertThat(p.get("sharing_mode").asText()).isEqualTo("uncap");
        String eth = p.get("virtual_eth_adapters").asText();
        // An HMC list: the element holding commas is quoted (CSV), the other is not.
        assertThat(eth).startsWith("2/0/1//0/0").contains("\"3/1/10/20,30/0/1");

        // Round trip: feed the listed value back as a list of elements and nothing changes.
        List<String> elements = splitHmcList(eth);
        assertThat(elements).hasSize(2);
        assertThat(elements.get(1)).startsWith("3/1/10/20,30/0/1");
        ObjectNode again = ApiSupport.JSON.createObjectNode();
        again.putArray("virtual_eth_adapters").add(elements.get(0)).add(elements.get(1));
        HttpResponse<String> ch = daemon.api("PATCH", "/api/v1/partitions/prof01/profiles/default", write(again));
        assertThat(ch.statusCode()).as(ch.body()).isEqualTo(200);
        JsonNode after = json(daemon.api("GET", "/api/v1/partitions/prof01/profiles", null).body()).get(0);
        assertThat(after).isEqualTo(p);
    }

    /** Splits an HMC list value {@code a,"b,c"} (CSV with "" escapes) into its elements. */
    private static List<String> splitHmcList(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean q = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                if (q && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    q = !q;
                }
            } else if (c == ',' && !q) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    @Test
    void patchPartitionRenamesAndChangesAvailabilityPriority() {
        create("ren01");
        HttpResponse<String> r = daemon.api("PATCH", "/api/v1/partitions/ren01",
                "{\"new_name\":\"ren02\",\"lpar_avail_priority\":200}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertError(daemon.api("GET", "/api/v1/partitions/ren01", null), 404, "HSCL8012");
        HttpResponse<String> g = daemon.api("GET", "/api/v1/partitions/ren02", null);
        assertThat(g.statusCode()).isEqualTo(200);
        assertThat(json(g).get("lpar_avail_priority").asText()).isEqualTo("200");
        assertThat(json(daemon.api("GET", "/api/v1/partitions/ren02/profiles", null).body()).get(0)
                .get("lpar_name").asText()).isEqualTo("ren02");
    }

    @Test
    void patchProfileChangesDesiredMemory() {
        create("mem01");
        HttpResponse<String> r = daemon.api("PATCH", "/api/v1/partitions/mem01/profiles/default",
                "{\"desired_mem\":3072}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode p = json(daemon.api("GET", "/api/v1/partitions/mem01/profiles", null).body()).get(0);
        assertThat(p.get("desired_mem").asText()).isEqualTo("3072");
        assertThat(p.get("min_mem").asText()).isEqualTo("1024");
        assertThat(p.get("max_mem").asText()).isEqualTo("4096");
    }

    @Test
    void secondProfileIsCreatedAndDeletedWhileTheDefaultStays() {
        create("prf01");
        ObjectNode b = partitionBody("extra");
        b.remove("profile_name");
        b.remove("lpar_env");
        HttpResponse<String> c = daemon.api("POST", "/api/v1/partitions/prf01/profiles", write(b));
        assertThat(c.statusCode()).as(c.body()).isEqualTo(201);
        JsonNode profs = json(daemon.api("GET", "/api/v1/partitions/prf01/profiles", null).body());
        assertThat(profs).hasSize(2);
        assertThat(profs.findValuesAsText("name")).containsExactlyInAnyOrder("default", "extra");

        HttpResponse<String> del = daemon.api("DELETE", "/api/v1/partitions/prf01/profiles/extra", null);
        assertThat(del.statusCode()).as(del.body()).isEqualTo(204);
        assertThat(del.body()).isEmpty();
        profs = json(daemon.api("GET", "/api/v1/partitions/prf01/profiles", null).body());
        assertThat(profs.findValuesAsText("name")).containsExactly("default");

        // deleting it again: the profile is gone
        rejected("DELETE", "/api/v1/partitions/prf01/profiles/extra", null, 404, "HSCL8013");
        // the default profile cannot be deleted
        JsonNode e = rejected("DELETE", "/api/v1/partitions/prf01/profiles/default", null, 409, "HSCL130C");
        assertThat(e.path("message").asText()).contains("default");
    }

    @Test
    void deletedPartitionIsGone() {
        create("del01");
        HttpResponse<String> r = daemon.api("DELETE", "/api/v1/partitions/del01", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertError(daemon.api("GET", "/api/v1/partitions/del01", null), 404, "HSCL8012");
        assertError(daemon.api("GET", "/api/v1/partitions/del01/profiles", null), 404, "HSCL8012");
        assertThat(json(ApiSupport.partitions(daemon.get())).findValuesAsText("name")).doesNotContain("del01");
        // the name is free again
        create("del01");
    }

    @Test
    void unknownAttributeIsRejectedWithHscl1301() {
        ObjectNode b = partitionBody("bad01");
        b.put("frobnication_level", 3);
        JsonNode e = rejected("POST", "/api/v1/partitions", write(b), 400, "HSCL1301");
        assertThat(e.get("message").asText()).contains("frobnication_level");
    }

    @Test
    void minimumAboveDesiredIsRejectedWithHscl1304() {
        ObjectNode b = partitionBody("bad02");
        b.put("min_mem", 4096).put("desired_mem", 2048).put("max_mem", 4096);
        rejected("POST", "/api/v1/partitions", write(b), 400, "HSCL1304");
        ObjectNode c = partitionBody("bad02");
        c.put("min_procs", 3);
        rejected("POST", "/api/v1/partitions", write(c), 400, "HSCL1304");
    }

    @Test
    void memoryThatIsNotAMultipleOfTheLmbIsRejectedWithHscl1305() {
        ObjectNode b = partitionBody("bad03");
        b.put("desired_mem", 2000);
        rejected("POST", "/api/v1/partitions", write(b), 400, "HSCL1305");
    }

    @Test
    void duplicateNameIsRejectedWith409Hscl1308() {
        create("dup01");
        rejected("POST", "/api/v1/partitions", write(partitionBody("dup01")), 409, "HSCL1308");
        create("dup02");
        rejected("PATCH", "/api/v1/partitions/dup02", "{\"new_name\":\"dup01\"}", 409, "HSCL1308");
    }

    @Test
    void missingPartitionIs404Hscl8012OnEveryRoute() {
        rejected("GET", "/api/v1/partitions/nosuch", null, 404, "HSCL8012");
        rejected("PATCH", "/api/v1/partitions/nosuch", "{\"lpar_avail_priority\":1}", 404, "HSCL8012");
        rejected("DELETE", "/api/v1/partitions/nosuch", null, 404, "HSCL8012");
        rejected("GET", "/api/v1/partitions/nosuch/profiles", null, 404, "HSCL8012");
        rejected("POST", "/api/v1/partitions/nosuch/profiles", "{\"name\":\"p\",\"min_mem\":1024,"
                + "\"desired_mem\":1024,\"max_mem\":1024}", 404, "HSCL8012");
        rejected("PATCH", "/api/v1/partitions/nosuch/profiles/default", "{\"desired_mem\":1024}", 404, "HSCL8012");
        rejected("DELETE", "/api/v1/partitions/nosuch/profiles/default", null, 404, "HSCL8012");
    }

    @Test
    void nestedObjectValueIsRejected() {
        ObjectNode b = partitionBody("bad04");
        b.putObject("desired_mem").put("mb", 2048);
        rejected("POST", "/api/v1/partitions", write(b), 400, null);
        ObjectNode c = partitionBody("bad04");
        c.putArray("virtual_eth_adapters").addObject().put("slot", 2);
        rejected("POST", "/api/v1/partitions", write(c), 400, null);
        ObjectNode n = partitionBody("bad04");
        n.putNull("uncap_weight");
        rejected("POST", "/api/v1/partitions", write(n), 400, null);
    }

    @Test
    void malformedJsonIsRejected() {
        String valid = write(partitionBody("bad05"));
        rejected("POST", "/api/v1/partitions", valid.substring(0, valid.length() / 2), 400, null);
        rejected("POST", "/api/v1/partitions", "{name: bad05}", 400, null);
        rejected("POST", "/api/v1/partitions", "[\"name\",\"bad05\"]", 400, null);
        rejected("POST", "/api/v1/partitions", "\"name=bad05\"", 400, null);
    }

    /** Text after the JSON object makes the body invalid JSON; it must not be half-read and acted on. */
    @Test
    void trailingContentAfterTheJsonObjectIsRejected() {
        String valid = write(partitionBody("bad07"));
        rejected("POST", "/api/v1/partitions", valid + "}", 400, null);
        rejected("POST", "/api/v1/partitions", valid + " {\"name\":\"bad07b\"}", 400, null);
        rejected("POST", "/api/v1/hmc/cli", "{\"argv\":[\"lssyscfg\",\"-r\",\"sys\"]}]", 400, null);
    }

    @Test
    void duplicateJsonKeyIsRejected() {
        String valid = write(partitionBody("bad06"));
        String dup = "{\"name\":\"bad06\"," + valid.substring(1);
        rejected("POST", "/api/v1/partitions", dup, 400, null);
        String dup2 = valid.substring(0, valid.length() - 1) + ",\"desired_mem\":2048}";
        rejected("POST", "/api/v1/partitions", dup2, 400, null);
    }

    @Test
    void selectorFromThePathMayNotBeRepeatedInTheBody() {
        create("sel01");
        rejected("PATCH", "/api/v1/partitions/sel01", "{\"name\":\"sel01\",\"lpar_avail_priority\":9}", 400, null);
        rejected("PATCH", "/api/v1/partitions/sel01/profiles/default", "{\"lpar_name\":\"sel01\",\"desired_mem\":1024}",
                400, null);
    }

    @Test
    void invalidChangesToAnExistingPartitionLeaveItUnchanged() {
        create("chg01");
        rejected("PATCH", "/api/v1/partitions/chg01/profiles/default", "{\"desired_mem\":8192}", 400, "HSCL1304");
        rejected("PATCH", "/api/v1/partitions/chg01/profiles/default", "{\"desired_mem\":3000}", 400, "HSCL1305");
        rejected("PATCH", "/api/v1/partitions/chg01/profiles/default", "{\"desired_mem\":3072,\"bogus\":1}", 400,
                "HSCL1301");
        rejected("PATCH", "/api/v1/partitions/chg01", "{\"new_name\":\"chg02\",\"bogus\":1}", 400, "HSCL1301");
        rejected("PATCH", "/api/v1/partitions/chg01/profiles/nosuch", "{\"desired_mem\":1024}", 404, "HSCL8013");
    }

    /** A number too large for a double (1e400) is a bad value (400), not a server error. */
    @Test
    void numberBeyondDoubleRangeIsRejectedAs400() {
        create("num01");
        rejected("PATCH", "/api/v1/partitions/num01", "{\"lpar_avail_priority\":1e400}", 400, null);
        rejected("PATCH", "/api/v1/partitions/num01/profiles/default", "{\"desired_mem\":1.8e308}", 400, null);
        String body = write(partitionBody("num02")).replace("\"max_mem\":4096", "\"max_mem\":-1e400");
        rejected("POST", "/api/v1/partitions", body, 400, null);
        rejected("PATCH", "/api/v1/pools/SharedPool01", "{\"max_pool_proc_units\":1e400}", 400, null);
        // integers of any length are fine: they are out of range, said as such
        rejected("PATCH", "/api/v1/partitions/num01", "{\"lpar_avail_priority\":99999999999999999999999999999}", 400,
                "HSCL1303");
    }

    /**
     * A JSON key is one attribute name. A key holding a comma or '=' must not turn into several attributes
     * of the HMC record (it is an unknown attribute).
     */
    @Test
    void jsonKeyCannotSmuggleExtraAttributes() {
        create("key01");
        rejected("PATCH", "/api/v1/partitions/key01", "{\"lpar_avail_priority=5,description\":\"smuggled\"}", 400,
                "HSCL1301");
        rejected("PATCH", "/api/v1/partitions/key01/profiles/default", "{\"desired_mem=3072,uncap_weight\":7}", 400,
                "HSCL1301");
    }

    /**
     * The path names one partition. "a,b" is no partition's name (names hold no commas), so it is 404,
     * not partition a nor a list of a and b.
     */
    @Test
    void partitionNameInThePathIsNotAFilterList() {
        create("pth01");
        create("pth02");
        rejected("GET", "/api/v1/partitions/pth01%2Cpth02", null, 404, "HSCL8012");
        rejected("GET", "/api/v1/partitions/pth01%2Cpth02/profiles", null, 404, "HSCL8012");
        rejected("GET", "/api/v1/partitions/pth01%2Clpar_ids%3D1", null, 404, "HSCL8012");
        rejected("GET", "/api/v1/partitions/pth01%22", null, 404, "HSCL8012");
    }
}
