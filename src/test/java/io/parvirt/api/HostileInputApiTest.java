package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.testing.InProcessSystem;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, holes 7 and 10: hostile input through the REST API answers with the documented
 * {@code {code, message}} shape and a 4xx, never a 500 or a library's internals: a NUL in a path,
 * a console size that is not a number or is negative, JSON of the wrong type for a field.
 */
@Tag("unit")
class HostileInputApiTest {
    @TempDir
    Path dir;
    InProcessSystem system;

    @BeforeEach
    void start() {
        system = new InProcessSystem(dir);
    }

    @AfterEach
    void stop() {
        system.close();
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return system.send(method, path, body);
    }

    @Test
    void aNulInAPathIsAMalformedRequestInTheApisShape() throws Exception {
        for (String path : new String[] {"/api/v1/partitions/a%00b", "/api/v1/partitions/a%00b/console"}) {
            HttpResponse<String> r = send("GET", path, null);
            JsonNode e = ApiSupport.assertError(r, 400, "HSCL130E");
            assertThat(ApiSupport.keys(e)).containsExactly("code", "message");
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("application/json"));
        }
    }

    @Test
    void aConsoleSizeThatIsNotAPositiveNumberIsABadRequest() throws Exception {
        assertThat(send("POST", "/api/v1/partitions", "{\"name\":\"web1\",\"profile_name\":\"default\","
                + "\"lpar_env\":\"aixlinux\",\"min_mem\":256,\"desired_mem\":512,\"max_mem\":512,\"min_procs\":1,"
                + "\"desired_procs\":1,\"max_procs\":1}").statusCode()).isEqualTo(201);
        for (String kb : new String[] {"abc", "-5", "0", "99999999999"}) {
            JsonNode e = ApiSupport.assertError(send("GET", "/api/v1/partitions/web1/console?kb=" + kb, null), 400,
                    "HSCL1302");
            assertThat(e.get("message").asText()).as(kb).contains("kb");
            assertThat(ApiSupport.keys(e)).containsExactly("code", "message");
        }
    }

    @Test
    void jsonOfTheWrongTypeNamesTheField() throws Exception {
        JsonNode e = ApiSupport.assertError(send("POST", "/api/v1/partitions", "{\"name\": true}"), 400, "HSCL1302");
        assertThat(e.get("message").asText()).contains("name");
        JsonNode a = ApiSupport.assertError(send("POST", "/api/v1/partitions", "{\"name\": \"w2\", \"min_mem\": [256]}"),
                400, "HSCL1302");
        assertThat(a.get("message").asText()).contains("min_mem");
        JsonNode r = ApiSupport.assertError(send("PATCH", "/api/v1/system", "{\"new_name\": 123}"), 400, "HSCL1302");
        assertThat(r.get("message").asText()).contains("new_name");
        assertThat(send("GET", "/api/v1/system", null).body()).contains("\"sys1\"");
    }
}
