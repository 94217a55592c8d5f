package io.parvirt.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.api.FuzzGenerator.Effect;
import io.parvirt.api.FuzzGenerator.Req;
import io.parvirt.it.RunningDaemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seeded random requests against every route of Routes.java. Invariants: no 5xx; a 4xx JSON body has a
 * message; and what remains afterwards is exactly what the successful requests alone produce (checked
 * twice: against a model of partition names, and by replaying the successful requests on a fresh daemon).
 *
 * <p>Reproduce a run with {@code -Dparvirt.fuzz.seed=N -Dparvirt.fuzz.requests=M}.
 */
@Tag("daemon")
class ApiFuzzTest {
    private static final long SEED = Long.getLong("parvirt.fuzz.seed", 0x5EED_2025L);
    private static final int REQUESTS = Integer.getInteger("parvirt.fuzz.requests", 3000);

    record Resp(int status, String contentType, String body, String exit) {
        boolean success(boolean cli) {
            return status >= 200 && status < 300 && (!cli || "0".equals(exit));
        }
    }

    /** One client per daemon: a new daemon may get the old one's port, and pooled connections to it are dead. */
    private final Map<RunningDaemon, HttpClient> clients = new java.util.IdentityHashMap<>();

    @Test
    void randomRequestsNeverFailTheServerAndOnlySuccessfulOnesLeaveATrace() {
        SoftAssertions soft = new SoftAssertions();
        List<String> serverErrors = new ArrayList<>();
        List<String> badErrorBodies = new ArrayList<>();
        List<String> badSuccessBodies = new ArrayList<>();
        List<Req> successes = new ArrayList<>();
        Set<String> expectedNames = new TreeSet<>();
        Map<String, Integer> stats = new java.util.TreeMap<>();
        long t0 = System.nanoTime();
        String finalState;
        List<String> finalNames;
        try (RunningDaemon d = RunningDaemon.start()) {
            FuzzGenerator g = new FuzzGenerator(new Random(SEED), expectedNames);
            for (int i = 0; i < REQUESTS; i++) {
                Req q = g.next();
                Resp r = send(d, q);
                String route = q.method() + " " + q.path().replaceAll("/api/v1/(partitions|pools)/[^/?]+", "/api/v1/$1/*")
                        .replaceAll("/profiles/[^/?]+", "/profiles/*").replaceAll("/hardware/.*", "/hardware/*");
                stats.merge(route + " " + (q.cli() ? "exit " + r.exit : r.status), 1, Integer::sum);
                if (r.status >= 500) {
                    serverErrors.add("#" + i + " " + q.show() + " -> " + r.status + " " + clip(r.body));
                }
                if (r.status >= 400 && r.status < 500 && r.contentType.startsWith("application/json")) {
                    String msg = messageOf(r.body);
                    if (msg == null || msg.isBlank()) {
                        badErrorBodies.add("#" + i + " " + q.show() + " -> " + r.status + " " + clip(r.body));
                    }
                }
                if (r.status >= 200 && r.status < 300 && r.contentType.startsWith("application/json")
                        && !r.body.isEmpty() && FuzzValues.parse(r.body) == null) {
                    badSuccessBodies.add("#" + i + " " + q.show() + " -> " + clip(r.body));
                }
                if (r.success(q.cli())) {
                    successes.add(q);
                    apply(q.effect(), expectedNames);
                    if (q.path().equals("/api/v1/system") && q.method().equals("PATCH")) {
                        g.sysName = ApiSupport.json(d.api("GET", "/api/v1/system", null).body()).get("name").asText();
                    }
                }
            }
            finalState = state(d);
            finalNames = ApiSupport.json(ApiSupport.partitions(d)).findValuesAsText("name");
        }
        long fuzzMs = (System.nanoTime() - t0) / 1_000_000;

        soft.assertThat(serverErrors).as("responses with status >= 500 (seed %d)", SEED).isEmpty();
        soft.assertThat(badErrorBodies).as("4xx JSON bodies without a message").isEmpty();
        soft.assertThat(badSuccessBodies).as("2xx JSON bodies that are not JSON").isEmpty();
        soft.assertThat(new TreeSet<>(finalNames)).as("partitions left = those created by successful requests")
                .isEqualTo(expectedNames);
        soft.assertThat(finalNames).as("partition names are unique").doesNotHaveDuplicates();
        // the run must really exercise both outcomes
        soft.assertThat(successes.size()).as("successful requests").isBetween(REQUESTS / 20, REQUESTS - REQUESTS / 5);

        List<String> replayFailures = new ArrayList<>();
        try (RunningDaemon fresh = RunningDaemon.start()) {
            for (Req q : successes) {
                Resp r = send(fresh, q);
                if (!r.success(q.cli())) {
                    replayFailures.add(q.show() + " -> " + r.status + " " + clip(r.body));
                }
            }
            soft.assertThat(replayFailures).as("successful requests that fail when replayed alone").isEmpty();
            soft.assertThat(state(fresh)).as("state after replaying only the %d successful requests",
                    successes.size()).isEqualTo(finalState);
        }
        stats.forEach((k, v) -> System.out.println("ApiFuzzTest: " + v + "\t" + k));
        System.out.printf("ApiFuzzTest: seed %d, %d requests, %d succeeded, %d partitions left, fuzz %d ms, "
                + "total %d ms%n", SEED, REQUESTS, successes.size(), finalNames.size(), fuzzMs,
                (System.nanoTime() - t0) / 1_000_000);
        clients.values().forEach(HttpClient::close);
        clients.clear();
        soft.assertAll();
    }

