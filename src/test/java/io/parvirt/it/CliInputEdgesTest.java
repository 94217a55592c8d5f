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
