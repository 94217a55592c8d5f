package io.parvirt.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.model.AttributeOutput;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The API fuzzer's random source and its values: what it knows of the system under test (live partition
 * names, pool names), random scalars, strings and JSON of any shape, string-level damage, and a JSON
 * writer that lets raw number tokens and any string through. Requests are built on it by
 * {@link FuzzBodies} and {@link FuzzGenerator}.
 */
abstract class FuzzValues {
    /** Mirrors the server's parser (duplicate keys rejected) to know what a body means. */
    static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    static final List<String> METHODS = List.of("GET", "POST", "PATCH", "DELETE", "PUT");
    static final List<String> ATTRS = List.of("name", "profile_name", "lpar_env", "min_mem", "desired_mem",
            "max_mem", "proc_mode", "min_proc_units", "desired_proc_units", "max_proc_units", "min_procs",
            "desired_procs", "max_procs", "sharing_mode", "uncap_weight", "virtual_eth_adapters",
            "virtual_scsi_adapters", "virtual_serial_adapters", "virtual_fc_adapters", "lpar_avail_priority",
            "description", "new_name", "lpar_id", "shared_proc_pool_id", "shared_proc_pool_name", "boot_mode",
            "auto_start", "max_virtual_slots", "hpt_ratio", "mem_mode", "io_slots", "lpar_proc_compat_mode",
            "max_pool_proc_units", "reserved_pool_proc_units", "work_group_id", "power_ctrl_lpar_ids",
            "sync_curr_profile", "msp", "all_resources", "lpar_keylock", "conn_monitoring",
            "redundant_err_path_reporting", "lpar_name");
    static final List<String> READ_COMMANDS = List.of("lssyscfg", "lshwres", "lssvcevents", "lshmcusr");

    final Random rnd;
    final Set<String> live;
    final List<String> poolNames = new ArrayList<>();
    private int counter;
    String sysName = "sys1";

    FuzzValues(Random rnd, Set<String> live) {
        this.rnd = rnd;
        this.live = live;
        poolNames.add("DefaultPool");
        for (int i = 1; i < 64; i++) {
            poolNames.add(String.format("SharedPool%02d", i));
        }
    }

    static JsonNode parse(String s) {
        try {
            return STRICT.readTree(s);
        } catch (IOException e) {
            return null;
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The name a JSON value becomes in the HMC record, as JsonAttributes reads it; null if it is not one.
     * Only what a successful request can have sent matters here.
     */
    static String rendered(JsonNode v) {
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

    static JsonNode bodyObject(byte[] body) {
        if (body == null) {
            return null;
        }
        JsonNode n = parse(new String(body, StandardCharsets.UTF_8));
        return n != null && n.isObject() ? n : null;
    }

    boolean p(double prob) {
        return rnd.nextDouble() < prob;
    }

    <T> T pick(List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    String fresh() {
        return "fz" + (counter++);
    }

    /** A partition name for a path: mostly live ones, sometimes missing or strange. */
    String partitionName() {
        if (!live.isEmpty() && p(0.75)) {
            return pick(new ArrayList<>(live));
        }
        return pick(List.of("nosuch", "fz0", "a,b", "x\"y", "lpar_names=z", "ü-ñ", "..", "%", " ", "a/b",
                "x".repeat(300), String.join(",", live.isEmpty() ? Set.of("q") : live), "\t"));
    }

    String profileName() {
        return pick(List.of("default", "default", "p2", "p3", "nosuch", "a,b", "x\"y", "ünï"));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> asMap(Object o) {
        return o instanceof Map ? new LinkedHashMap<>((Map<String, Object>) o) : new LinkedHashMap<>();
    }

    /** String-level damage: duplicate key, trailing text, flipped byte, invalid UTF-8, deep nesting... */
    byte[] rawMangled(String s) {
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

    // ---- values ------------------------------------------------------------------------------------

    /** A raw JSON number token, written as is (lets us send numbers Java cannot hold). */
    record Raw(String text) {
    }

    Object randomScalar() {
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

    Object wrongType() {
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

    String randomKey() {
        String k = randomString();
        return k.replace(",", "").replace("=", "").replace("\"", "");
    }

    String randomString() {
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

    Object randomJson(int depth) {
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

    static byte[] bytes(Object o) {
        return json(o).getBytes(StandardCharsets.UTF_8);
    }

    static String json(Object o) {
        StringBuilder b = new StringBuilder();
        write(b, o);
        return b.toString();
    }

    static void write(StringBuilder b, Object o) {
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
