package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parvirt.it.RunningDaemon;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** Small helpers shared by the API tests: JSON in and out, and the error-body shape. */
final class ApiSupport {
    static final ObjectMapper JSON = new ObjectMapper();

    private ApiSupport() {
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        return json(r.body());
    }

    static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> keys(JsonNode o) {
        List<String> k = new ArrayList<>();
        o.fieldNames().forEachRemaining(k::add);
        return k;
    }

    /** A fresh valid shared-processor partition body. */
    static ObjectNode partitionBody(String name) {
        ObjectNode b = JSON.createObjectNode();
        b.put("name", name).put("profile_name", "default").put("lpar_env", "aixlinux")
                .put("min_mem", 1024).put("desired_mem", 2048).put("max_mem", 4096)
                .put("proc_mode", "shared").put("min_proc_units", 0.1).put("desired_proc_units", 0.5)
                .put("max_proc_units", 2.0).put("min_procs", 1).put("desired_procs", 2).put("max_procs", 4)
                .put("sharing_mode", "uncap").put("uncap_weight", 128);
        b.putArray("virtual_eth_adapters").add("2/0/1//0/0").add("3/1/10/20,30/0/1");
        return b;
    }

    /** Asserts an error answer: the status, a JSON body with the code (if given) and a non-empty message. */
    static JsonNode assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as("status of %s: %s", r.request().uri(), r.body()).isEqualTo(status);
        JsonNode e = json(r);
        if (code != null) {
            assertThat(e.path("code").asText()).as("code in %s", r.body()).isEqualTo(code);
        }
        assertThat(e.path("message").asText()).as("message in %s", r.body()).isNotBlank();
        return e;
    }

    static String partitions(RunningDaemon d) {
        HttpResponse<String> r = d.api("GET", "/api/v1/partitions", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
