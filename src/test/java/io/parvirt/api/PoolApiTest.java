package io.parvirt.api;

import static io.parvirt.api.ApiSupport.assertError;
import static io.parvirt.api.ApiSupport.json;
import static io.parvirt.api.ApiSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parvirt.it.SharedDaemon;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shared processor pools and system capacity (/api/v1/pools, /api/v1/hardware/...). */
@Tag("daemon")
class PoolApiTest {
    @RegisterExtension
    static final SharedDaemon daemon = new SharedDaemon();

    private static JsonNode pools() {
        HttpResponse<String> r = daemon.api("GET", "/api/v1/pools", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    private static JsonNode pool(String name) {
        for (JsonNode p : pools()) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        return null;
    }

    private static JsonNode sys(String resource) {
        HttpResponse<String> r = daemon.api("GET", "/api/v1/hardware/" + resource + "?level=sys", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode a = json(r);
        assertThat(a).hasSize(1);
        return a.get(0);
    }

    /** A pool change that must fail and leave every pool as it was. */
    private static void rejectedPoolChange(String pool, String body, int status, String code) {
        String before = daemon.api("GET", "/api/v1/pools", null).body();
        assertError(daemon.api("PATCH", "/api/v1/pools/" + pool, body), status, code);
        assertThat(daemon.api("GET", "/api/v1/pools", null).body()).isEqualTo(before);
    }

    @Test
    void thereAre64PoolsAndTheFirstIsDefaultPoolWithId0() {
        JsonNode a = pools();
        assertThat(a).hasSize(64);
        assertThat(a.get(0).get("name").asText()).isEqualTo("DefaultPool");
        assertThat(a.get(0).get("shared_proc_pool_id").asText()).isEqualTo("0");
        assertThat(a.get(0).get("max_pool_proc_units").asText()).isEqualTo("null");
        assertThat(ApiSupport.keys(a.get(0)).subList(0, 2)).containsExactly("name", "shared_proc_pool_id");
        for (int i = 1; i < 64; i++) {
            assertThat(a.get(i).get("shared_proc_pool_id").asText()).isEqualTo(Integer.toString(i));
        }
        assertThat(a.get(63).get("name").asText()).isEqualTo("SharedPool63");
    }

    @Test
    void userPoolIsRenamedAndGivenAWholeMaximum() {
        HttpResponse<String> r = daemon.api("PATCH", "/api/v1/pools/SharedPool01",
                "{\"new_name\":\"pool1\",\"max_pool_proc_units\":1}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(pool("SharedPool01")).isNull();
        JsonNode p = pool("pool1");
        assertThat(p).isNotNull();
        assertThat(p.get("shared_proc_pool_id").asText()).isEqualTo("1");
        assertThat(p.get("max_pool_proc_units").asText()).isEqualTo("1.0");
        assertThat(p.get("curr_reserved_pool_proc_units").asText()).isEqualTo("0.0");
        // the old name is gone
        assertError(daemon.api("PATCH", "/api/v1/pools/SharedPool01", "{\"max_pool_proc_units\":1}"), 404, "HSCL8014");
    }

    @Test
    void fractionalPoolMaximumIsRejected() {
        rejectedPoolChange("SharedPool02", "{\"max_pool_proc_units\":1.5}", 400, "HSCL1305");
        rejectedPoolChange("SharedPool02", "{\"max_pool_proc_units\":\"1.5\"}", 400, "HSCL1305");
    }

    @Test
    void reservedAboveMaximumIsRejected() {
        rejectedPoolChange("SharedPool03", "{\"max_pool_proc_units\":1,\"reserved_pool_proc_units\":1.5}", 400,
                "HSCL1303");
        // a rename in the same request is not applied either
        rejectedPoolChange("SharedPool03", "{\"new_name\":\"p3\",\"max_pool_proc_units\":1,"
                + "\"reserved_pool_proc_units\":2}", 400, "HSCL1303");
    }

    @Test
    void defaultPoolCannotBeChanged() {
        rejectedPoolChange("DefaultPool", "{\"max_pool_proc_units\":1}", 400, "HSCL130B");
        rejectedPoolChange("DefaultPool", "{\"new_name\":\"other\"}", 400, "HSCL130B");
    }

    @Test
    void poolErrorsNameTheProblem() {
        rejectedPoolChange("SharedPool04", "{\"bogus\":1}", 400, "HSCL1301");
        rejectedPoolChange("SharedPool04", "{\"new_name\":\"SharedPool05\"}", 409, "HSCL1308");
        rejectedPoolChange("SharedPool04", "{\"max_pool_proc_units\":100000}", 400, "HSCL1303");
        rejectedPoolChange("NoSuchPool", "{\"max_pool_proc_units\":1}", 404, "HSCL8014");
    }

    @Test
    void systemCapacityIsListedAtSystemLevel() {
        JsonNode proc = sys("proc");
        assertThat(proc.has("configurable_sys_proc_units")).isTrue();
        assertThat(proc.has("curr_avail_sys_proc_units")).isTrue();
        assertThat(proc.get("configurable_sys_proc_units").asText()).matches("\\d+\\.\\d+");
        assertThat(Double.parseDouble(proc.get("curr_avail_sys_proc_units").asText()))
                .isLessThanOrEqualTo(Double.parseDouble(proc.get("configurable_sys_proc_units").asText()));

        JsonNode mem = sys("mem");
        assertThat(mem.has("configurable_sys_mem")).isTrue();
        assertThat(mem.has("sys_firmware_mem")).isTrue();
        assertThat(mem.get("mem_region_size").asText()).isEqualTo("256");
        assertThat(Long.parseLong(mem.get("configurable_sys_mem").asText())).isPositive();
        // level defaults to sys
        HttpResponse<String> dflt = daemon.api("GET", "/api/v1/hardware/mem", null);
        assertThat(dflt.statusCode()).isEqualTo(200);
        assertThat(ApiSupport.keys(json(dflt).get(0))).contains("configurable_sys_mem", "mem_region_size");
        // unknown resource or level is a client error, not a server error
        assertThat(daemon.api("GET", "/api/v1/hardware/disk", null).statusCode()).isEqualTo(400);
        assertThat(daemon.api("GET", "/api/v1/hardware/mem?level=pool", null).statusCode()).isEqualTo(400);
    }

    @Test
    void definingPartitionsRaisesFirmwareMemoryAndLowersAvailableMemoryByTheSameAmount() {
        JsonNode m0 = sys("mem");
        long configurable = Long.parseLong(m0.get("configurable_sys_mem").asText());
        long fw = Long.parseLong(m0.get("sys_firmware_mem").asText());
        long avail = Long.parseLong(m0.get("curr_avail_sys_mem").asText());
        assertThat(avail).isEqualTo(configurable - fw);
        long fw0 = fw;
        for (int i = 0; i < 8; i++) {
            ObjectNode b = ApiSupport.partitionBody("fw" + i);
            b.put("min_mem", 256).put("desired_mem", 512).put("max_mem", 16384);
            b.remove("virtual_eth_adapters");
            HttpResponse<String> r = daemon.api("POST", "/api/v1/partitions", write(b));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            JsonNode m = sys("mem");
            long fwNow = Long.parseLong(m.get("sys_firmware_mem").asText());
            long availNow = Long.parseLong(m.get("curr_avail_sys_mem").asText());
            assertThat(Long.parseLong(m.get("configurable_sys_mem").asText())).isEqualTo(configurable);
            assertThat(fwNow).as("sys_firmware_mem after partition %d", i).isGreaterThanOrEqualTo(fw);
            assertThat(avail - availNow).as("fall of curr_avail_sys_mem after partition %d", i)
                    .isEqualTo(fwNow - fw);
            assertThat(fwNow % 256).isZero();
            fw = fwNow;
            avail = availNow;
        }
        // a 16 GB maximum needs a 256 MB page table at 1:64: one LMB per partition
        assertThat(fw).isGreaterThan(fw0);
        // and deleting them gives the memory back
        for (int i = 0; i < 8; i++) {
            assertThat(daemon.api("DELETE", "/api/v1/partitions/fw" + i, null).statusCode()).isEqualTo(204);
        }
        JsonNode m = sys("mem");
        assertThat(Long.parseLong(m.get("sys_firmware_mem").asText())).isEqualTo(fw0);
        assertThat(Long.parseLong(m.get("curr_avail_sys_mem").asText())).isEqualTo(configurable - fw0);
    }
}
