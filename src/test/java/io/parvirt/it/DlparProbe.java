package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What the DLPAR tests run and read through a daemon: chhwres, listings, the guest's own view, the dispatcher's. */
final class DlparProbe {
    private DlparProbe() {
    }

    static RunningDaemon.Hmc chhwres(RunningDaemon d, String... args) {
        String[] argv = new String[args.length + 3];
        argv[0] = "chhwres";
        argv[1] = "-m";
        argv[2] = "sys1";
        System.arraycopy(args, 0, argv, 3, args.length);
        return d.hmc(argv);
    }

    /** Everything DLPAR could change, for before/after comparisons. */
    static String snapshot(RunningDaemon d) {
        return d.hmc("lshwres", "-r", "proc", "-m", "sys1", "--level", "lpar").stdout()
                + d.hmc("lshwres", "-r", "mem", "-m", "sys1", "--level", "lpar").stdout()
                + d.hmc("lshwres", "-r", "mem", "-m", "sys1", "--level", "sys", "-F", "curr_avail_sys_mem").stdout()
                + d.hmc("lshwres", "-r", "proc", "-m", "sys1", "--level", "sys", "-F", "curr_avail_sys_proc_units")
                        .stdout();
    }

    static int nproc(RunningDaemon d, String lpar) {
        Guests.Exec e = Guests.exec(d, lpar, "/bin/sh", "-c", "nproc");
        assertThat(e.exit()).as(e.body()).isZero();
        return Integer.parseInt(e.stdout().strip());
    }

    static long memTotalMb(RunningDaemon d, String lpar) {
        Guests.Exec e = Guests.exec(d, lpar, "/bin/cat", "/proc/meminfo");
        return Long.parseLong(e.stdout().lines().filter(l -> l.startsWith("MemTotal:")).findFirst().orElseThrow()
                .replaceAll("[^0-9]", "")) / 1024;
    }

    static String lpar(RunningDaemon d, String resource, String name, String fields) {
        return d.hmc("lshwres", "-r", resource, "-m", "sys1", "--level", "lpar", "--filter", "lpar_names=" + name,
                "-F", fields).stdout().strip();
    }

    /** The partition as the dispatcher reports it ({@code /api/v1/dispatch}); missing: an empty node. */
    static JsonNode dispatched(RunningDaemon d, String name) {
        try {
            JsonNode r = new ObjectMapper().readTree(d.api("GET", "/api/v1/dispatch", null).body());
            for (JsonNode p : r.path("partitions")) {
                if (p.path("name").asText().equals(name)) {
                    return p;
                }
            }
            return new ObjectMapper().createObjectNode();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
