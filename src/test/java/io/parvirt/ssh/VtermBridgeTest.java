package io.parvirt.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.ssh.shell.RestrictedShell;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mkvterm inside an SSH shell: keys reach the console session socket, its output reaches the
 * terminal, {@code ~.} at the start of a line leaves the console (not the shell), and the
 * console's HSCL8003 refusal is the command's answer. A stand-in console on a real Unix socket.
 */
@Tag("unit")
class VtermBridgeTest {
    @TempDir
    Path dir;

    /** A console that greets, then records what it is sent until the client hangs up. */
    CompletableFuture<String> console(Path socket, String greeting) throws Exception {
        return console(socket, greeting, false);
    }

    CompletableFuture<String> console(Path socket, String greeting, boolean hangUp) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return CompletableFuture.supplyAsync(() -> {
            try (server; SocketChannel ch = server.accept()) {
                ch.write(ByteBuffer.wrap(greeting.getBytes(StandardCharsets.UTF_8)));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                if (hangUp) {
                    return "";
                }
                ByteBuffer b = ByteBuffer.allocate(1024);
                while (ch.read(b.clear()) >= 0) {
                    got.write(b.array(), 0, b.position());
                }
                return got.toString(StandardCharsets.UTF_8);
            } catch (Exception e) {
                return "failed: " + e;
            }
        });
    }

    @Test
    void keysGoToTheConsoleAndTildeDotLeavesIt() throws Exception {
        Path socket = dir.resolve("vterm.sock");
        CompletableFuture<String> received = console(socket, "login: ");
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        // "~x" mid-line and at a line start are sent as typed; "~." at a line start detaches.
        RestrictedShell.Commands.Result r = VtermBridge.attach(socket, new ByteArrayInputStream(
                "root\ra~b\r~x\r~.echo after\r".getBytes(StandardCharsets.UTF_8)), terminal);
        assertThat(r.exitCode()).isZero();
        assertThat(received.get()).isEqualTo("root\ra~b\r~x\r");
        assertThat(terminal.toString(StandardCharsets.UTF_8)).isEqualTo("login: ");
    }

    @Test
    void tildeDotRightAfterTheTerminalAnsweredACursorQueryLeaves() throws Exception {
        Path socket = dir.resolve("cpr.sock");
        // a prompt that asks where the cursor is (ESC [ 6 n), as busybox's shell does
        CompletableFuture<String> received = console(socket, "\u001b[6n# ");
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        RestrictedShell.Commands.Result r = VtermBridge.attach(socket, new ByteArrayInputStream(
                "\u001b[24;1R~.ls\r".getBytes(StandardCharsets.UTF_8)), terminal);
        assertThat(r.exitCode()).isZero();
        assertThat(received.get()).isEqualTo("\u001b[24;1R");
    }

    @Test
    void reportsKeepTheLineStartAndKeysDoNot() {
        assertThat(typed("\r\u001b[12;40R~.")).isEqualTo("\r\u001b[12;40R|");
        assertThat(typed("\u001b[?1;2c~.")).isEqualTo("\u001b[?1;2c|");
        assertThat(typed("\u001b[0n~.")).isEqualTo("\u001b[0n|");
        // mid-line, a report does not make a line start
        assertThat(typed("ab\u001b[12;40R~.x")).isEqualTo("ab\u001b[12;40R~.x");
        // an arrow key (history recall) or the Insert key (ESC [ 2 ~) is typing
        assertThat(typed("\u001b[A~.x")).isEqualTo("\u001b[A~.x");
        assertThat(typed("\u001bOA~.x")).isEqualTo("\u001bOA~.x");
        assertThat(typed("\u001b[2~~.x")).isEqualTo("\u001b[2~~.x");
        assertThat(typed("\r~~x\r~.")).isEqualTo("\r~~x\r|");
    }

    /** What reaches the console for {@code keys}; {@code |} marks where {@code ~.} detached. */
    static String typed(String keys) {
        VtermBridge.Escape e = new VtermBridge.Escape();
        StringBuilder out = new StringBuilder();
        for (char c : keys.toCharArray()) {
            byte[] b = e.feed(c);
            if (b == null) {
                return out.append('|').toString();
            }
            out.append(new String(b, StandardCharsets.ISO_8859_1));
        }
        return out.toString();
    }

    @Test
    void anOpenSessionElsewhereIsTheConsolesRefusal() throws Exception {
        Path socket = dir.resolve("busy.sock");
        console(socket, "HSCL8003 A virtual terminal session is already open for this partition.\n", true);
        RestrictedShell.Commands.Result r = VtermBridge.attach(socket, new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream());
        assertThat(r).isEqualTo(new RestrictedShell.Commands.Result(
                "HSCL8003 A virtual terminal session is already open for this partition.\n", 1));
    }
}
