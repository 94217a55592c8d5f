package io.parvirt.api;

import static io.parvirt.api.ApiSupport.assertError;
import static io.parvirt.api.ApiSupport.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.it.SharedDaemon;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 19's routes: pause, run states, system profiles, profile data, templates; the CLI's commands. */
@Tag("daemon")
class LifecycleApiTest {
    @RegisterExtension
    static final SharedDaemon daemon = new SharedDaemon();

    private static HttpResponse<String> ok(String method, String path, String body, int status) {
        return daemon.api(method, path, body, status);
    }

    private static void partition(String name) {
        ok("POST", "/api/v1/partitions", "{\"name\":\"" + name + "\",\"profile_name\":\"default\",\"lpar_env\":"
                + "\"aixlinux\",\"min_mem\":256,\"desired_mem\":256,\"max_mem\":512,\"min_procs\":1,"
                + "\"desired_procs\":1,\"max_procs\":1}", 201);
    }

    private static String names() {
        StringBuilder b = new StringBuilder();
        for (JsonNode p : json(ok("GET", "/api/v1/partitions", null, 200))) {
            b.append(p.get("name").asText()).append(' ');
        }
        return b.toString();
    }

    @Test
    void systemProfilesAndTemplatesRoundTripThroughTheApi() {
        partition("lifeapi1");
        try {
            ok("POST", "/api/v1/sysprofs", "{\"name\":\"apisp\",\"lpar_names\":\"lifeapi1\","
                    + "\"profile_names\":\"default\"}", 201);
            ok("PATCH", "/api/v1/sysprofs/apisp", "{\"new_name\":\"apisp2\"}", 200);
            JsonNode sps = json(ok("GET", "/api/v1/sysprofs", null, 200));
            assertThat(sps.toString()).contains("\"name\":\"apisp2\"").contains("\"lpar_names\":\"lifeapi1\"");
            assertError(daemon.api("POST", "/api/v1/sysprofs/nope/activate?test=true", null), 404, "HSCL8013");
            ok("DELETE", "/api/v1/sysprofs/apisp2", null, 204);

            ok("POST", "/api/v1/templates", "{\"name\":\"apit\",\"lpar_name\":\"lifeapi1\"}", 201);
            ok("POST", "/api/v1/templates/apit/deploy", "[{\"name\":\"lifeapi2\"},{\"name\":\"lifeapi3\"}]", 201);
            assertThat(names()).contains("lifeapi2 ").contains("lifeapi3 ");
            assertError(daemon.api("POST", "/api/v1/templates/apit/deploy", "[{\"name\":\"lifeapi4\"},"
                    + "{\"name\":\"lifeapi2\"}]"), 409, "HSCL1308");
            assertThat(names()).doesNotContain("lifeapi4");
            assertThat(json(ok("GET", "/api/v1/templates", null, 200)).toString()).contains("\"name\":\"apit\"");
            ok("DELETE", "/api/v1/templates/apit", null, 204);

            assertError(daemon.api("POST", "/api/v1/partitions/lifeapi1/pause", null), 409, "HSCL130C");
            assertThat(json(ok("GET", "/api/v1/runstates", null, 200)).toString())
                    .contains("\"lpar_name\":\"lifeapi1\"").contains("\"run_state\":\"Not Activated\"");

            ok("POST", "/api/v1/profdata/backup?file=lifeapi&force=true", null, 200);
            ok("POST", "/api/v1/profdata/restore?level=3&file=lifeapi", null, 200); // adds nothing here
            assertError(daemon.api("POST", "/api/v1/profdata/restore?level=1&file=nothere", null), 400, "HSCL1302");
        } finally {
            for (String n : new String[] {"lifeapi1", "lifeapi2", "lifeapi3"}) {
                daemon.api("DELETE", "/api/v1/partitions/" + n, null);
            }
        }
    }
}
