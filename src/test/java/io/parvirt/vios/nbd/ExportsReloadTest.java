package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.vios.nbd.ConsoleSocketTest.Terminal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as the VIOS partition's "operating system": started by the host daemon with an
 * exports file, a pid file and a console socket, and told of new and removed mappings by SIGHUP.
 */
@Tag("daemon")
class ExportsReloadTest {
    static final String UUID_ARG = "5b2e7c36-3d0f-4a55-9f44-6c1d2f0e8a11";

    @TempDir
    Path tmp;
    Path sockets;
    Path exports;
    Path pidFile;
    Path console;
    ServerProcess server;

    @BeforeEach
    void dirs() throws IOException {
        sockets = Files.createDirectories(tmp.resolve("s"));
        exports = tmp.resolve("exports.json");
        pidFile = tmp.resolve("vios.pid");
        console = tmp.resolve("console.sock");
    }

    @AfterEach
    void kill() {
        if (server != null) {
            server.close();
        }
    }

    /** A 1 MiB backing file whose first 64 KiB are {@code fill}. */
    Path disk(String name, int fill) throws IOException {
        byte[] b = new byte[1 << 20];
        Arrays.fill(b, 0, 64 << 10, (byte) fill);
        return Files.write(tmp.resolve(name + ".img"), b);
    }

    Path socket(String name) {
        return sockets.resolve(name + ".sock").toAbsolutePath();
    }

    String uri(String name) {
        return "nbd+unix:///" + name + "?socket=" + socket(name);
    }

    String serving(String name) {
        return "serving " + name + " " + (1 << 20) + " " + socket(name);
    }

    /** Starts the server on {@code initial} and waits until it is ready. */
    void start(Export... initial) throws IOException, InterruptedException {
        ExportsFile.write(exports, List.of(initial));
        server = ServerProcess.start("--socket-dir", sockets.toString(), "--exports", exports.toString(),
                "--pid-file", pidFile.toString(), "--uuid", UUID_ARG, "--console-socket", console.toString(),
                "--log-dir", tmp.toString());
        server.awaitReady(pidFile);
    }

    /** Rewrites the exports file as the daemon does, sends SIGHUP, and returns the reload's lines. */
    List<String> reload(Export... now) throws IOException, InterruptedException {
        ExportsFile.write(exports, List.of(now));
        server.hangUp();
        return server.linesUntil("reloaded ");
    }

