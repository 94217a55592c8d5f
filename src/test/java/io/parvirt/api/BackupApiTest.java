package io.parvirt.api;

import static io.parvirt.api.ApiSupport.assertError;
import static io.parvirt.api.ApiSupport.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.SharedDaemon;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19's backup routes on a real daemon: a partition (no disks) backed up, cloned and restored
 * under a new name through the API, the jobs listed, and the refusals with their HSCL codes.
 */
@Tag("daemon")
class BackupApiTest {
    @RegisterExtension
    static final SharedDaemon daemon = new SharedDaemon();

    private static HttpResponse<String> ok(String method, String path, String body, int status) {
        return daemon.api(method, path, body, status);
    }

    @Test
    void aPartitionIsBackedUpClonedAndRestoredThroughTheApi() throws Exception {
        ok("POST", "/api/v1/partitions", "{\"name\":\"bkapi1\",\"profile_name\":\"default\",\"lpar_env\":"
                + "\"aixlinux\",\"min_mem\":256,\"desired_mem\":256,\"max_mem\":512,\"min_procs\":1,"
                + "\"desired_procs\":1,\"max_procs\":1}", 201);
        try {
            ok("POST", "/api/v1/partitions/bkapi1/backup?file=bkapi.bk&force=true", null, 200);
            ok("POST", "/api/v1/partitions/bkapi1/clone?name=bkapi2", null, 201);
            ok("POST", "/api/v1/backups/bkapi.bk/restore?name=bkapi3", null, 201);
            String names = json(ok("GET", "/api/v1/partitions", null, 200)).toString();
            assertThat(names).contains("\"bkapi2\"").contains("\"bkapi3\"");
            assertThat(json(ok("GET", "/api/v1/lparjobs", null, 200)).size()).isZero();
            assertError(daemon.api("POST", "/api/v1/backups/bkapi.bk/restore?name=bkapi2", null), 409, "HSCL1308");
            assertError(daemon.api("POST", "/api/v1/partitions/nosuch/backup?file=x.bk", null), 404, "HSCL8012");
            assertError(daemon.api("DELETE", "/api/v1/lparjobs/42", null), 400, "HSCL1302");
            Path file = daemon.get().home().root().resolve("backups/bkapi.bk");
            byte[] whole = Files.readAllBytes(file);
            Files.write(file.resolveSibling("bkcut.bk"), java.util.Arrays.copyOf(whole, whole.length - 1));
            assertError(daemon.api("POST", "/api/v1/backups/bkcut.bk/restore?name=bkapi4", null), 400, "HSCL1302");
            assertThat(json(ok("GET", "/api/v1/partitions", null, 200)).toString()).doesNotContain("bkapi4");
            refusedBeforeTheArchiveIsSent(whole);
        } finally {
            for (String n : new String[] {"bkapi1", "bkapi2", "bkapi3"}) {
                daemon.api("DELETE", "/api/v1/partitions/" + n, null);
            }
        }
    }

    /**
     * An archive sent as another console sends it ({@code Expect: 100-continue}, a connection of its
     * own) under a name in use: the refusal comes back before a byte of it is sent, every time. The
     * route once opened the body's stream before the check, which answered 100 Continue, so the
     * refusal closed a connection the client was sending on: no status line at all, or a garbled one.
     */
    private static void refusedBeforeTheArchiveIsSent(byte[] archive) throws Exception {
        var d = daemon.get();
        byte[] big = java.util.Arrays.copyOf(archive, Math.max(archive.length, 4 << 20));
        for (int i = 0; i < 5; i++) {
            try (HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                HttpResponse<String> r = fresh.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port()
                        + "/api/v1/backups/bkapi.bk/receive?name=bkapi2"))
                        .header("Authorization", "Bearer " + d.token()).expectContinue(true)
                        .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.ByteArrayInputStream(big)), big.length)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertError(r, 409, "HSCL1308");
            }
        }
    }
}
