package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.it.RunningDaemon;
import io.parvirt.model.AttributeOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    /** Mirrors the server's parser (duplicate keys rejected) to know what a body means. */
    private static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final List<String> METHODS = List.of("GET", "POST", "PATCH", "DELETE", "PUT");
    private static final List<String> ATTRS = List.of("name", "profile_name", "lpar_env", "min_mem", "desired_mem",
            "max_mem", "proc_mode", "min_proc_units", "desired_proc_units", "max_proc_units", "min_procs",
            "desired_procs", "max_procs", "sharing_mode", "uncap_weight", "virtual_eth_adapters",
            "virtual_scsi_adapters", "virtual_serial_adapters", "virtual_fc_adapters", "lpar_avail_priority",
            "description", "new_name", "lpar_id", "shared_proc_pool_id", "shared_proc_pool_name", "boot_mode",
            "auto_start", "max_virtual_slots", "hpt_ratio", "mem_mode", "io_slots", "lpar_proc_compat_mode",
            "max_pool_proc_units", "reserved_pool_proc_units", "work_group_id", "power_ctrl_lpar_ids",
            "sync_curr_profile", "msp", "all_resources", "lpar_keylock", "conn_monitoring",
            "redundant_err_path_reporting", "lpar_name");
    private static final List<String> READ_COMMANDS = List.of("lssyscfg", "lshwres", "lssvcevents", "lshmcusr");

    /** What a request does to the set of partition names if it succeeds. */
    record Effect(String create, String create2, String removeOrRename, String renameTo) {
        static final Effect NONE = new Effect(null, null, null, null);
    }

    record Req(String method, String path, byte[] body, boolean cli, Effect effect) {
        String show() {
            String b = body == null ? "<none>" : new String(body, StandardCharsets.UTF_8);
            if (b.length() > 300) {
                b = b.substring(0, 300) + "...(" + b.length() + " chars)";
            }
            return method + " " + path + " " + b;
        }
    }

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
            Gen g = new Gen(new Random(SEED), expectedNames);
            for (int i = 0; i < REQUESTS; i++) {
                Req q = g.next();
                Resp r = send(d, q);
                String route = q.method + " " + q.path.replaceAll("/api/v1/(partitions|pools)/[^/?]+", "/api/v1/$1/*")
                        .replaceAll("/profiles/[^/?]+", "/profiles/*").replaceAll("/hardware/.*", "/hardware/*");
                stats.merge(route + " " + (q.cli ? "exit " + r.exit : r.status), 1, Integer::sum);
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
                        && !r.body.isEmpty() && parse(r.body) == null) {
                    badSuccessBodies.add("#" + i + " " + q.show() + " -> " + clip(r.body));
                }
                if (r.success(q.cli)) {
                    successes.add(q);
                    apply(q.effect, expectedNames);
                    if (q.path.equals("/api/v1/system") && q.method.equals("PATCH")) {
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
                if (!r.success(q.cli)) {
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

    private static void apply(Effect e, Set<String> names) {
        if (e.create != null) {
            names.add(e.create);
        }
        if (e.create2 != null) {
            names.add(e.create2);
        }
        if (e.removeOrRename != null) {
            names.remove(e.removeOrRename);
            if (e.renameTo != null) {
                names.add(e.renameTo);
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
            s.append(d.api("GET", "/api/v1/partitions/" + enc(name) + "/profiles", null).body()).append('\n');
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
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port() + q.path))
                .timeout(Duration.ofSeconds(30))
                .method(q.method, q.body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(q.body))
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
        JsonNode n = parse(body);
        return n == null || !n.isObject() || !n.path("message").isTextual() ? null : n.get("message").asText();
    }

    private static JsonNode parse(String s) {
        try {
            return STRICT.readTree(s);
        } catch (IOException e) {
            return null;
        }
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The name a JSON value becomes in the HMC record, as JsonRecord writes it; null if it is not one.
     * Only what a successful request can have sent matters here.
     */
    private static String rendered(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        if (v.isNumber()) {
            // 1e400 reads as an infinite double, which has no decimal form (the server answers 500 there)
            return v.isDouble() && !Double.isFinite(v.doubleValue()) ? null : v.decimalValue().toPlainString();
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? "1" : "0";
        }
        if (v.isArray()) {
            List<String> l = new ArrayList<>();
            v.forEach(e -> l.add(e.asText()));
            return AttributeOutput.list(l);
        }
        return null;
    }

    private static JsonNode bodyObject(byte[] body) {
        if (body == null) {
            return null;
        }
        JsonNode n = parse(new String(body, StandardCharsets.UTF_8));
        return n != null && n.isObject() ? n : null;
    }

    /** The request generator. */
    static final class Gen {
        private final Random rnd;
        private final Set<String> live;
        private final List<String> poolNames = new ArrayList<>();
        private int counter;
        String sysName = "sys1";

        Gen(Random rnd, Set<String> live) {
            this.rnd = rnd;
            this.live = live;
            poolNames.add("DefaultPool");
            for (int i = 1; i < 64; i++) {
                poolNames.add(String.format("SharedPool%02d", i));
            }
        }

        private boolean p(double prob) {
            return rnd.nextDouble() < prob;
        }

        private <T> T pick(List<T> l) {
            return l.get(rnd.nextInt(l.size()));
        }

        private String fresh() {
            return "fz" + (counter++);
        }

        /** A partition name for a path: mostly live ones, sometimes missing or strange. */
        private String partitionName() {
            if (!live.isEmpty() && p(0.75)) {
                return pick(new ArrayList<>(live));
            }
            return pick(List.of("nosuch", "fz0", "a,b", "x\"y", "lpar_names=z", "ü-ñ", "..", "%", " ", "a/b",
                    "x".repeat(300), String.join(",", live.isEmpty() ? Set.of("q") : live), "\t"));
        }

        /**
         * The next request. A route that does not read its body (unknown routes, GET, DELETE) gets at most
         * 4 KB of it: Jetty answers such a request before the client has finished sending a large body and
         * closes the connection, so the client may see a reset instead of the answer (a transport matter,
         * outside what this test checks, and ambiguous for a DELETE that did happen).
         */
        Req next() {
            Req q = next0();
            if (q.body != null && q.body.length > 4096 && !readsBody(q.method, q.path)) {
                q = new Req(q.method, q.path, java.util.Arrays.copyOf(q.body, 4096), q.cli, q.effect);
            }
            return q;
        }

        private static boolean readsBody(String method, String path) {
            return switch (method) {
                case "POST" -> path.matches("/api/v1/(hmc/cli|partitions|partitions/[^/]+/profiles)");
                case "PATCH" -> path.matches("/api/v1/(system|partitions/[^/]+|partitions/[^/]+/profiles/[^/]+"
                        + "|pools/[^/]+)");
                default -> false;
            };
        }

        private Req next0() {
            double x = rnd.nextDouble();
            if (x < 0.25) {
                return createPartition();
            }
            if (x < 0.35) {
                String n = partitionName();
                byte[] b = body(this::partitionPatch);
                Effect e = Effect.NONE;
                JsonNode o = bodyObject(b);
                if (o != null && o.has("new_name")) {
                    e = new Effect(null, null, n, rendered(o.get("new_name")));
                }
                return new Req("PATCH", "/api/v1/partitions/" + enc(n), b, false, e);
            }
            if (x < 0.38) {
                String n = p(0.5) ? partitionName() : pick(List.of("nosuch", "a,b", "x\"y", "%"));
                return new Req("DELETE", "/api/v1/partitions/" + enc(n), p(0.1) ? bytes(randomJson(2)) : null,
                        false, new Effect(null, null, n, null));
            }
            if (x < 0.45) {
                return new Req("GET", "/api/v1/partitions/" + enc(partitionName()), null, false, Effect.NONE);
            }
            if (x < 0.47) {
                return new Req("GET", "/api/v1/partitions", p(0.1) ? bytes(randomJson(2)) : null, false,
                        Effect.NONE);
            }
            if (x < 0.49) {
                return new Req("GET", "/api/v1/partitions/" + enc(partitionName()) + "/profiles", null, false,
                        Effect.NONE);
            }
            if (x < 0.55) {
                return new Req("POST", "/api/v1/partitions/" + enc(partitionName()) + "/profiles",
                        body(this::profileBody), false, Effect.NONE);
            }
            if (x < 0.63) {
                return new Req("PATCH", "/api/v1/partitions/" + enc(partitionName()) + "/profiles/"
                        + enc(profileName()), body(this::profilePatch), false, Effect.NONE);
            }
            if (x < 0.66) {
                return new Req("DELETE", "/api/v1/partitions/" + enc(partitionName()) + "/profiles/"
                        + enc(profileName()), null, false, Effect.NONE);
            }
            if (x < 0.67) {
                return new Req("GET", "/api/v1/pools", null, false, Effect.NONE);
            }
            if (x < 0.73) {
                return new Req("PATCH", "/api/v1/pools/" + enc(pick(poolNames)), body(this::poolPatch), false,
                        Effect.NONE);
            }
            if (x < 0.76) {
                String res = pick(List.of("proc", "mem", "procpool", "disk", "", "mem%2C", "proc?level=lpar",
                        "proc?level=pool", "mem?level=lpar", "mem?level=x", "proc?level=sys&level=lpar"));
                return new Req("GET", "/api/v1/hardware/" + res, null, false, Effect.NONE);
            }
            if (x < 0.90) {
                return cli();
            }
            if (x < 0.93) {
                boolean patch = p(0.5);
                return new Req(patch ? "PATCH" : "GET", "/api/v1/system", patch ? body(this::systemPatch) : null,
                        false, Effect.NONE);
            }
            if (x < 0.96) {
                return new Req("GET", pick(List.of("/api/v1/daemon", "/api/v1/events", "/openapi.json",
                        "/api/v1/events?x=1", "/api/v1/memory", "/metrics")), null, false, Effect.NONE);
            }
            return randomRoute();
        }

        /** Any route with any method and any body (never POST /api/v1/daemon/stop, which ends the daemon). */
        private Req randomRoute() {
            String path = pick(List.of("/api/v1/hmc/cli", "/api/v1/daemon", "/api/v1/daemon/stop", "/api/v1/system",
                    "/api/v1/partitions", "/api/v1/partitions/" + enc(partitionName()),
                    "/api/v1/partitions/" + enc(partitionName()) + "/profiles",
                    "/api/v1/partitions/" + enc(partitionName()) + "/profiles/default", "/api/v1/pools",
                    "/api/v1/pools/SharedPool09", "/api/v1/hardware/mem", "/api/v1/events", "/openapi.json",
                    "/api/v1/memory", "/metrics",
                    "/api/v1", "/api/v2/partitions", "/"));
            String m = pick(METHODS);
            if (path.equals("/api/v1/daemon/stop") && m.equals("POST")) {
                m = "GET";
            }
            byte[] b = p(0.3) ? null : body(() -> randomJson(3));
            Effect e = Effect.NONE;
            if (path.equals("/api/v1/partitions") && m.equals("POST")) {
                JsonNode o = bodyObject(b);
                e = new Effect(o == null ? null : rendered(o.get("name")), null, null, null);
            } else if (path.startsWith("/api/v1/partitions/") && path.indexOf('/', 19) < 0) {
                String n = java.net.URLDecoder.decode(path.substring(19), StandardCharsets.UTF_8);
                if (m.equals("DELETE")) {
                    e = new Effect(null, null, n, null);
                } else if (m.equals("PATCH")) {
                    JsonNode o = bodyObject(b);
                    if (o != null && o.has("new_name")) {
                        e = new Effect(null, null, n, rendered(o.get("new_name")));
                    }
                }
            }
            return new Req(m, path, b, path.equals("/api/v1/hmc/cli"), e);
        }

        private Req createPartition() {
            byte[] b = body(() -> partitionBody(p(0.9) ? fresh() : partitionName()));
            JsonNode o = bodyObject(b);
            String name = o == null ? null : rendered(o.get("name"));
            return new Req("POST", "/api/v1/partitions", b, false, new Effect(name, null, null, null));
        }

        private String profileName() {
            return pick(List.of("default", "default", "p2", "p3", "nosuch", "a,b", "x\"y", "ünï"));
        }

        /** A body from a structured generator, or one of the generic hostile shapes. */
        private byte[] body(java.util.function.Supplier<Object> structured) {
            double x = rnd.nextDouble();
            if (x < 0.55) {
                return bytes(structured.get());
            }
            if (x < 0.62) {
                String s = json(structured.get());
                return s.substring(0, rnd.nextInt(s.length() + 1)).getBytes(StandardCharsets.UTF_8);
            }
            if (x < 0.67) {
                return bytes(randomJson(4));
            }
            if (x < 0.72) {
                return bytes(hugeNumbers());
            }
            if (x < 0.75) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(pick(ATTRS), "x".repeat(100_000));
                return bytes(m);
            }
            if (x < 0.79) {
                return bytes(strangeChars());
            }
            if (x < 0.82) {
                List<Object> l = new ArrayList<>();
                for (int i = rnd.nextInt(4); i >= 0; i--) {
                    l.add(structured.get());
                }
                return bytes(p(0.5) ? l : Map.of(pick(ATTRS), l));
            }
            if (x < 0.86) {
                return bytes(unbalancedRecordValues());
            }
            if (x < 0.89) {
                Map<String, Object> m = asMap(structured.get());
                m.put(pick(List.of("bogus", "Name", "name ", "desiredmem", "virtual_eth_adapter", "x_" + rnd.nextInt(9),
                        "min_mem\u0000", "été")), randomScalar());
                return bytes(m);
            }
            if (x < 0.93) {
                Map<String, Object> m = asMap(structured.get());
                m.put(pick(ATTRS), wrongType());
                return bytes(m);
            }
            return rawMangled(json(structured.get()));
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> asMap(Object o) {
            return o instanceof Map ? new LinkedHashMap<>((Map<String, Object>) o) : new LinkedHashMap<>();
        }

        /** String-level damage: duplicate key, trailing text, flipped byte, invalid UTF-8, deep nesting... */
        private byte[] rawMangled(String s) {
            int k = rnd.nextInt(9);
            return switch (k) {
                case 0 -> (s.length() > 2 ? "{\"name\":\"dupkey\"," + s.substring(1) : s)
                        .getBytes(StandardCharsets.UTF_8);
                case 1 -> (s + pick(List.of("}", "]", " x", ",", "{\"a\":1}", "\u0000"))).getBytes(StandardCharsets.UTF_8);
                case 2 -> {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    if (b.length > 0) {
                        b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                    }
                    yield b;
                }
                case 3 -> new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
                case 4 -> ("[".repeat(3000) + "]".repeat(3000)).getBytes(StandardCharsets.UTF_8);
                case 5 -> ("{\"a\":".repeat(2000) + "1" + "}".repeat(2000)).getBytes(StandardCharsets.UTF_8);
                case 6 -> pick(List.of("", " ", "null", "true", "0", "\"\"", "{}", "[]", "{\"\":1}", "{'name':'q'}",
                        "{\"name\":\"a\"\"b\"}", "{\"name\":\"raw\ncontrol\"}")).getBytes(StandardCharsets.UTF_8);
                case 7 -> ("{\"name\":\"big\",\"desired_mem\":" + "9".repeat(5000) + "}")
                        .getBytes(StandardCharsets.UTF_8);
                default -> s.replaceFirst(",", ",,").getBytes(StandardCharsets.UTF_8);
            };
        }

        // ---- structured bodies -------------------------------------------------------------------------

        private Map<String, Object> partitionBody(String name) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("profile_name", p(0.9) ? "default" : pick(List.of("p,1", "x\"", "", "ü")));
            m.put("lpar_env", p(0.85) ? "aixlinux" : pick(List.of("vioserver", "os400", "linux", "")));
            long lmb = 256;
            long min = lmb * (1 + rnd.nextInt(4));
            long des = min + lmb * rnd.nextInt(4);
            m.put("min_mem", min);
            m.put("desired_mem", des);
            m.put("max_mem", des + lmb * rnd.nextInt(8));
            if (p(0.8)) {
                m.put("proc_mode", "shared");
                m.put("min_proc_units", 0.1);
                m.put("desired_proc_units", pick(List.of(0.1, 0.2, 0.5, 0.25)));
                m.put("max_proc_units", pick(List.of(1.0, 2.0, 0.5)));
                m.put("min_procs", 1);
                m.put("desired_procs", 1 + rnd.nextInt(2));
                m.put("max_procs", 2 + rnd.nextInt(3));
                m.put("sharing_mode", pick(List.of("uncap", "cap", "uncap", "share_idle_procs")));
                m.put("uncap_weight", rnd.nextInt(300));
                if (p(0.2)) {
                    m.put("shared_proc_pool_id", rnd.nextInt(3));
                }
            } else {
                m.put("proc_mode", "ded");
                m.put("min_procs", 1);
                m.put("desired_procs", 1);
                m.put("max_procs", 1 + rnd.nextInt(2));
            }
            if (p(0.6)) {
                List<String> eth = new ArrayList<>();
                for (int i = rnd.nextInt(3); i >= 0; i--) {
                    eth.add(pick(List.of("2/0/1//0/0", "3/1/10/20,30/0/1", (2 + rnd.nextInt(20)) + "/0/"
                            + (1 + rnd.nextInt(4095)) + "//0/0", "4/1/5/6,7,8/0/0/ETHERNET0", "5/0/0//0/0")));
                }
                m.put("virtual_eth_adapters", eth);
            }
            if (p(0.2)) {
                m.put("description", pick(List.of("web tier", "db, tier 2", "quote \" inside", "ünïcödé", "")));
            }
            if (p(0.15)) {
                m.put("lpar_avail_priority", rnd.nextInt(300));
            }
            if (p(0.6)) {
                mutate(m);
            }
            return m;
        }

        /** Zero to three random edits of a structured body. */
        private void mutate(Map<String, Object> m) {
            for (int i = rnd.nextInt(4) - 1; i > 0; i--) {
                List<String> keys = new ArrayList<>(m.keySet());
                switch (rnd.nextInt(5)) {
                    case 0 -> {
                        if (!keys.isEmpty()) {
                            m.remove(pick(keys));
                        }
                    }
                    case 1 -> {
                        if (!keys.isEmpty()) {
                            m.put(pick(keys), randomScalar());
                        }
                    }
                    case 2 -> m.put(pick(ATTRS), randomScalar());
                    case 3 -> {
                        if (!keys.isEmpty()) {
                            m.put(pick(keys), wrongType());
                        }
                    }
                    default -> {
                        if (m.get("desired_mem") instanceof Long l) {
                            m.put("desired_mem", l + pick(List.of(-256L, 256L, 1L, -1L, 4096L)));
                        }
                    }
                }
            }
        }

        private Object partitionPatch() {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = rnd.nextInt(3); i >= 0; i--) {
                switch (rnd.nextInt(6)) {
                    case 0 -> m.put("new_name", p(0.7) ? fresh() : partitionName());
                    case 1 -> m.put("lpar_avail_priority", rnd.nextInt(300) - 10);
                    case 2 -> m.put("description", pick(List.of("d", "a,b", "\"q\"", "")));
                    case 3 -> m.put("default_profile", profileName());
                    case 4 -> m.put(pick(ATTRS), randomScalar());
                    default -> m.put("auto_start", rnd.nextInt(3));
                }
            }
            mutate(m);
            return m;
        }

        private Object profileBody() {
            Map<String, Object> m = partitionBody(pick(List.of("p2", "p3", "default", fresh())));
            m.remove("profile_name");
            if (p(0.8)) {
                m.remove("lpar_env");
            }
            return m;
        }

        private Object profilePatch() {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = rnd.nextInt(3); i >= 0; i--) {
                switch (rnd.nextInt(7)) {
                    case 0 -> m.put("desired_mem", 256L * (1 + rnd.nextInt(12)));
                    case 1 -> m.put("max_mem", 256L * (1 + rnd.nextInt(20)));
                    case 2 -> m.put("desired_proc_units", pick(List.of(0.1, 0.3, 1.0, 2.5)));
                    case 3 -> m.put("new_name", pick(List.of("p2", "p4", "default", "x,y")));
                    case 4 -> m.put("virtual_eth_adapters", List.of("2/0/1//0/0", "3/1/10/20,30/0/1"));
                    case 5 -> m.put("uncap_weight", rnd.nextInt(300));
                    default -> m.put(pick(ATTRS), randomScalar());
                }
            }
            mutate(m);
            return m;
        }

        private Object poolPatch() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (p(0.3)) {
                String n = pick(List.of("pool" + rnd.nextInt(5), "SharedPool0" + (1 + rnd.nextInt(9)), "DefaultPool",
                        "a,b", ""));
                m.put("new_name", n);
                if (!poolNames.contains(n)) {
                    poolNames.add(n);
                }
            }
            if (p(0.7)) {
                m.put("max_pool_proc_units", pick(List.of(0, 1, 2, 3, 1.5, -1, 64)));
            }
            if (p(0.4)) {
                m.put("reserved_pool_proc_units", pick(List.of(0, 0.5, 1, 2.25, 3)));
            }
            mutate(m);
            return m;
        }

        private Object systemPatch() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("description", pick(List.of("lab", "a,b", "\"", "ü", "")));
            if (p(0.1)) {
                m.put(pick(ATTRS), randomScalar());
            }
            return m;
        }

        // ---- CLI ---------------------------------------------------------------------------------------

        private String record(String name) {
            StringBuilder r = new StringBuilder("name=" + name);
            Map<String, Object> m = partitionBody(name);
            m.remove("name");
            for (var e : m.entrySet()) {
                Object v = e.getValue();
                String s = v instanceof List<?> l ? AttributeOutput.list(l.stream().map(String::valueOf).toList())
                        : v instanceof Raw raw ? raw.text() : v instanceof Map ? "{}" : String.valueOf(v);
                r.append(',');
                AttributeOutput.pair(r, e.getKey(), s);
            }
            String rest = r.substring(("name=" + name).length());
            if (p(0.25)) {
                // damage after the name pair only; the name stays the first pair
                int at = rnd.nextInt(rest.length() + 1);
                rest = rest.substring(0, at) + pick(List.of("\"", ",", "=", ",,", "\"\"", ",bogus=1", "\n"))
                        + rest.substring(at);
            }
            return "name=" + name + rest;
        }

        private Req cli() {
            Map<String, Object> m = new LinkedHashMap<>();
            Effect e = Effect.NONE;
            String sys = p(0.95) ? sysName : "nosys";
            double x = rnd.nextDouble();
            List<String> argv;
            if (x < 0.3) {
                String name = fresh();
                argv = List.of("mksyscfg", "-r", "lpar", "-m", sys, "-i", record(name));
                e = new Effect(name, null, null, null);
            } else if (x < 0.4) {
                String a = fresh();
                String b = fresh();
                argv = List.of("mksyscfg", "-r", "lpar", "-m", sys, "-f", "/in/recs");
                m.put("files", Map.of("/in/recs", record(a) + "\n" + record(b) + "\n"));
                e = new Effect(a, b, null, null);
            } else if (x < 0.45) {
                String n = p(0.5) ? partitionName() : "nosuch";
                argv = List.of("rmsyscfg", "-r", "lpar", "-m", sys, "-n", n);
                e = new Effect(null, null, n, null);
            } else if (x < 0.55) {
                argv = List.of("chsyscfg", "-r", "prof", "-m", sys, "-i", "lpar_name=" + partitionName()
                        + ",name=default,desired_mem=" + (256 * (1 + rnd.nextInt(10))));
            } else if (x < 0.6) {
                argv = List.of("chhwres", "-r", "procpool", "-m", sys, "-o", "s", "--poolname", pick(poolNames),
                        "-a", "max_pool_proc_units=" + rnd.nextInt(3));
            } else if (x < 0.8) {
                argv = List.of(pick(READ_COMMANDS), "-r", pick(List.of("lpar", "prof", "sys", "mem", "proc",
                        "procpool", "x")), "-m", sys, pick(List.of("-F", "--filter", "--level", "-x")),
                        pick(List.of("name", "lpar_names=" + partitionName(), "sys", "name:lpar_id",
                                "\"lpar_names=a,b\"", "")));
            } else {
                List<String> l = new ArrayList<>();
                l.add(p(0.5) ? pick(READ_COMMANDS) : randomString());
                for (int i = rnd.nextInt(6); i > 0; i--) {
                    l.add(p(0.5) ? pick(List.of("-r", "-m", sys, "-F", "--filter", "-i", "-f", "--header", "lpar"))
                            : randomString());
                }
                argv = l;
            }
            m.put("argv", argv);
            if (p(0.05)) {
                m.put(pick(List.of("env", "argv0", "files2")), randomScalar());
            }
            byte[] b;
            if (p(0.85)) {
                b = bytes(m);
            } else {
                // hostile bodies: their argv (if any) holds no command that changes partitions
                b = body(() -> p(0.5) ? Map.of("argv", List.of(randomScalar(), randomScalar())) : randomJson(3));
                e = Effect.NONE;
            }
            return new Req("POST", "/api/v1/hmc/cli", b, true, e);
        }

        // ---- values ------------------------------------------------------------------------------------

        /** A raw JSON number token, written as is (lets us send numbers Java cannot hold). */
        record Raw(String text) {
        }

        private Object hugeNumbers() {
            Map<String, Object> m = asMap(partitionBody(fresh()));
            for (int i = rnd.nextInt(3); i >= 0; i--) {
                m.put(pick(ATTRS), new Raw(pick(List.of("1e400", "-1e400", "1e-400", "99999999999999999999999999999",
                        "-99999999999999999999999", "1.7976931348623157E309", "4.9e-325", "123456789012345678901234.5",
                        "0.000000000000000000000001", "9".repeat(900), "1" + "0".repeat(400) + ".5", "-0", "-0.0",
                        "1E+2", "2048.000", "1e2"))));
            }
            return m;
        }

        private Object strangeChars() {
            Map<String, Object> m = asMap(partitionBody(fresh()));
            String s = pick(List.of("\u0000", "\u0007bell", "tab\there", "new\nline", "cr\rlf", "\u202Eevil",
                    "\uD83D\uDE00", "名前", "é", "\u00A0", "\uFEFF", "\u0085", "\\", "'", "--", "a\u0000b"));
            m.put(pick(List.of("name", "description", "profile_name", "lpar_env", "virtual_eth_adapters",
                    randomKey())), p(0.2) ? List.of(s, s) : s);
            return m;
        }

        private Object unbalancedRecordValues() {
            Map<String, Object> m = asMap(partitionBody(fresh()));
            String v = pick(List.of("\"", "a\"b", "\"quoted,\"", "x,lpar_id=5", "a\",\"b", "1,2", ",", "\"\"",
                    "desired_mem=8192", "\"name=evil\"", "a=b", "5\",\"max_mem=65536"));
            String k = pick(List.of("description", "virtual_eth_adapters", "profile_name", "lpar_env", "uncap_weight",
                    "desired_mem", "name"));
            if (k.equals("virtual_eth_adapters")) {
                m.put(k, List.of("2/0/1//0/0" + v, v));
            } else {
                m.put(k, v);
            }
            return m;
        }

        private Object randomScalar() {
            return switch (rnd.nextInt(9)) {
                case 0 -> rnd.nextInt(70_000) - 5;
                case 1 -> rnd.nextInt(300) / 100.0;
                case 2 -> randomString();
                case 3 -> rnd.nextBoolean();
                case 4 -> pick(List.of("shared", "ded", "uncap", "cap", "aixlinux", "none", "null", "1:64"));
                case 5 -> 256L * rnd.nextInt(40);
                case 6 -> List.of(randomString(), rnd.nextInt(10));
                case 7 -> new Raw(pick(List.of("1e400", "1e-400", "99999999999999999999999999")));
                default -> "";
            };
        }

        private Object wrongType() {
            return switch (rnd.nextInt(7)) {
                case 0 -> true;
                case 1 -> List.of(1, 2);
                case 2 -> Map.of("v", 1);
                case 3 -> "not a number";
                case 4 -> -1;
                case 5 -> List.of(Map.of("a", 1));
                default -> null;
            };
        }

        private String randomKey() {
            String k = randomString();
            return k.replace(",", "").replace("=", "").replace("\"", "");
        }

        private String randomString() {
            int len = p(0.02) ? 100_000 : rnd.nextInt(12);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < len; i++) {
                int kind = rnd.nextInt(10);
                if (kind < 6) {
                    b.append((char) ('a' + rnd.nextInt(26)));
                } else if (kind < 7) {
                    b.append(",\"=/ -_".charAt(rnd.nextInt(7)));
                } else if (kind < 8) {
                    b.append((char) rnd.nextInt(32));
                } else if (kind < 9) {
                    b.append((char) (0xA0 + rnd.nextInt(0x2000)));
                } else {
                    b.append((char) ('0' + rnd.nextInt(10)));
                }
            }
            return b.toString();
        }

        private Object randomJson(int depth) {
            int k = depth <= 0 ? rnd.nextInt(5) : rnd.nextInt(7);
            return switch (k) {
                case 0 -> randomString();
                case 1 -> rnd.nextInt();
                case 2 -> rnd.nextBoolean();
                case 3 -> null;
                case 4 -> rnd.nextGaussian() * 1e6;
                case 5 -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int i = rnd.nextInt(5); i > 0; i--) {
                        m.put(p(0.5) ? pick(ATTRS) : randomKey(), randomJson(depth - 1));
                    }
                    yield m;
                }
                default -> {
                    List<Object> l = new ArrayList<>();
                    for (int i = rnd.nextInt(5); i > 0; i--) {
                        l.add(randomJson(depth - 1));
                    }
                    yield l;
                }
            };
        }

        // ---- JSON writing (by hand, so that raw numbers and any string survive) -----------------------

        private static byte[] bytes(Object o) {
            return json(o).getBytes(StandardCharsets.UTF_8);
        }

        static String json(Object o) {
            StringBuilder b = new StringBuilder();
            write(b, o);
            return b.toString();
        }

        private static void write(StringBuilder b, Object o) {
            switch (o) {
                case null -> b.append("null");
                case Raw r -> b.append(r.text());
                case String s -> {
                    b.append('"');
                    for (int i = 0; i < s.length(); i++) {
                        char c = s.charAt(i);
                        switch (c) {
                            case '"' -> b.append("\\\"");
                            case '\\' -> b.append("\\\\");
                            default -> {
                                if (c < 0x20) {
                                    b.append(String.format("\\u%04x", (int) c));
                                } else {
                                    b.append(c);
                                }
                            }
                        }
                    }
                    b.append('"');
                }
                case Map<?, ?> m -> {
                    b.append('{');
                    boolean first = true;
                    for (var e : m.entrySet()) {
                        if (!first) {
                            b.append(',');
                        }
                        first = false;
                        write(b, String.valueOf(e.getKey()));
                        b.append(':');
                        write(b, e.getValue());
                    }
                    b.append('}');
                }
                case List<?> l -> {
                    b.append('[');
                    for (int i = 0; i < l.size(); i++) {
                        if (i > 0) {
                            b.append(',');
                        }
                        write(b, l.get(i));
                    }
                    b.append(']');
                }
                case Double dbl -> b.append(dbl.isInfinite() || dbl.isNaN() ? "0" : dbl.toString());
                default -> b.append(o);
            }
        }
    }

    @Test
    void generatorIsDeterministicForASeed() {
        Gen a = new Gen(new Random(7), new TreeSet<>());
        Gen b = new Gen(new Random(7), new TreeSet<>());
        for (int i = 0; i < 200; i++) {
            Req x = a.next();
            Req y = b.next();
            assertThat(x.show()).isEqualTo(y.show());
        }
    }
}
