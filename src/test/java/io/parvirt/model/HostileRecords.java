package io.parvirt.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Generates hostile {@code -i} records for {@link AttributeFuzzTest}; deterministic for a given Random. */
final class HostileRecords {
    private final Random rnd;

    HostileRecords(Random rnd) {
        this.rnd = rnd;
    }

    static final List<String> ATTRS = List.of("all_resources", "min_mem", "desired_mem", "max_mem",
            "min_num_huge_pages", "desired_num_huge_pages", "max_num_huge_pages", "mem_mode", "hpt_ratio",
            "proc_mode", "min_procs", "desired_procs", "max_procs", "min_proc_units", "desired_proc_units",
            "max_proc_units", "sharing_mode", "uncap_weight", "shared_proc_pool_id", "shared_proc_pool_name",
            "affinity_group_id", "io_slots", "lpar_io_pool_ids", "max_virtual_slots", "virtual_serial_adapters",
            "virtual_scsi_adapters", "virtual_eth_adapters", "virtual_eth_vsi_profiles", "vtpm_adapters",
            "virtual_fc_adapters", "hca_adapters", "boot_mode", "conn_monitoring", "auto_start",
            "power_ctrl_lpar_ids", "work_group_id", "redundant_err_path_reporting", "bsr_arrays",
            "lpar_proc_compat_mode", "electronic_err_reporting",
            // not profile attributes, or not attribute names at all
            "name", "lpar_id", "lpar_env", "frobnicate", "Min_mem", "min_mem ", "m\u00efn_mem", "", "a".repeat(70));

    static final List<String> TOKENS = List.of("", "0", "1", "2", "-1", "7", "15", "16", "20", "63", "64", "255",
            "256", "512", "1024", "4094", "4095", "65535", "65536", "99999999999999999999", "9223372036854775807",
            "9223372036854775808", "2147483647", "2147483648", "4294967296", "000000000000000000001", "1e9", "0x10",
            "+1", " 1", "1 ", "0.5", "0.05", "0.04", "1.0", "0.001", "1.", ".5", "9999999.99", "NaN", "none", "null",
            "any", "all", "cap", "uncap", "shared", "ded", "keep_idle_procs", "aixlinux", "vioserver", "1:64", "1:3",
            "client", "server", "vios1", "lp2", "ghost", "DefaultPool", "SharedPool01", "prodpool", "ETHERNET0",
            "02123456789A", "0123456789AB", "c0507601a2b40010", "POWER9", "\u00e9", "\u4e2d", "\uff11\uff12",
            "\u0663", "\u0000", "\n", "\r\n", "\t", "\u001b[31m", "\u007f", "\u0085", "\u009b", "\u2028", "\u2029",
            "\ud83d\ude00", "\ud800", "\ufeff", ",", "a,b", "\"", "\"\"", "=", "+=", "-=", "/", "//", "///");

    static final List<String> ADAPTERS = List.of("2/1/1//0/1", "6/0/6//2/1", "2/1/1/3,4,5/0/1",
            "10/0/1//0/0/ETHERNET0//all/none", "3/client/1/vios1/5/1", "3/client//vios1/5/1", "3/server/2/lp2/5/0",
            "0/server/1/any//any/1", "1/server/1/any//any/1", "4/client/1/vios1/6//1",
            "4/client/1/vios1/30/c0507601a2b40010,c0507601a2b40011/1", "5/client/any//any/1");

    /** One record: usually close to valid, so that generation reaches build() as well as the parsers. */
    String next() {
        return switch (rnd.nextInt(12)) {
            case 0, 1 -> valid();
            case 2, 3, 4 -> mutate(valid(), 1 + rnd.nextInt(4));
            case 5 -> replacePair(valid(), pair(pick(ATTRS), hostileValue()));
            case 6 -> replacePair(valid(), pair(pick(ATTRS).replace("mem", "mem+"), adapterList()));
            case 7 -> randomPairs();
            case 8 -> replacePair(valid(), pair(pick(List.of(VirtualEthernetAdapter.ATTR, VirtualScsiAdapter.ATTR,
                    VirtualSerialAdapter.ATTR, VirtualFcAdapter.ATTR)) + pick(List.of("", "+", "-")), adapterList()));
            case 9 -> noise(1 + rnd.nextInt(80));
            case 10 -> rnd.nextBoolean() ? valid() + "," + pick(ATTRS) + "=" + huge() : perturb(valid());
            default -> rnd.nextBoolean() ? mutate(randomPairs(), 1 + rnd.nextInt(3)) : perturb(perturb(valid()));
        };
    }

