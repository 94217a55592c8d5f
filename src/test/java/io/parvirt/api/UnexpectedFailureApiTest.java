package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.hmc.FailingStore;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcUsers;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.store.SqliteStore;
import io.parvirt.store.Store;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a fault no rule expected (here the store's events read failing, through the real
 * routes of an in-process API server) answers 500 with a JSON error that has a code and one line,
 * and no stack trace; the command line endpoint prints that line with exit code 1.
 */
@Tag("unit")
class UnexpectedFailureApiTest {
    static final String TOKEN = "t0k3n";

    @TempDir
    Path dir;
    SqliteStore real;
    ApiServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        real = new SqliteStore(dir.resolve("parvirt.db"));
        AtomicBoolean armed = new AtomicBoolean();
        Store store = FailingStore.failing(real, "events", () -> armed.get()
                ? new IllegalStateException("events table is corrupt") : null);
        SystemSettings seed = new SystemSettings("sys1", 256, ProcUnits.parse("host.reserved_proc_units", "0"),
                1024, HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        ManagedSystem sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store, seed);
        HmcUsers users = new HmcUsers(store);
        server = new ApiServer(new Hmc(sys, users), new Auth(TOKEN, "local:test", users),
                new InetSocketAddress("127.0.0.1", 0), dir.resolve("api.sock"), () -> { }).start();
        armed.set(true);
    }

    @AfterEach
    void stop() {
        server.close();
        real.close();
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.tcpPort() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRouteWhoseCommandFailsUnexpectedlyAnswers500WithACodeAndNoTrace() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/events", null);
        JsonNode e = ApiSupport.assertError(r, 500, "HSCL130F");
        assertThat(e.get("message").asText())
                .isEqualTo("The command failed: java.lang.IllegalStateException: events table is corrupt");
        assertThat(ApiSupport.keys(e)).containsExactly("code", "message");
        assertThat(r.body()).doesNotContain("\tat ").doesNotContain("io.parvirt.hmc.");
    }

    @Test
    void theCommandLineEndpointPrintsOneLineAndExitCodeOne() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/hmc/cli", "{\"argv\": [\"lssvcevents\", \"-t\", \"console\"]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue(Routes.EXIT_CODE_HEADER)).hasValue("1");
        assertThat(r.body()).isEqualTo("HSCL130F The command failed: java.lang.IllegalStateException: events table "
                + "is corrupt\n");
    }

    @Test
    void otherRoutesStillAnswer() throws Exception {
        assertThat(send("GET", "/api/v1/partitions", null).statusCode()).isEqualTo(200);
    }

    /** The catch-all for faults is no catch-all for the HTTP layer's own answers. */
    @Test
    void anUnknownRouteAndABadQueryStayClientErrors() throws Exception {
        HttpResponse<String> unknown = send("GET", "/api/v1/nothing", null);
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        HttpResponse<String> badQuery = send("GET", "/api/v1/hardware/proc?level=sys&x", null);
        assertThat(badQuery.statusCode()).as(badQuery.body()).isEqualTo(200);
        HttpResponse<String> badKb = send("GET", "/api/v1/partitions/web/console?kb=lots", null);
        assertThat(badKb.statusCode()).as(badKb.body()).isEqualTo(400);
    }
}
