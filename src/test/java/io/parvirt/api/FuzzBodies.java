package io.parvirt.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Request bodies for the API fuzzer: structured ones for each route, randomly edited, and hostile shapes. */
abstract class FuzzBodies extends FuzzValues {
    FuzzBodies(Random rnd, Set<String> live) {
        super(rnd, live);
    }

    /** A body from a structured generator, or one of the generic hostile shapes. */
    byte[] body(java.util.function.Supplier<Object> structured) {
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

    // ---- structured bodies -------------------------------------------------------------------------

    Map<String, Object> partitionBody(String name) {
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
    void mutate(Map<String, Object> m) {
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

    Object partitionPatch() {
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

    Object profileBody() {
        Map<String, Object> m = partitionBody(pick(List.of("p2", "p3", "default", fresh())));
        m.remove("profile_name");
        if (p(0.8)) {
            m.remove("lpar_env");
        }
        return m;
    }

    Object profilePatch() {
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

    Object poolPatch() {
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

    Object systemPatch() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("description", pick(List.of("lab", "a,b", "\"", "ü", "")));
        if (p(0.1)) {
            m.put(pick(ATTRS), randomScalar());
        }
        return m;
    }

    // ---- hostile bodies built on structured ones ---------------------------------------------------

    Object hugeNumbers() {
        Map<String, Object> m = asMap(partitionBody(fresh()));
        for (int i = rnd.nextInt(3); i >= 0; i--) {
            m.put(pick(ATTRS), new Raw(pick(List.of("1e400", "-1e400", "1e-400", "99999999999999999999999999999",
                    "-99999999999999999999999", "1.7976931348623157E309", "4.9e-325", "123456789012345678901234.5",
                    "0.000000000000000000000001", "9".repeat(900), "1" + "0".repeat(400) + ".5", "-0", "-0.0",
                    "1E+2", "2048.000", "1e2"))));
        }
        return m;
    }

    Object strangeChars() {
        Map<String, Object> m = asMap(partitionBody(fresh()));
        String s = pick(List.of("\u0000", "\u0007bell", "tab\there", "new\nline", "cr\rlf", "\u202Eevil",
                "\uD83D\uDE00", "名前", "é", "\u00A0", "\uFEFF", "\u0085", "\\", "'", "--", "a\u0000b"));
        m.put(pick(List.of("name", "description", "profile_name", "lpar_env", "virtual_eth_adapters",
                randomKey())), p(0.2) ? List.of(s, s) : s);
        return m;
    }

    Object unbalancedRecordValues() {
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
}
