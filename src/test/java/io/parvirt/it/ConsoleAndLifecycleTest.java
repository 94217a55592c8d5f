package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The virtual console through ./parvirt mkvterm (one session at a time, rmvterm, ~. to detach),
 * the same console through OpenSSH's {@code ssh -tt} to the HMC over SSH, auto_start with the
 * daemon, and restart.
 */
@Tag("guest")
class ConsoleAndLifecycleTest {

    /** Types a command on the console, waits for its output, then detaches with ~. as a person would. */
    static String interactiveSession(Path home) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Cli.root().resolve("parvirt").toString(), "mkvterm", "-m", "sys1",
                "-p", "lp1").redirectErrorStream(true);
        pb.environment().put("PARVIRT_HOME", home.toString());
        Process p = pb.start();
        StringBuilder seen = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = p.getInputStream()) {
                int b;
                while ((b = in.read()) >= 0) {
                    synchronized (seen) {
                        seen.append((char) b);
                    }
                }
            } catch (java.io.IOException e) {
                // the session ended
            }
        });
        var out = p.getOutputStream();
        out.write("echo con$((6*7))sole\r".getBytes(StandardCharsets.UTF_8));
        out.flush();
        Await.on("con42sole on the console", () -> {
            synchronized (seen) {
                return seen.toString();
            }
        }).within(Duration.ofSeconds(20)).until(t -> t.contains("con42sole"));
        out.write("\r~.".getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("~. detaches").isTrue();
        assertThat(p.exitValue()).isZero();
        reader.join(5000);
        return seen.toString();
    }

    /**
     * Issue 15/16: an administrator's {@code ssh -tt hscroot@hmc} under a pseudo-terminal (util-linux
     * {@code script}), {@code mkvterm} in the restricted shell, a command typed on the guest's shell,
     * then Enter, {@code ~}, {@code .} as a person types them. This side plays the terminal
     * emulator: it answers the guest shell's cursor-position query ({@code ESC [ 6 n}, sent with
     * every prompt) as xterm and tmux do, so the answer arrives as input just before the
     * {@code ~.}. OpenSSH's own escape is off ({@code -e none}): {@code ~.} must reach parvirt,
     * leave the console and leave the SSH shell running.
     */
    static void sshVtermSession(Path home, Path dir) throws Exception {
        Path key = dir.resolve("id");
        assertThat(new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start().waitFor()).isZero();
        assertThat(Cli.run(home, "mkhmcusr", "-u", "hscroot", "-a", "hmcsuperadmin", "--passwd", "abc123abc").exit())
                .isZero();
        assertThat(Cli.run(home, "mkauthkeys", "-u", "hscroot", "-a", Files.readString(dir.resolve("id.pub")).strip())
                .exit()).isZero();
        String port = Files.readString(home.resolve("run/ssh-listen")).strip().split(":")[1];
        String ssh = "ssh -tt -e none -p " + port + " -i " + key + " -o BatchMode=yes -o IdentitiesOnly=yes"
                + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR hscroot@127.0.0.1";
        Process p = new ProcessBuilder("script", "-qfec", ssh, "/dev/null").redirectErrorStream(true).start();
        var out = p.getOutputStream();
        StringBuilder seen = new StringBuilder();
        int[] answered = {0};
        Thread terminal = Thread.ofVirtual().start(() -> {
            try (var in = p.getInputStream()) {
                int b;
                while ((b = in.read()) >= 0) {
                    synchronized (seen) {
                        seen.append((char) b);
                        if (seen.length() >= 4 && seen.substring(seen.length() - 4).equals("\u001b[6n")) {
                            type(out, "\u001b[24;10R"); // what a terminal answers
                            answered[0]++;
                        }
                    }
                }
            } catch (java.io.IOException e) {
                // the session ended
            }
        });
        java.util.function.Supplier<String> screen = () -> {
            synchronized (seen) {
                return seen.toString();
            }
        };
        java.util.function.IntSupplier queries = () -> {
            synchronized (seen) {
                return answered[0];
            }
        };
        try {
            Await.on("the SSH shell's prompt", screen::get).within(Duration.ofSeconds(30)).until(t -> t.contains(":~> "));
            type(out, "mkvterm -m sys1 -p lp1\r");
            type(out, "echo via$((6*7))ssh\r");
            Await.on("via42ssh from the guest", screen::get).within(Duration.ofSeconds(30)).until(t -> t.contains("via42ssh"));
            // Enter; the guest's shell prints its prompt and asks where the cursor is: that query,
            // once answered, is the moment a person types ~. (the answer came in between).
            int before = queries.getAsInt();
            int mark = screen.get().length();
            type(out, "\r");
            Await.on("the guest's next prompt and its cursor query", () -> screen.get().substring(mark) + " queries="
                    + queries.getAsInt()).within(Duration.ofSeconds(30))
                    .until(t -> t.contains("lp1:") && queries.getAsInt() > before);
            type(out, "~");
            type(out, ".");
            // The console is left and the SSH shell prompts again; the guest never saw "~.".
            Await.on("the SSH shell's prompt after ~.", () -> screen.get().substring(mark)).within(Duration.ofSeconds(30))
                    .until(t -> t.contains(":~> "));
            type(out, "lssyscfg -r sys -F name\r");
            Await.on("sys1 from the SSH shell", () -> screen.get().substring(mark)).within(Duration.ofSeconds(30))
                    .until(t -> t.contains("sys1\r\n"));
            type(out, "exit\r");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exit leaves ssh: " + screen.get()).isTrue();
            assertThat(p.exitValue()).isZero();
            terminal.join(5000);
            assertThat(screen.get().substring(mark)).doesNotContain("~.").doesNotContain("not found");
        } finally {
            p.destroyForcibly();
        }
    }

    private static void type(java.io.OutputStream out, String keys) throws java.io.IOException {
        synchronized (out) {
            out.write(keys.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    @Test
    void mkvtermReachesTheGuestShellOneSessionAtATime(@TempDir Path home, @TempDir Path dir) throws Exception {
        try (ServedHome h = ServedHome.startWith(home, "ssh.listen=127.0.0.1:0\n", "lp1", "lp2")) {
            Cli.run(home, "mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp1", 256, 1) + ",auto_start=1");
            Cli.run(home, "mksyscfg", "-r", "lpar", "-m", "sys1", "-i", Guests.lpar("lp2", 256, 1));
            assertThat(Cli.run(home, "mkvterm", "-m", "sys1", "-p", "lp2").stdout()).startsWith("HSCL130C ")
                    .contains("not activated");
            Cli.run(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "lp1");
            h.awaitState("lp1", "Running", 120);

            assertThat(interactiveSession(home)).contains("con42sole");
            sshVtermSession(home, dir);

            // A session held open by a client that sends nothing: a second one is refused, rmvterm ends the first.
            ProcessBuilder pb = new ProcessBuilder(Cli.root().resolve("parvirt").toString(), "mkvterm", "-m", "sys1",
                    "-p", "lp1");
            pb.environment().put("PARVIRT_HOME", home.toString());
            Process first = pb.redirectErrorStream(true).start();
            // Attached once the guest's shell answers through it; only then may a second one be refused.
            first.getOutputStream().write("echo attached\r".getBytes(StandardCharsets.UTF_8));
            first.getOutputStream().flush();
            StringBuilder firstOut = new StringBuilder();
            Thread.ofVirtual().start(() -> {
                try (var in = first.getInputStream()) {
                    int b;
                    while ((b = in.read()) >= 0) {
                        synchronized (firstOut) {
                            firstOut.append((char) b);
                        }
                    }
                } catch (java.io.IOException e) {
                    // ended
                }
            });
            Await.on("first session attached", () -> {
                synchronized (firstOut) {
                    return firstOut.toString();
                }
            }).within(Duration.ofSeconds(20)).until(t -> t.contains("attached"));
            Await.on("second session refused", () -> Cli.run(home, "mkvterm", "-m", "sys1", "-p", "lp1").stdout())
                    .within(Duration.ofSeconds(20)).every(ServedHome.POLL).until(t -> t.contains("already open"));
            CompletableFuture<Boolean> ended = first.onExit().thenApply(p -> true);
            assertThat(Cli.run(home, "rmvterm", "-m", "sys1", "-p", "lp1").exit()).isZero();
            assertThat(ended.get(20, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).isZero();
            // issue 16: who held the keyboard when, each session's start and end in the audit trail
            Await.on("the console sessions in the audit trail", () -> Cli.run(home, "lssvcevents", "-t", "console",
                    "-F", "text").stdout()).within(Duration.ofSeconds(20)).every(ServedHome.POLL).until(t -> t.contains(
                    "Console of partition lp1: keyboard taken by hscroot from SSH (mkvterm)")
                    && t.contains("Console of partition lp1: keyboard released by hscroot")
                    && t.contains(" forced off by rmvterm by "));

            // console history is kept per partition UUID (issue 12): a later lp1 never inherits it
            java.nio.file.Path lp1Log = home.resolve("logs/console").resolve(Cli.run(home, "lssyscfg", "-r", "lpar",
                    "-m", "sys1", "--filter", "lpar_names=lp1", "-F", "uuid").stdout().strip()).resolve("lp1.log");
            String log = Files.readString(lp1Log);
            assertThat(log).contains("PARVIRT-READY host=lp1").contains("con42sole");

            // auto_start=1: a new daemon starts lp1 by itself (after an orderly stop of everything).
            Cli.run(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "lp1");
            h.awaitState("lp1", "Not Activated", 30);
            h.stop();
            h.serveAgain();
            h.awaitState("lp1", "Running", 120);
            assertThat(h.state("lp2")).isEqualTo("Not Activated");

            // restart: the guest boots again (a new kernel start) and comes back Running.
            Cli.Result up1 = Cli.run(home, "guest", "exec", "-m", "sys1", "-p", "lp1", "--", "/bin/cat", "/proc/uptime");
            assertThat(Cli.run(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "restart", "--immed", "-n", "lp1")
                    .exit()).isZero();
            Await.on("restart to leave Running", () -> h.state("lp1")).within(Duration.ofSeconds(20))
                    .every(ServedHome.POLL).until(st -> !st.equals("Running"));
            h.awaitState("lp1", "Running", 120);
            Cli.Result up2 = Cli.run(home, "guest", "exec", "-m", "sys1", "-p", "lp1", "--", "/bin/cat", "/proc/uptime");
            assertThat(Double.parseDouble(up2.stdout().split(" ")[0]))
                    .isLessThan(Double.parseDouble(up1.stdout().split(" ")[0]) + 60);
            assertThat(Files.readString(lp1Log).split("PARVIRT-READY host=lp1", -1))
                    .hasSizeGreaterThanOrEqualTo(3);
        } finally {
            // the mkvterm sessions; the partitions and the daemon are stopped by the ServedHome
            ProcessHandle.current().descendants().filter(ph -> ph.info().commandLine().orElse("").contains("mkvterm"))
                    .forEach(ProcessHandle::destroyForcibly);
        }
    }
}
