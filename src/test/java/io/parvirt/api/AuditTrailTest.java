package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.store.Changes;
import io.parvirt.store.ConsoleEvent;
import io.parvirt.store.SqliteStore;
import io.parvirt.testing.InProcessSystem;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (audit trail): every command that is not a listing, and every login, succeeded or not,
 * is recorded with the user, the client's address, the command and its outcome, in the store, seen
 * through {@code lssvcevents -t console} and the API; the event log is bounded.
 */
@Tag("unit")
class AuditTrailTest {
    @TempDir
    Path dir;
    InProcessSystem system;
    SqliteStore store;
    Hmc hmc;

    @BeforeEach
    void start() {
        system = new InProcessSystem(dir);
        store = system.store;
        hmc = system.hmc;
        system.ok("mkhmcusr", "-u", "op1", "-a", "hmcoperator", "--passwd", "pass-op1");
        system.ok("mkhmcusr", "-u", "viewer1", "-a", "hmcviewer", "--passwd", "pass-viewer1");
    }

    @AfterEach
    void stop() {
        system.close();
    }

    HttpResponse<String> send(String user, String password, String method, String path, String body)
            throws Exception {
        return system.sendAs(user, password, method, path, body);
    }

    @Test
    void changesRefusalsAndLoginsAreRecordedWithWhoWhereWhatAndHow() throws Exception {
        assertThat(send("op1", "pass-op1", "POST", "/api/v1/partitions", "{\"name\":\"web1\",\"profile_name\":"
                + "\"default\",\"lpar_env\":\"aixlinux\",\"min_mem\":256,\"desired_mem\":256,\"max_mem\":256,"
                + "\"min_procs\":1,\"desired_procs\":1,\"max_procs\":1}").statusCode()).isEqualTo(201);
        assertThat(send("viewer1", "pass-viewer1", "PATCH", "/api/v1/partitions/web1", "{\"description\":\"x\"}")
                .statusCode()).isEqualTo(403);
        assertThat(send("viewer1", "wrong", "GET", "/api/v1/partitions", null).statusCode()).isEqualTo(401);
        assertThat(send("op1", "pass-op1", "GET", "/api/v1/partitions", null).statusCode()).isEqualTo(200);

        List<String> texts = store.events(Instant.EPOCH).stream().map(ConsoleEvent::text).toList();
        assertThat(texts).contains("mksyscfg by op1 from 127.0.0.1: done",
                "Login of user op1 from 127.0.0.1.", "Login of user viewer1 from 127.0.0.1.",
                "Failed login for user viewer1 from 127.0.0.1 (1 in a row).");
        assertThat(texts).anySatisfy(t -> assertThat(t).startsWith("chsyscfg by viewer1 from 127.0.0.1: refused: "
                + "HSCL350B The user viewer1 does not have the authority to run chsyscfg"));
        assertThat(texts).as("listings are not audited").noneMatch(t -> t.startsWith("lssyscfg by"));
        String listed = hmc.run(new HmcInvocation(List.of("lssvcevents", "-t", "console", "-F", "userid,text"),
                Map.of(), "local:test")).stdout();
        assertThat(listed).contains("op1,mksyscfg by op1 from 127.0.0.1: done");
        assertThat(send("op1", "pass-op1", "GET", "/api/v1/events", null).body())
                .contains("chsyscfg by viewer1 from 127.0.0.1: refused");
    }

    @Test
    void theEventLogIsBounded() {
        store.eventLimit(1000);
        for (int i = 0; i < 1300; i++) {
            store.commit(new Changes().event(new ConsoleEvent(Instant.now(), "t", "parvirt", "audit", "info",
                    "event " + i)));
        }
        List<ConsoleEvent> left = store.events(Instant.EPOCH);
        assertThat(left.size()).isBetween(1000, 1100);
        assertThat(left.getLast().text()).isEqualTo("event 1299");
    }
}
