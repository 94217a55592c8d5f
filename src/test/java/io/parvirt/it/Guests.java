package io.parvirt.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.testing.Await;
import java.time.Duration;

/** Helpers for tests with real guests: definitions, waiting for states, guest exec through the API. */
final class Guests {
    private Guests() {
    }

    static String lpar(String name, int desiredMem, int vps) {
        return "name=" + name + ",profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=" + desiredMem
                + ",max_mem=" + Math.max(desiredMem, 512) + ",proc_mode=shared,min_proc_units=0.1,desired_proc_units="
                + (vps * 0.1 > 1 ? "1.0" : String.format("%.1f", vps * 0.1)) + ",max_proc_units=2.0,min_procs=1,"
                + "desired_procs=" + vps + ",max_procs=4,sharing_mode=uncap,uncap_weight=128";
    }

    /** Defines a partition of 256 MB and one VP with lpar_env {@code env} and extra attributes ({@code adapters}). */
    static void define(RunningDaemon d, String name, String env, String adapters) {
        define(d, "sys1", name, env, adapters);
    }

    /** The same on managed system {@code sys}. */
    static void define(RunningDaemon d, String sys, String name, String env, String adapters) {
        var r = d.hmc("mksyscfg", "-r", "lpar", "-m", sys, "-i", lpar(name, 256, 1)
                .replace("lpar_env=aixlinux", "lpar_env=" + env) + "," + adapters);
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.stdout()).isZero();
    }

    /** Runs a command on VIOS {@code vios} through viosvrcmd; it must succeed. */
    static String vios(RunningDaemon d, String vios, String command) {
        return vios(d, "sys1", vios, command);
    }

    /** The same on managed system {@code sys}. */
    static String vios(RunningDaemon d, String sys, String vios, String command) {
        var r = d.hmc("viosvrcmd", "-m", sys, "-p", vios, "-c", command);
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(command + ": " + r.stdout()).isZero();
        return r.stdout();
    }

    static String state(RunningDaemon d, String name) {
        return d.hmc("lssyscfg", "-r", "lpar", "-m", d.system(), "--filter", "lpar_names=" + name, "-F", "state")
                .stdout().strip();
    }

    /** How often waits on a daemon poll it: each probe is an HMC command. */
    static final Duration POLL = Duration.ofMillis(200);

    static void awaitState(RunningDaemon d, String name, String state, Duration timeout) {
        Await.on(name + " to be " + state, () -> state(d, name)).within(timeout).every(POLL)
                .detail(() -> "refcode: " + d.hmc("lsrefcode", "-r", "lpar", "-m", d.system()).stdout() + "\nconsole:\n"
                        + d.api("GET", "/api/v1/partitions/" + name + "/console?kb=4", null).body())
                .until(state::equals);
    }

    record Exec(int status, int exit, String stdout, String stderr, String body) {
    }

    static Exec exec(RunningDaemon d, String name, String... argv) {
        String body;
        try {
            body = new ObjectMapper().writeValueAsString(java.util.Map.of("argv", java.util.List.of(argv)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        var r = d.api("POST", "/api/v1/partitions/" + name + "/exec", body);
        try {
            JsonNode n = new ObjectMapper().readTree(r.body());
            return new Exec(r.statusCode(), n.path("exit_code").asInt(-1), n.path("stdout").asText(),
                    n.path("stderr").asText(), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(r.body(), e);
        }
    }

    static long memSys(RunningDaemon d, String attr) {
        return Long.parseLong(d.hmc("lshwres", "-r", "mem", "-m", "sys1", "--level", "sys", "-F", attr).stdout()
                .strip());
    }
}
