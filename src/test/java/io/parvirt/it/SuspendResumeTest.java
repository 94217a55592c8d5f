package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: {@code chlparstate -o suspend|resume} on a real TCG guest. A value in a tmpfs and a
 * counter process in the background are the witnesses: after suspend the partition's QEMU is gone,
 * its memory is free and its saved state file is on disk; a SIGKILLed daemon comes back to it
 * Suspended; after resume the value is there, the counter is the same process, and it counts on.
 * The refusals that need a running or suspended guest are checked here too, each changing nothing.
 */
@Tag("guest")
class SuspendResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    // Written beside and renamed over: a plain "echo $i > count" truncates first, and a read in between
    // saw an empty file (CI: "it counts on from where it was", 0 read just after the resume).
    private static final String COUNTER = "i=0; while true; do i=$((i+1)); echo $i > /mnt/susp/count.t; "
            + "mv /mnt/susp/count.t /mnt/susp/count; sleep 1; done";

    @Test
    void aSuspendedGuestResumesWhereItWasAcrossADaemonKill(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        try (ServedHome h = ServedHome.start(dir, "lp1")) {
            hmc(h, "mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 1) + ",suspend_capable=1");
            String uuid = hmc(h, "lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "uuid").strip();
            long freeMem = availMem(h);
            hmc(h, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1");
            awaitState(h, "Running", 180);
            long qemu = qemuPid(uuid);
            assertThat(qemu).as("QEMU of lp1").isPositive();

            guest(h, "mkdir -p /mnt/susp && mount -t tmpfs tmpfs /mnt/susp && echo suspended-value-42 > /mnt/susp/v");
            String pid = guest(h, "(" + COUNTER + ") </dev/null >/dev/null 2>&1 & echo $!").strip();
            Await.on("the counter to count", () -> count(h)).within(Duration.ofSeconds(60)).until(c -> c >= 2);
            // pid, name and start time (in clock ticks since boot): the same three after resume is the same process
            String process = guest(h, "cut -d' ' -f1,2,22 /proc/" + pid + "/stat").strip();
            assertThat(process).startsWith(pid + " (sh) ");
            int before = count(h);
            refusedByCli(h, "only a Suspended partition can be resumed", "chlparstate", "-o", "resume", "-m", "sys1",
                    "-p", "lp1");

            long s0 = System.nanoTime();
            h.ok("chlparstate", "-o", "suspend", "-m", "sys1", "-p", "lp1");
            long suspendMs = (System.nanoTime() - s0) / 1_000_000;
            assertThat(state(h)).isEqualTo("Suspended");
            Await.until("lp1's QEMU to be gone", Duration.ofSeconds(30), () -> qemuPid(uuid) < 0);
            assertThat(availMem(h)).as("its memory is free again").isEqualTo(freeMem);
            Path saved = dir.resolve("suspended").resolve(uuid + ".state");
            assertThat(saved).as("the saved state file").isRegularFile();
            assertThat(Files.size(saved)).isGreaterThan(1 << 20);
            assertThat(dir.resolve("suspended").resolve(saved.getFileName() + ".part")).doesNotExist();
            refused(h, "is Suspended: resume it", "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1");
            refused(h, "only a Running partition can be suspended", "chlparstate", "-o", "suspend", "-m", "sys1",
                    "-p", "lp1");

            h.kill();
            h.serveAgain();
            assertThat(state(h)).as("Suspended across a SIGKILL of the daemon").isEqualTo("Suspended");

            long r0 = System.nanoTime();
            h.ok("chlparstate", "-o", "resume", "-m", "sys1", "-p", "lp1");
            long resumeMs = (System.nanoTime() - r0) / 1_000_000;
            assertThat(state(h)).isEqualTo("Running");
            assertThat(saved).as("the saved state is deleted once the guest runs again").doesNotExist();
            // Running as soon as the guest runs; its agent (RMC) is found again as after a migration
            Await.on("lp1's agent to answer again", () -> hmc(h, "lssyscfg", "-r", "lpar", "-m", "sys1", "-F",
                    "rmc_state").strip()).within(Duration.ofSeconds(60)).every(Duration.ofMillis(200))
                    .until("active"::equals);
            assertThat(guest(h, "cat /mnt/susp/v").strip()).isEqualTo("suspended-value-42");
            assertThat(guest(h, "cut -d' ' -f1,2,22 /proc/" + pid + "/stat").strip()).as("the counter is the same "
                    + "process").isEqualTo(process);
            int after = count(h);
            assertThat(after).as("it counts on from where it was").isGreaterThanOrEqualTo(before);
            Await.on("the counter to go on", () -> count(h)).within(Duration.ofSeconds(60)).until(c -> c > after);

            hmc(h, "chlparstate", "-o", "suspend", "-m", "sys1", "-p", "lp1");
            h.ok("chlparstate", "-o", "shutdown", "-m", "sys1", "-p", "lp1");
            assertThat(state(h)).isEqualTo("Not Activated");
            assertThat(saved).as("shut down: its saved state is deleted").doesNotExist();
            System.out.printf("suspend-resume: suspend %d ms, resume %d ms, test %d s%n", suspendMs, resumeMs,
                    (System.nanoTime() - t0) / 1_000_000_000);
        }
    }

    /** A shell command in the guest through its agent (the API's guest exec); its standard output. */
    private static String guest(ServedHome h, String script) {
        HttpResponse<String> r = api(h, "/api/v1/partitions/lp1/exec", JSON.createObjectNode().<
                com.fasterxml.jackson.databind.node.ObjectNode>set("argv", JSON.valueToTree(List.of("/bin/sh", "-c",
                script))).put("timeout_seconds", 60).toString());
        try {
            JsonNode out = JSON.readTree(r.body());
            assertThat(out.path("exit_code").asInt(-1)).as(script + ": " + r.body()).isZero();
            return out.path("stdout").asText();
        } catch (IOException e) {
            throw new IllegalStateException(r.body(), e);
        }
    }

    /**
     * A command line through the daemon's API, as the CLI sends it: the many listings and polls here
     * would each start a JVM through {@code ./parvirt}; the CLI itself is used for suspend, resume,
     * shutdown and one refusal. Must succeed.
     */
    private static String hmc(ServedHome h, String... argv) {
        Hmc r = run(h, argv);
        assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.stdout()).isZero();
        return r.stdout();
    }

    private record Hmc(int exit, String stdout) {
    }

    private static Hmc run(ServedHome h, String... argv) {
        HttpResponse<String> r = api(h, "/api/v1/hmc/cli", JSON.createObjectNode().<
                com.fasterxml.jackson.databind.node.ObjectNode>set("argv", JSON.valueToTree(List.of(argv))).toString());
        return new Hmc(Integer.parseInt(r.headers().firstValue("X-Parvirt-Exit-Code").orElse("-1")), r.body());
    }

    private static HttpResponse<String> api(ServedHome h, String path, String body) {
        try {
            String listen = Files.readString(h.home.resolve("run/listen")).strip();
            String token = Files.readString(h.home.resolve("run/token")).strip();
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + listen + path))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String state(ServedHome h) {
        return hmc(h, "lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=lp1", "-F", "state").strip();
    }

    private static void awaitState(ServedHome h, String want, long seconds) {
        Await.on("lp1 to be " + want, () -> state(h)).within(Duration.ofSeconds(seconds)).every(Duration.ofMillis(200))
                .until(want::equals);
    }

    private static int count(ServedHome h) {
        String c = guest(h, "cat /mnt/susp/count 2>/dev/null || echo 0").strip();
        return c.isEmpty() ? 0 : Integer.parseInt(c);
    }

    private static long availMem(ServedHome h) {
        return Long.parseLong(hmc(h, "lshwres", "-r", "mem", "-m", "sys1", "--level", "sys", "-F",
                "curr_avail_sys_mem").strip());
    }

    /** One HSCL line on standard output, a non-zero exit, and the listings as they were. */
    private static void refused(ServedHome h, String contains, String... argv) {
        String before = listings(h);
        Hmc r = run(h, argv);
        assertThat(r.exit()).as(String.join(" ", argv)).isNotZero();
        assertThat(r.stdout()).as(String.join(" ", argv)).startsWith("HSCL").contains(contains).hasLineCount(1);
        assertThat(listings(h)).as("nothing changed by " + String.join(" ", argv)).isEqualTo(before);
    }

    /** The same through {@code ./parvirt}: the line on the CLI's standard output, nothing on its standard error. */
    private static void refusedByCli(ServedHome h, String contains, String... argv) {
        String before = listings(h);
        Cli.Result r = h.run(argv);
        assertThat(r.exit()).as(String.join(" ", argv)).isNotZero();
        assertThat(r.stdout()).as(String.join(" ", argv)).startsWith("HSCL").contains(contains).hasLineCount(1);
        assertThat(r.stderr()).isEmpty();
        assertThat(listings(h)).as("nothing changed by " + String.join(" ", argv)).isEqualTo(before);
    }

    private static String listings(ServedHome h) {
        return hmc(h, "lssyscfg", "-r", "lpar", "-m", "sys1") + hmc(h, "lshwres", "-r", "mem", "-m", "sys1",
                "--level", "sys") + hmc(h, "lsrunstate", "-r", "lpar", "-m", "sys1");
    }

    /** The pid of the QEMU whose command line carries {@code uuid}, or -1 (read from /proc: it may run as another user). */
    private static long qemuPid(String uuid) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (cmd.contains("qemu-system") && cmd.contains(uuid)) {
                        return Long.parseLong(p.getFileName().toString());
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return -1;
    }
}