    String valid() {
        int lmb = 256;
        long min = lmb * (1L + rnd.nextInt(4));
        long desired = min + lmb * (long) rnd.nextInt(4);
        long max = desired + lmb * (long) rnd.nextInt(8);
        List<String> p = new ArrayList<>(List.of("min_mem=" + min, "desired_mem=" + desired, "max_mem=" + max));
        int minP = 1 + rnd.nextInt(2);
        int desP = minP + rnd.nextInt(3);
        int maxP = desP + rnd.nextInt(3);
        p.add("min_procs=" + minP);
        p.add("desired_procs=" + desP);
        p.add("max_procs=" + maxP);
        if (rnd.nextBoolean()) {
            p.add("proc_mode=shared");
            p.add("min_proc_units=" + new ProcUnits(minP * (5 + rnd.nextInt(96))));
            p.add("desired_proc_units=" + new ProcUnits(desP * 100));
            p.add("max_proc_units=" + new ProcUnits(maxP * 100));
            p.add("sharing_mode=" + pick(List.of("cap", "uncap")));
            p.add("uncap_weight=" + rnd.nextInt(256));
        } else {
            p.add("proc_mode=ded");
        }
        if (rnd.nextBoolean()) {
            StringBuilder b = new StringBuilder(); // the element holds commas: ""...""-quoted in a quoted pair
            AttributeOutput.pair(b, VirtualEthernetAdapter.ATTR, AttributeOutput.list(List.of("2/1/1/3,4/0/1")));
            p.add(b.toString());
        }
        if (rnd.nextBoolean()) {
            p.add(VirtualScsiAdapter.ATTR + "=" + (rnd.nextInt(8) == 0 ? 2 : 3) + "/client/1/vios1/5/1");
        }
        if (rnd.nextInt(4) == 0) {
            p.add("max_virtual_slots=" + (10 + rnd.nextInt(40)));
        }
        return String.join(",", p);
    }

    String hostileValue() {
        return switch (rnd.nextInt(6)) {
            case 0 -> huge();
            case 1 -> pick(TOKENS) + pick(TOKENS);
            case 2 -> noise(1 + rnd.nextInt(20));
            case 3 -> adapterList();
            default -> pick(TOKENS);
        };
    }

    String huge() {
        return switch (rnd.nextInt(5)) {
            case 0 -> "9".repeat(5000);
            case 1 -> "x".repeat(5000);
            case 2 -> "1".repeat(Values.MAX_VALUE_LENGTH) + (rnd.nextBoolean() ? "" : "1");
            case 3 -> ("\u00e9\ud83d\ude00,\"").repeat(1250);
            default -> "2/1/1/" + "3,".repeat(1500) + "4/0/1";
        };
    }

    /** A list of slash elements, each valid, field-shuffled, or built of random tokens. */
    String adapterList() {
        List<String> elements = new ArrayList<>();
        for (int n = rnd.nextInt(4); n >= 0; n--) {
            String e = pick(ADAPTERS);
            if (rnd.nextInt(3) == 0) {
                String[] f = e.split("/", -1);
                f[rnd.nextInt(f.length)] = pick(TOKENS);
                e = String.join("/", f);
            } else if (rnd.nextInt(3) == 0) {
                StringBuilder b = new StringBuilder();
                for (int k = rnd.nextInt(12); k >= 0; k--) {
                    b.append(pick(TOKENS)).append(rnd.nextInt(4) == 0 ? "" : "/");
                }
                e = b.toString();
            }
            elements.add(e);
        }
        return rnd.nextBoolean() ? AttributeOutput.list(elements) : String.join(",", elements);
    }

    String randomPairs() {
        StringBuilder b = new StringBuilder();
        for (int n = rnd.nextInt(6); n >= 0; n--) {
            b.append(b.isEmpty() ? "" : ",")
                    .append(pair(pick(ATTRS) + pick(List.of("", "", "", "+", "-")), hostileValue()));
        }
        return b.toString();
    }

    /** A pair written by the output rules half the time, raw (possibly ill-quoted) otherwise. */
    String pair(String name, String value) {
        if (rnd.nextBoolean()) {
            StringBuilder b = new StringBuilder();
            AttributeOutput.pair(b, name, value);
            return b.toString();
        }
        return name + "=" + value;
    }

    String replacePair(String record, String pair) {
        List<String> parts = new ArrayList<>(List.of(record.split(",(?=[a-z_]+=)")));
        parts.set(rnd.nextInt(parts.size()), pair);
        return String.join(",", parts);
    }

    /** Replaces one number of a record by a nearby or boundary number: reaches the §3 rules, not the parser. */
    String perturb(String record) {
        Matcher m = NUMBER.matcher(record);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        int[] at = spans.get(rnd.nextInt(spans.size()));
        String by = pick(List.of("0", "1", "2", "3", "4", "5", "11", "19", "20", "21", "63", "64", "65", "100",
                "128", "255", "256", "257", "300", "1000", "4096", "16384", "16640", "65536", "0.01", "0.04", "0.05",
                "0.09", "0.1", "1.01", "2.5", "64.0"));
        return record.substring(0, at[0]) + by + record.substring(at[1]);
    }

    private static final Pattern NUMBER = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    String mutate(String s, int times) {
        StringBuilder b = new StringBuilder(s);
        for (int i = 0; i < times; i++) {
            int at = b.isEmpty() ? 0 : rnd.nextInt(b.length());
            switch (rnd.nextInt(6)) {
                case 0 -> b.insert(at, pick(List.of("\"", ",", "=", "/", "+", "-", "\"\"", ",,", "9", "\u0000")));
                case 1 -> {
                    if (!b.isEmpty()) {
                        b.deleteCharAt(at);
                    }
                }
                case 2 -> b.insert(at, pick(TOKENS));
                case 3 -> b.insert(at, b.substring(at, Math.min(b.length(), at + rnd.nextInt(30))));
                case 4 -> b.setLength(at);
                default -> {
                    if (!b.isEmpty()) {
                        b.setCharAt(at, (char) rnd.nextInt(0x3000));
                    }
                }
            }
        }
        return b.toString();
    }

    String noise(int len) {
        StringBuilder b = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            b.append(rnd.nextInt(3) == 0 ? (char) rnd.nextInt(0x10000) : "ab_=,\"/+-019 ".charAt(rnd.nextInt(13)));
        }
        return b.toString();
    }

    private <T> T pick(List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }
}
