package io.parvirt.dispatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The kernel's CPU lists ("0-3,8"): the host's online CPUs, and the cpusets the dispatcher writes. */
final class CpuList {
    private CpuList() {
    }

    /** A kernel CPU list ("0,1,3") of the given CPUs. */
    static String format(List<Integer> cpus) {
        StringBuilder sb = new StringBuilder();
        for (int c : new TreeSet<>(cpus)) {
            sb.append(sb.isEmpty() ? "" : ",").append(c);
        }
        return sb.toString();
    }

    /** The host CPUs this daemon may use ({@code /sys/devices/system/cpu/online}). */
    static List<Integer> online() {
        try {
            return parse(Files.readString(Path.of("/sys/devices/system/cpu/online")).strip());
        } catch (IOException | RuntimeException e) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                all.add(i);
            }
            return List.copyOf(all);
        }
    }

    /** Parses a kernel CPU list such as "0-3,8". */
    static List<Integer> parse(String s) {
        List<Integer> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] r = part.strip().split("-");
            int from = Integer.parseInt(r[0]);
            int to = r.length > 1 ? Integer.parseInt(r[1]) : from;
            for (int i = from; i <= to; i++) {
                out.add(i);
            }
        }
        return List.copyOf(out);
    }
}
