package io.parvirt.testing;

import io.parvirt.api.ApiServer;
import io.parvirt.api.Auth;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.HmcUsers;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.store.SqliteStore;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.ViosService;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One managed system in this JVM over a real SQLite store in {@code dir}: the HMC with partition
 * operations that run nothing, the VIOS storage service, and on demand the REST API on a loopback
 * port (a no-op daemon stop). What the tests of the command and API layers share instead of copying
 * the same set-up.
 */
public final class InProcessSystem implements AutoCloseable {
    public static final String SYS = "sys1";
    public static final String TOKEN = "t0k3n";

    public final SqliteStore store;
    public final ManagedSystem sys;
    public final HmcUsers users;
    public final Hmc hmc;
    public final PartitionOperations operations;
    /** Its VIOS storage, for services built beside it in tests (snapshots). */
    public final ViosService vios;
    private final Path dir;
    private ApiServer api;
    private final HttpClient http = HttpClient.newHttpClient();

    public InProcessSystem(Path dir) {
        this.dir = dir;
        store = new SqliteStore(dir.resolve("parvirt.db"));
        sys = new ManagedSystem(new HostFacts(8, 65536, "host1", "1234567", "127.0.0.1"), store, seed());
        users = new HmcUsers(store);
        vios = new ViosService(sys, store, dir.resolve("vios"));
        // runs nothing (no hypervisor), but copies partitions: backup, restore and clone (issue 19)
        operations = new PartitionOperations(sys, null, null, null, vios, null);
        operations.backups().ifPresent(b -> b.directory(dir.resolve("backups")));
        hmc = new Hmc(sys, users, new Hmc.Services(operations, null, vios));
    }

    public static SystemSettings seed() {
        return new SystemSettings(SYS, 256, ProcUnits.parse("host.reserved_proc_units", "0"), 1024,
                HypervisorMemory.defaultBaseMb(65536, 256), HptRatio.parse("hpt_ratio", "1:64"), "");
    }

    /** A command line as the home's owner. */
    public HmcResult run(String... argv) {
        return runAs("local:test", argv);
    }

    public HmcResult runAs(String user, String... argv) {
        return hmc.run(new HmcInvocation(List.of(argv), Map.of(), user));
    }

    /** A command that must succeed. */
    public void ok(String... argv) {
        HmcResult r = run(argv);
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", argv) + " failed: " + r.stdout());
        }
    }

    /** The REST API on a free loopback port, started once. */
    public synchronized int apiPort() {
        if (api == null) {
            api = new ApiServer(hmc, new Auth(TOKEN, "local:test", users), new InetSocketAddress("127.0.0.1", 0),
                    dir.resolve("api.sock"), () -> { }).start();
        }
        return api.tcpPort();
    }

    /** A request with the home's token. */
    public HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send("Bearer " + TOKEN, method, path, body);
    }

    /** A request as an HMC user with HTTP Basic. */
    public HttpResponse<String> sendAs(String user, String password, String method, String path, String body)
            throws Exception {
        return send("Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8)), method, path, body);
    }

    private HttpResponse<String> send(String authorization, String method, String path, String body)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort() + path))
                .header("Authorization", authorization).method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
        store.close();
    }
}
