package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, holes 9 and 10 at the command line: {@code -f /dev/zero} or a file of several MB ended
 * the CLI with an OutOfMemoryError and a trace, or "Broken pipe"/"HTTP 413" on stderr with exit 2;
 * invalid UTF-8 "could not be read"; and a password could only be given on the command line. Each
 * is now one HMC-style line on standard output (exit 1), or the password read from standard input.
 */
@Tag("daemon")
class CliInputEdgesTest {
    static CliHome home;

    @BeforeAll
    static void start() {
        home = new CliHome();
    }

    @AfterAll
    static void stop() {
        home.close();
    }

    static void assertOneLineRefusal(Cli.Result r, String line) {
        assertThat(r.exit()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr()).as("stderr").isEmpty();
        assertThat(r.stdout()).isEqualTo(line + "\n");
    }

    @Test
    void aRecordFileThatNeverEndsOrIsHugeIsRefusedInOneLine() throws Exception {
        assertOneLineRefusal(home.run("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/dev/zero"),
                "The file /dev/zero is too large: at most 512 KB of records can be read.");
        Path big = Files.createTempFile("parvirt-big", ".txt");
        try {
            Files.writeString(big, ("name=x,profile_name=p,lpar_env=aixlinux\n").repeat(120_000));
            assertOneLineRefusal(home.run("chsyscfg", "-r", "prof", "-m", "sys1", "-f", big.toString()),
                    "The file " + big + " is too large: at most 512 KB of records can be read.");
        } finally {
            Files.deleteIfExists(big);
        }
        assertThat(home.run("lssyscfg", "-r", "lpar", "-m", "sys1").stdout()).isEqualTo("No results were found.\n");
    }

    @Test
    void aFileThatIsNotUtf8SaysSo() throws Exception {
        Path bad = Files.createTempFile("parvirt-latin1", ".txt");
        try {
            Files.write(bad, "name=caf\u00e9,profile_name=p\n".getBytes(StandardCharsets.ISO_8859_1));
            assertOneLineRefusal(home.run("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", bad.toString()),
                    "The file " + bad + " is not UTF-8 text.");
        } finally {
            Files.deleteIfExists(bad);
        }
    }

    @Test
    void aPasswordIsReadFromStandardInputWhenNotOnTheCommandLine() throws Exception {
        Cli.Result r = Cli.runWithInput(home.dir(), "s3cret-from-stdin\n".getBytes(StandardCharsets.UTF_8),
                "mkhmcusr", "-u", "carol", "-a", "hmcviewer");
        assertThat(r.exit()).as(r.stdout() + r.stderr()).isZero();
        assertThat(home.run("lshmcusr", "-F", "name,taskrole").stdout()).contains("carol,hmcviewer");
        // the line read is the password: carol logs in with it, and with nothing else
        assertThat(login("carol", "s3cret-from-stdin")).isEqualTo(200);
        assertThat(login("carol", "s3cret-from-stdin\n")).isEqualTo(401);
        assertThat(login("carol", "")).isEqualTo(401);
    }

    @Test
    void onATerminalThePasswordIsAskedTwiceAndNotEchoed() throws Exception {
        // A real pseudo-terminal (util-linux script), as an administrator's shell gives the CLI.
        String secret = "Tty-s3cret-" + System.nanoTime();
        String typed = prompted(List.of(secret, secret), "mkhmcusr", "-u", "dave", "-a", "hmcviewer");
        assertThat(typed).contains("Enter the new password:").contains("Retype the new password:")
                .doesNotContain(secret);
        assertThat(login("dave", secret)).isEqualTo(200);

        String mismatch = prompted(List.of("one-" + secret, "two-" + secret), "mkhmcusr", "-u", "erin", "-a",
                "hmcviewer");
        assertThat(mismatch).contains("The passwords entered do not match.").doesNotContain("one-" + secret);
        assertThat(home.run("lshmcusr", "-F", "name").stdout()).doesNotContain("erin");
    }

    /** Runs the CLI on a pseudo-terminal, typing each of {@code answers} after a password prompt; its output. */
    static String prompted(List<String> answers, String... args) throws Exception {
        StringBuilder cmd = new StringBuilder("exec " + Cli.root().resolve("parvirt"));
        for (String a : args) {
            cmd.append(" '").append(a).append('\'');
        }
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", cmd.toString(), "/dev/null")
                .redirectErrorStream(true);
        pb.environment().put("PARVIRT_HOME", home.dir().toString());
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        java.io.InputStream in = p.getInputStream();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        int given = 0;
        byte[] buf = new byte[4096];
        while (System.nanoTime() < deadline) {
            int n = in.available() > 0 ? in.read(buf) : 0;
            if (n > 0) {
                out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            } else if (!p.isAlive() && in.available() == 0) {
                break;
            } else {
                Thread.sleep(20);
            }
            // each answer only once its prompt is shown: the terminal's echo is off by then
            if (given < answers.size() && countPrompts(out) > given) {
                p.getOutputStream().write((answers.get(given++) + "\n").getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().flush();
            }
        }
        assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).as(out.toString()).isTrue();
        return out.toString();
    }

    private static int countPrompts(CharSequence out) {
        return out.toString().split("password: ", -1).length - 1;
    }

    /** HTTP Basic on the daemon's loopback listener: the status of {@code GET /api/v1/session}. */
    static int login(String user, String password) throws Exception {
        String listen = Files.readString(home.dir().resolve("run/listen")).strip();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + listen + "/api/v1/session"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                            .getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }
    }
}
