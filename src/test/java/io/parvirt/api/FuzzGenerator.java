package io.parvirt.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.model.AttributeOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The API fuzzer's request generator: each {@link #next} is a request on some route of Routes.java
 * (mostly well-formed, often damaged), with what it does to the set of partition names if it succeeds.
 * The same seed gives the same requests.
 */
final class FuzzGenerator extends FuzzBodies {
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

    FuzzGenerator(Random rnd, Set<String> live) {
        super(rnd, live);
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

    // ---- CLI ---------------------------------------------------------------------------------------

    String record(String name) {
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

    Req cli() {
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
}
