package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.api.FuzzGenerator.Req;
import io.parvirt.testing.InProcessSystem;
import io.parvirt.testing.StoreSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (fuzzing) at the REST API: the API fuzzer's generated requests (every route, JSON bodies
 * well-formed, damaged and hostile, HMC command lines through {@code /api/v1/hmc/cli}) against the
 * API over a real store, with the store compared before and after each request that was refused:
 * a 4xx, or a command line whose exit code is not 0, changes nothing. No 5xx, no stack trace or
 * library name in any answer; a JSON error is {@code {code, message}} with an HSCL code and one
 * line. Time-boxed: {@code parvirt.fuzz.seconds} (3 in the unit tier, 60 on demand), seed {@code
 * parvirt.fuzz.seed}. {@link ApiFuzzTest} checks the other half (what succeeded, replayed alone,
 * gives the same store) on a whole daemon.
 */
@Tag("unit")
class ApiRefusalFuzzTest {
    static final long SEED = Long.getLong("parvirt.fuzz.seed", 12);
    static final long SECONDS = Long.getLong("parvirt.fuzz.seconds", 3);

    @TempDir
    Path dir;

    @Test
    void aRefusedRequestChangesNothingAndAnswersInTheApisShape() throws Exception {
        int refused = 0;
        int done = 0;
        Set<String> live = new TreeSet<>();
        try (InProcessSystem s = new InProcessSystem(dir); StoreSnapshot store = new StoreSnapshot(
                dir.resolve("parvirt.db")); HttpClient http = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(10)).build()) {
            int port = s.apiPort();
            s.send("GET", "/api/v1/partitions", null); // the server's first answer is slow; the clock starts after it
            FuzzGenerator g = new FuzzGenerator(new Random(SEED), live);
            long end = System.nanoTime() + SECONDS * 1_000_000_000L;
            for (int i = 0; System.nanoTime() < end; i++) {
                Req q = g.next();
                String before = store.take();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + q.path())).timeout(Duration.ofSeconds(30)).method(q.method(), q.body() == null
                                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(q.body()))
                        .header("Content-Type", "application/json").header("Authorization", "Bearer "
                                + InProcessSystem.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                String exit = r.headers().firstValue(Routes.EXIT_CODE_HEADER).orElse(null);
                String what = "#" + i + " (seed " + SEED + ") " + q.show() + " -> " + r.statusCode() + " "
                        + (exit == null ? "" : "exit " + exit + " ") + clip(r.body());
                assertThat(r.statusCode()).as(what).isLessThan(500);
                assertThat(r.body()).as(what).doesNotContain("\tat ").doesNotContain("Exception")
                        .doesNotContain("com.fasterxml").doesNotContain("io.javalin").doesNotContain("org.eclipse");
                boolean ok = r.statusCode() < 400 && (!q.cli() || "0".equals(exit));
                if (ok) {
                    done++;
                    if (q.path().equals("/api/v1/system") && q.method().equals("PATCH")) {
                        g.sysName = s.sys.definition().settings().name();
                    }
                    ApiFuzzTest.apply(q.effect(), live); // so the generator names live partitions often
                    continue;
                }
                refused++;
                assertThat(store.take()).as("the store after a refusal: " + what).isEqualTo(before);
                if (r.statusCode() >= 400 && r.headers().firstValue("Content-Type").orElse("")
                        .startsWith("application/json")) {
                    JsonNode e = FuzzValues.parse(r.body());
                    assertThat(e).as(what).isNotNull();
                    assertThat(ApiSupport.keys(e)).as(what).containsExactly("code", "message");
                    assertThat(e.get("code").asText()).as(what).matches("HSCL[0-9A-F]{4}");
                    assertThat(e.get("message").asText()).as(what).isNotBlank().doesNotContain("\n");
                } else if (q.cli()) {
                    assertThat(r.body().lines().count()).as(what).isEqualTo(1);
                }
            }
        }
        System.out.printf("ApiRefusalFuzzTest: seed %d, %d s: %d requests done, %d refused%n", SEED, SECONDS, done,
                refused);
        assertThat(done).as("requests that succeeded").isPositive();
        assertThat(refused).as("requests refused").isPositive();
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
