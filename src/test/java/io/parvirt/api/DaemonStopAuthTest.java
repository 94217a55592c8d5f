package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcUsers;
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
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, hole 2: {@code POST /api/v1/daemon/stop} skipped authorisation (an hmcviewer stopped
 * the daemon over TCP with Basic auth). Only the home's owner or an hmcsuperadmin may, and who did
 * is in the console events. In-process API server over a real store; the stop is a latch.
 */
@Tag("unit")
class DaemonStopAuthTest {
    @TempDir
    Path dir;
    SqliteStore store;
    ManagedSystem sys;
    ApiServer server;
    final CountDownLatch stopped = new CountDownLatch(1);
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        store = new SqliteStore(dir.resolve("parvirt.db"));
        SystemSettings seed = new SystemSettings("sys1", 256, ProcUnits.parse("host.reserved_proc_units", "0"),
                1024, HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
        sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store, seed);
        HmcUsers users = new HmcUsers(store);
        Hmc hmc = new Hmc(sys, users);
        for (String[] u : List.of(new String[] {"viewer1", "hmcviewer"}, new String[] {"op1", "hmcoperator"},
                new String[] {"root1", "hmcsuperadmin"})) {
            assertThat(hmc.run(new HmcInvocation(List.of("mkhmcusr", "-u", u[0], "-a", u[1], "--passwd",
                    "pass-" + u[0]), Map.of(), "local:test")).exitCode()).isZero();
        }
        server = new ApiServer(hmc, new Auth("t0k3n", "local:test", users), new InetSocketAddress("127.0.0.1", 0),
                dir.resolve("api.sock"), stopped::countDown).start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    HttpResponse<String> stopAs(String user) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":pass-" + user).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.tcpPort()
                + "/api/v1/daemon/stop")).header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aViewerOrAnOperatorCannotStopTheDaemon() throws Exception {
        for (String user : List.of("viewer1", "op1")) {
            HttpResponse<String> r = stopAs(user);
            ApiSupport.assertError(r, 403, "HSCL350B");
            assertThat(r.body()).contains("authority to stop the daemon");
        }
        assertThat(stopped.await(1, TimeUnit.SECONDS)).as("the daemon was not stopped").isFalse();
    }

    @Test
    void aSuperadminStopsItAndTheEventNamesThem() throws Exception {
        assertThat(stopAs("root1").statusCode()).isEqualTo(202);
        assertThat(stopped.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sys.events(Instant.EPOCH)).anySatisfy(e -> assertThat(e.text())
                .isEqualTo("The daemon was asked to stop by root1."));
    }
}