    /** What a successful request did to the set of partition names. */
    static void apply(Effect e, Set<String> names) {
        if (e.create() != null) {
            names.add(e.create());
        }
        if (e.create2() != null) {
            names.add(e.create2());
        }
        if (e.removeOrRename() != null) {
            names.remove(e.removeOrRename());
            if (e.renameTo() != null) {
                names.add(e.renameTo());
            }
        }
    }

    /** Everything the API lists that requests can change, without per-daemon identities (uuid, clock). */
    private static String state(RunningDaemon d) {
        StringBuilder s = new StringBuilder();
        JsonNode parts = ApiSupport.json(ApiSupport.partitions(d));
        for (JsonNode p : parts) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) p).remove("uuid");
        }
        s.append(parts).append('\n');
        for (JsonNode p : parts) {
            String name = p.get("name").asText();
            s.append(d.api("GET", "/api/v1/partitions/" + FuzzValues.enc(name) + "/profiles", null).body()).append('\n');
        }
        s.append(d.api("GET", "/api/v1/pools", null).body()).append('\n');
        s.append(d.api("GET", "/api/v1/hardware/mem", null).body()).append('\n');
        s.append(d.api("GET", "/api/v1/hardware/proc", null).body()).append('\n');
        s.append(d.api("GET", "/api/v1/memory", null).body()).append('\n');
        JsonNode sys = ApiSupport.json(d.api("GET", "/api/v1/system", null).body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) sys).remove(List.of("sys_time", "uuid"));
        s.append(sys).append('\n');
        s.append(d.api("POST", "/api/v1/hmc/cli", "{\"argv\":[\"lshmcusr\"]}").body());
        return s.toString();
    }

    private Resp send(RunningDaemon d, Req q) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port() + q.path()))
                .timeout(Duration.ofSeconds(30))
                .method(q.method(), q.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(q.body()))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + d.token());
        try {
            HttpClient http = clients.computeIfAbsent(d, k -> HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10)).build());
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
                    r.headers().firstValue(Routes.EXIT_CODE_HEADER).orElse(null));
        } catch (IOException e) {
            throw new UncheckedIOException("request failed: " + q.show(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String messageOf(String body) {
        JsonNode n = FuzzValues.parse(body);
        return n == null || !n.isObject() || !n.path("message").isTextual() ? null : n.get("message").asText();
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
