package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server as the VIOS runs it: a process of its own, started with a command line, stopped with SIGTERM. */
@Tag("daemon")
class NbdServerMainTest {
    @TempDir
    Path tmp;

    @Test
    void theCommandLineNamesExportsAndTheirMode() {
        NbdServerMain.Options o = NbdServerMain.parse(new String[] {"--socket-dir", "/run/v", "--export",
                "hd0=/pool/a.img", "--export", "cd0=/repo/x.iso:ro", "--max-connections", "4", "--poll-us", "0"});
        assertThat(o.exports()).containsExactly(new Export("hd0", Path.of("/pool/a.img"), false),
                new Export("cd0", Path.of("/repo/x.iso"), true));
        assertThat(o.settings()).isEqualTo(new NbdSettings(4, 0));
        assertThat(o.logDir()).isEqualTo(Path.of("/run/v"));
        assertThat(o.exportsFile()).isNull();
    }

    @Test
    void theDaemonsCommandLineNamesTheExportsFilePidFileUuidAndConsole() {
        NbdServerMain.Options o = NbdServerMain.parse(new String[] {"--socket-dir", "/run/v", "--exports",
                "/run/v/exports.json", "--pid-file", "/run/v/vios.pid", "--uuid", "5b2e7c36-3d0f-4a55-9f44-6c1d2f0e8a11",
                "--console-socket", "/run/v/console.sock"});
        assertThat(o.exports()).isEmpty();
        assertThat(o.exportsFile()).isEqualTo(Path.of("/run/v/exports.json"));
        assertThat(o.pidFile()).isEqualTo(Path.of("/run/v/vios.pid"));
        assertThat(o.uuid()).isEqualTo(UUID.fromString("5b2e7c36-3d0f-4a55-9f44-6c1d2f0e8a11"));
        assertThat(o.consoleSocket()).isEqualTo(Path.of("/run/v/console.sock"));
    }

    @Test
    void aBadCommandLineIsRefusedWithItsReason() {
        for (String[] args : List.of(new String[] {"--export", "a=/x"}, new String[] {"--socket-dir", "/d"},
                new String[] {"--socket-dir", "/d", "--export", "noequals"},
                new String[] {"--socket-dir", "/d", "--export", "../x=/f"},
                new String[] {"--socket-dir", "/d", "--export", "a=/f", "--export", "a=/g"},
                new String[] {"--socket-dir", "/d", "--export", "a=/f", "--max-connections", "0"},
                new String[] {"--socket-dir", "/d", "--export", "a=/f", "--poll-us", "-1"},
                new String[] {"--socket-dir", "/d", "--export", "a=/f", "--poll-us", "x"},
                new String[] {"--socket-dir", "/d", "--export", "a=/f", "--bogus", "1"},
                new String[] {"--socket-dir"},
                new String[] {"--socket-dir", "/d", "--export", "a=/f", "--exports", "/e.json"},
                new String[] {"--socket-dir", "/d", "--exports", "/e.json", "--uuid", "not-a-uuid"},
                new String[] {"--socket-dir", "/d", "--exports", ""},
                new String[] {"--socket-dir", "/d", "--pid-file", "/p"})) {
            assertThatThrownBy(() -> NbdServerMain.parse(args)).as(String.join(" ", args))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void runsAsItsOwnProcessAndCleansUpOnSigterm() throws Exception {
        Path disk = tmp.resolve("hd0.img");
        Files.write(disk, new byte[1 << 20]);
        Path sockets = Files.createDirectories(tmp.resolve("s"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), NbdServerMain.class.getName(), "--socket-dir", sockets.toString(),
                "--export", "hd0=" + disk, "--log-dir", tmp.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).isEqualTo("serving hd0 1048576 " + sockets.resolve("hd0.sock"));
            try (RawClient c = RawClient.open(sockets.resolve("hd0.sock"), "hd0")) {
                c.write(0, new byte[] {4, 5, 6}, 0);
            }
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isIn(0, 143);
            assertThat(sockets.resolve("hd0.sock")).doesNotExist();
            assertThat(Files.readAllBytes(disk)).startsWith(4, 5, 6);
        } finally {
            p.destroyForcibly();
        }
    }
}