    @Test
    void startsFromTheExportsFileAndWritesThePidFileWhenReady() throws Exception {
        start(new Export("a", disk("a", 0x11), false), new Export("b", disk("b", 0x22), true));
        assertThat(server.line()).isEqualTo(serving("a"));
        assertThat(server.line()).isEqualTo(serving("b"));
        QemuTools.qemuIo(uri("a"), "read -P 0x11 0 64k");
        QemuTools.Result ro = QemuTools.run(QemuTools.qemuIoCommand(uri("b"), true, "read -P 0x22 0 64k"));
        assertThat(ro.exit()).as(ro.output()).isZero();
        assertThat(ro.output()).doesNotContain("failed");
        String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(server.process.pid()), "cmdline")),
                StandardCharsets.UTF_8);
        assertThat(cmdline.split("\0")).as("the daemon recognises its server by the UUID").contains("--uuid", UUID_ARG);
    }

    @Test
    void aHangupServesAnAddedExportAndWithdrawsARemovedOne() throws Exception {
        Export a = new Export("a", disk("a", 0x11), false);
        start(a, new Export("b", disk("b", 0x22), false));
        server.linesUntil("serving b");
        try (RawClient onB = RawClient.open(socket("b"), "b")) {
            assertThat(reload(a, new Export("c", disk("c", 0x33), false)))
                    .containsExactly("withdrawn b", serving("c"), "reloaded 2 exports");
            assertThat(onB.closedByServer()).as("the removed mapping's client is disconnected").isTrue();
        }
        assertThat(socket("b")).doesNotExist();
        assertThatThrownBy(() -> RawClient.connect(socket("b"))).isInstanceOf(IOException.class);
        QemuTools.qemuIo(uri("c"), "read -P 0x33 0 64k");
        QemuTools.qemuIo(uri("a"), "read -P 0x11 0 64k");
    }

    @Test
    void aChangedExportIsServedAgainAndAnUnchangedOneKeepsItsConnection() throws Exception {
        Export a = new Export("a", disk("a", 0x11), false);
        Export b = new Export("b", disk("b", 0x22), false);
        Export c = new Export("c", disk("c", 0x33), false);
        start(a, b, c);
        server.linesUntil("serving c");
        try (RawClient onA = RawClient.open(socket("a"), "a"); RawClient onB = RawClient.open(socket("b"), "b");
                RawClient onC = RawClient.open(socket("c"), "c")) {
            onA.write(0, new byte[] {1, 2, 3}, 0);
            Path other = disk("c2", 0x44);
            assertThat(reload(a, new Export("b", b.file(), true), new Export("c", other, false)))
                    .containsExactly("withdrawn b", "withdrawn c", serving("b"), serving("c"), "reloaded 3 exports");
            assertThat(onB.closedByServer()).isTrue();
            assertThat(onC.closedByServer()).isTrue();
            // the unchanged export's connection went on across the reload
            onA.write(3, new byte[] {4}, 0);
            assertThat(onA.read(0, 4)).containsExactly(1, 2, 3, 4);
        }
        try (RawClient onB = RawClient.open(socket("b"), "b")) {
            assertThat(onB.transmissionFlags & Protocol.FLAG_READ_ONLY).as("b is read-only now").isNotZero();
        }
        QemuTools.qemuIo(uri("c"), "read -P 0x44 0 64k");
    }

    @Test
    void aMissingBackingFileIsSkippedAndServedOnceItAppears() throws Exception {
        Path later = tmp.resolve("later.img");
        start(new Export("later", later, false), new Export("a", disk("a", 0x11), false));
        assertThat(server.errorLine())
                .isEqualTo("nbd: cannot serve later: BACKING_UNAVAILABLE at " + later + ": not a regular file");
        assertThat(server.line()).isEqualTo(serving("a"));
        assertThat(server.process.isAlive()).as("the other exports are served").isTrue();
        assertThat(socket("later")).doesNotExist();
        QemuTools.qemuIo(uri("a"), "read -P 0x11 0 64k");

        disk("later", 0x55);
        server.hangUp();
        assertThat(server.linesUntil("reloaded ")).containsExactly(serving("later"), "reloaded 2 exports");
        QemuTools.qemuIo(uri("later"), "read -P 0x55 0 64k");
    }

    @Test
    void anExportsFileThatCannotBeReadOnReloadKeepsTheCurrentExports() throws Exception {
        Export a = new Export("a", disk("a", 0x11), false);
        start(a);
        server.linesUntil("serving a");
        try (RawClient onA = RawClient.open(socket("a"), "a")) {
            Files.writeString(exports, "{\"exports\":[{\"name\":\"a\",");
            server.hangUp();
            assertThat(server.errorLine()).startsWith("nbd: reload failed: exports file " + exports + ": not valid JSON");
            Files.writeString(exports, "{\"exports\":[{\"name\":\"../a\",\"file\":\"/x\",\"readOnly\":false}]}");
            server.hangUp();
            assertThat(server.errorLine()).startsWith("nbd: reload failed: exports file " + exports + ": export 1: ");
            assertThat(onA.read(0, 4)).containsExactly(0x11, 0x11, 0x11, 0x11);
        }
        QemuTools.qemuIo(uri("a"), "read -P 0x11 0 64k");
        assertThat(reload(a, new Export("b", disk("b", 0x22), false))).containsExactly(serving("b"), "reloaded 2 exports");
    }

    @Test
    void hangupsInARowAreEachAppliedOneAfterTheOther() throws Exception {
        Export a = new Export("a", disk("a", 0x11), false);
        Export b = new Export("b", disk("b", 0x22), false);
        Export c = new Export("c", disk("c", 0x33), false);
        start(a);
        server.linesUntil("serving a");
        ExportsFile.write(exports, List.of(a, b));
        server.hangUp();
        ExportsFile.write(exports, List.of(a, b, c));
        server.hangUp();
        List<String> lines = server.linesUntil("reloaded ");
        lines.addAll(server.linesUntil("reloaded "));
        // the first reload read either file; never both reloads at once (c would be served twice)
        assertThat(lines).containsOnlyOnce(serving("b"), serving("c")).hasSize(4).last().isEqualTo("reloaded 3 exports");
        QemuTools.qemuIo(uri("b"), "read -P 0x22 0 64k");
        QemuTools.qemuIo(uri("c"), "read -P 0x33 0 64k");
    }

    @Test
    void aServerWhoseParentIgnoresHangupsStillReloads() throws Exception {
        Export a = new Export("a", disk("a", 0x11), false);
        ExportsFile.write(exports, List.of(a));
        server = ServerProcess.startWithHangupIgnored("--socket-dir", sockets.toString(), "--exports",
                exports.toString(), "--pid-file", pidFile.toString(), "--log-dir", tmp.toString());
        server.awaitReady(pidFile);
        server.linesUntil("serving a");
        assertThat(reload(a, new Export("b", disk("b", 0x22), false))).containsExactly(serving("b"), "reloaded 2 exports");
    }

    @Test
    void theConsoleShowsTheBannerAndWhatAReloadDid() throws Exception {
        Export a = new Export("a", disk("a", 0x11), false);
        start(a, new Export("z", disk("z", 0x22), false));
        try (Terminal t = new Terminal(console)) {
            assertThat(t.line()).isEqualTo("parvirt VIOS storage server (pid " + server.process.pid() + "): exports: a, z");
            Path missing = tmp.resolve("missing.img");
            reload(a, new Export("b", disk("b", 0x33), false), new Export("m", missing, false));
            assertThat(t.status()).isEqualTo("withdrawn z");
            assertThat(t.status()).isEqualTo(serving("b"));
            assertThat(t.status())
                    .isEqualTo("nbd: cannot serve m: BACKING_UNAVAILABLE at " + missing + ": not a regular file");
            assertThat(t.status()).isEqualTo("reloaded 3 exports");
        }
    }

    @Test
    void sigtermRemovesThePidFileTheSocketsAndTheConsoleSocket() throws Exception {
        start(new Export("a", disk("a", 0x11), false), new Export("b", disk("b", 0x22), false));
        server.linesUntil("serving b");
        assertThat(console).exists();
        try (Terminal t = new Terminal(console); RawClient onA = RawClient.open(socket("a"), "a")) {
            assertThat(t.line()).startsWith("parvirt VIOS storage server");
            onA.write(0, new byte[] {9, 8, 7}, 0);
            assertThat(server.terminate()).isIn(0, 143);
            assertThat(t.line()).as("the console client sees the end").isNull();
        }
        assertThat(pidFile).doesNotExist();
        assertThat(console).doesNotExist();
        try (Stream<Path> left = Files.list(sockets)) {
            assertThat(left).isEmpty();
        }
        assertThat(Files.readAllBytes(tmp.resolve("a.img"))).startsWith(9, 8, 7);
    }

    @Test
    void bothExportOptionsAtOnceIsABadCommandLine() throws Exception {
        server = ServerProcess.start("--socket-dir", sockets.toString(), "--export", "a=" + disk("a", 0),
                "--exports", exports.toString(), "--log-dir", tmp.toString());
        assertThat(server.exit()).isEqualTo(2);
        assertThat(server.errorLine()).isEqualTo("nbd: --export and --exports exclude each other");
        assertThat(server.errorLine()).startsWith("usage: NbdServerMain --socket-dir DIR (--exports FILE | --export");
    }

    @Test
    void anExportsFileThatCannotBeReadAtStartIsExitStatus1() throws Exception {
        server = ServerProcess.start("--socket-dir", sockets.toString(), "--exports", exports.toString(),
                "--pid-file", pidFile.toString(), "--console-socket", console.toString(), "--log-dir", tmp.toString());
        assertThat(server.exit()).isEqualTo(1);
        assertThat(server.errorLine()).isEqualTo("nbd: exports file " + exports + ": no such file");
        assertThat(pidFile).doesNotExist();
        assertThat(console).doesNotExist();
    }
}
